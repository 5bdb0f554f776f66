"""Decisions: plain data that plan.json, the space and the code are all rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..dataset.spec import DatasetSpec


@dataclass(frozen=True)
class Decision:
    """One choice, the rule that made it and why."""

    key: str
    value: Any
    rule: str
    reason: str


@dataclass(frozen=True)
class Hyperparameter:
    """One dimension of the search space (ConfigSpace 1.x vocabulary)."""

    name: str
    kind: str  # "float" | "int" | "categorical" | "ordinal"
    default: Any
    rule: str
    reason: str
    lower: float | int | None = None
    upper: float | int | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    # active only when `parent` takes one of `values`
    parent: str | None = None
    values: tuple[Any, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in ("float", "int")


@dataclass(frozen=True)
class InsightRecord:
    """One OpenML suggestion: where it came from, and what became of it."""

    setup: int  # 1-based position of its setup in the payload
    family: str  # the model family it was attributed to; "" when none, "named" for the map form
    name: str
    value: Any
    target: str | None  # the hyperparameter it maps to, when it maps to one
    applied: bool
    reason: str  # why it was used or not; ignored ones are grouped by it
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"setup": self.setup, "family": self.family or None, "name": self.name, "value": self.value,
                "hyperparameter": self.target, "applied": self.applied, "reason": self.reason, "detail": self.detail}


def ignored_groups(records: tuple[InsightRecord, ...]) -> list[tuple[str, int, list[str]]]:
    """(reason, how many values, the distinct names) for the suggestions not used, largest group first."""
    groups: dict[str, list[str]] = {}
    for record in records:
        if not record.applied:
            groups.setdefault(record.reason, []).append(record.name)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(reason, len(names), list(dict.fromkeys(names))) for reason, names in ordered]


@dataclass(frozen=True)
class Decisions:
    """Everything the generator decided for one DatasetSpec."""

    spec: DatasetSpec
    facade: str
    multi_fidelity: bool
    n_trials: int
    walltime_limit: float
    crash_cost: float
    hyperparameters: tuple[Hyperparameter, ...]
    steps: tuple[Decision, ...]
    min_budget: float | None = None
    max_budget: float | None = None
    eta: int | None = None
    deterministic: bool = False
    n_workers: int = 1
    seed: int = 0
    objective: str = "loss"
    # family-specific values the train template needs (image: tier, max_filters; tabular: families)
    extra: dict[str, Any] = field(default_factory=dict)
    insights: tuple[InsightRecord, ...] = ()

    @classmethod
    def from_steps(
        cls,
        spec: DatasetSpec,
        steps: tuple[Decision, ...],
        hyperparameters: tuple[Hyperparameter, ...],
        *,
        multi_fidelity: bool,
        seed: int,
        extra: dict[str, Any],
        insights: tuple[InsightRecord, ...],
    ) -> Decisions:
        """Decisions whose scenario fields are the values of their steps, so the two cannot disagree."""
        value = {step.key: step.value for step in steps}

        def budget(key: str) -> float | None:
            return float(value[key]) if key in value else None

        return cls(
            spec=spec,
            facade=value["facade"],
            multi_fidelity=multi_fidelity,
            n_trials=value["n_trials"],
            walltime_limit=float(value["walltime_limit"]),
            crash_cost=float(value["crash_cost"]),
            hyperparameters=hyperparameters,
            steps=tuple(steps),
            min_budget=budget("min_budget"),
            max_budget=budget("max_budget"),
            eta=value.get("eta"),
            deterministic=value["deterministic"],
            n_workers=value["n_workers"],
            seed=seed,
            objective=value["objective"],
            extra=extra,
            insights=insights,
        )

    def hyperparameter(self, name: str) -> Hyperparameter:
        for hp in self.hyperparameters:
            if hp.name == name:
                return hp
        raise KeyError(name)

    @property
    def defaults(self) -> dict[str, Any]:
        return {hp.name: hp.default for hp in self.hyperparameters}

    def decision(self, key: str) -> Decision:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def explain_rows(self) -> list[tuple[str, str, str, str]]:
        """(decision, value, rule, reason) for every scenario choice and every dimension."""
        rows = [(d.key, _show(d.value), d.rule, d.reason) for d in self.steps]
        for hp in self.hyperparameters:
            rows.append((f"space.{hp.name}", describe_range(hp), hp.rule, hp.reason))
        for record in self.insights:
            if record.applied:
                who = "named suggestion" if record.family == "named" else f"setup {record.setup} ({record.family})"
                rows.append((f"insight.{record.name}", _show(record.value), "HPG-INSIGHTS", f"{who}: {record.reason}"))
        for reason, count, names in ignored_groups(self.insights):
            rows.append(("insights.ignored", str(count), "HPG-INSIGHTS", f"{reason}: {cut_list(names)}"))
        return rows


def cut_list(names: list[str], limit: int = 6) -> str:
    """Names joined for a plan line, at most `limit` of them, each cut at 24 characters."""
    shown = [n if len(n) <= 24 else n[:21] + "..." for n in names[:limit]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(shown) + more


def describe_range(hp: Hyperparameter) -> str:
    """A short human form of a dimension: [lo, hi] log, default d; or {a, b}."""
    if hp.numeric:
        scale = " log" if hp.log else ""
        text = f"[{_show(hp.lower)}, {_show(hp.upper)}]{scale}, default {_show(hp.default)}"
    else:
        text = "{" + ", ".join(_show(c) for c in hp.choices) + "}" + f", default {_show(hp.default)}"
    if hp.parent:
        text += f", if {hp.parent} in {{{', '.join(_show(v) for v in hp.values)}}}"
    return text


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return ", ".join(f"{key}={_show(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return ", ".join(_show(item) for item in value)
    return str(value)
