"""Tabular decisions about the data itself: the task rule, each column's kind, the validation."""

from __future__ import annotations

from typing import Any

from ..dataset.facts import class_share_limit, task_for_values
from ..dataset.spec import DatasetSpec
from .decisions import Decision, cut_list


def column_kinds(spec: DatasetSpec) -> dict[str, str]:
    """The spec's column name -> kind (empty when the spec names no columns)."""
    return dict(spec.column_kinds or ())


def task_step(spec: DatasetSpec, rule: dict[str, Any]) -> Decision:
    """Why the task is what it is: the rule's reading of the target, or the spec's word."""
    n_values = spec.n_target_values
    if n_values is None:
        return Decision("task", spec.task, rule["id"], f"{spec.task}: stated by the spec")
    share = n_values / spec.n_samples
    limit = class_share_limit(spec.n_samples, rule)
    reading = (f"{n_values} distinct target values over {spec.n_samples} rows (share {share:.3f}, "
               f"classes allowed up to {limit:g} and {rule['max_classes']})")
    inferred = task_for_values(n_values, spec.n_samples, rule)
    if spec.task == inferred:
        return Decision("task", spec.task, rule["id"], f"{reading} -> {spec.task} for numbers; strings are always classes")
    return Decision("task", spec.task, rule["id"], f"{reading} would give {inferred} for numbers; {spec.task} was given (--task or labels that are not numbers)")


def column_steps(spec: DatasetSpec, rules: dict[str, Any]) -> list[Decision]:
    """One step for the kinds found, one per kind that changes the data (with its rule)."""
    kinds = column_kinds(spec)
    if not kinds:
        return []
    columns = rules["columns"]
    counts = {kind: [name for name, k in kinds.items() if k == kind] for kind in columns["kinds"]}
    found = {kind: names for kind, names in counts.items() if names}
    summary = ", ".join(f"{len(names)} {kind}" for kind, names in found.items())
    steps = [Decision("column_kinds", {k: len(v) for k, v in found.items()}, columns["id"], f"{len(kinds)} columns: {summary}")]
    for kind in ("constant", "id", "datetime", "text", "high_cardinality", "boolean"):
        if kind in found:
            entry = rules["kind"][kind]
            steps.append(Decision(f"{kind}_columns", found[kind], entry["id"], f"{cut_list(found[kind])}: {entry['action']}"))
    return steps


def validation_step(spec: DatasetSpec, rule: dict[str, Any]) -> Decision:
    """k-fold scoring for small data without a given test split, else one 20% split."""
    folds, max_rows = rule["folds"], rule["max_rows"]
    if spec.n_samples * 0.8 <= max_rows:
        reason = (f"{spec.n_samples} rows (about {int(spec.n_samples * 0.8)} after the test hold-out) is at most {max_rows}: "
                  f"each configuration is scored by {folds}-fold cross-validation inside train(); loss = mean fold validation error")
    else:
        reason = f"more than {max_rows} rows to search on: one seeded 20% validation split is large enough"
    return Decision("validation", {"cv_folds": folds, "cv_max_rows": max_rows}, rule["id"], reason)


def train_settings(rules: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """What train.py reads beside the space: the non-numeric column kinds, the k-fold scoring
    (HPG-TAB-CV) and the text features per column (HPG-COL-TEXT)."""
    return {
        "column_kinds": {name: kind for name, kind in kinds.items() if kind != "numeric"},
        "cv_folds": rules["validation"]["folds"],
        "cv_max_rows": rules["validation"]["max_rows"],
        "text_max_features": rules["kind"]["text"]["max_features"],
    }
