"""Decisions for whole-series classification and regression: size band, model families, facade,
fidelity, the length and missing-value rules, validation and the space (rules/bundle/time_series.toml)."""

from __future__ import annotations

from typing import Any

from ..dataset.spec import DatasetSpec
from ..tables import table
from .bands import sizing
from .decisions import Decision, Decisions, Hyperparameter
from .insights import Insights, apply_insights


def decide_time_series(spec: DatasetSpec, insights: Insights | None = None) -> Decisions:
    rules = table("time_series")
    values = spec.n_values
    facade_rule, scenario, design = rules["facade"], rules["scenario"], rules["initial_design"]
    band, families, multi_fidelity, facade, n_trials, hours, initial_configs, fidelity = sizing(
        rules, values, facade_rule["threshold_values"])
    shape = f"{spec.n_samples} series x {_lengths(spec)} x {spec.n_channels} channel(s)"
    side = "at or above" if multi_fidelity else "below"
    steps = [
        Decision("task", spec.task, rules["task"]["id"], f"{spec.task} of whole series: stated by the spec or the data's labels"),
        Decision("size_band", band, rules["size"]["id"], f"{shape} = {values:,} values -> {band}"),
        Decision("families", families, rules["families"]["id"], f"{band} data: {', '.join(families)}"),
        length_step(spec, rules["length"]),
        Decision("missing", "interpolate" if spec.has_missing else "none", rules["missing"]["id"],
                 "missing values inside a series are interpolated linearly" if spec.has_missing
                 else "no missing values reported; any found are interpolated linearly"),
        Decision("facade", facade, facade_rule["id"],
                 f"{values:,} values is {side} {facade_rule['threshold_values']:,}: "
                 + ("a full fit is costly, so judge on budget fractions first" if multi_fidelity
                    else "a full fit is cheap, so use random-forest BO on full fits")),
        Decision("fidelity", {f: f"{kind} (full {full})" for f, (kind, full) in fidelity.items()}, rules["fidelity"]["id"],
                 "budget is a fraction of each family's full fidelity" if multi_fidelity else "every trial at full fidelity"),
    ]
    if multi_fidelity:
        steps += [
            Decision("min_budget", facade_rule["min_budget"], facade_rule["id"], "1/9 of each family's full fidelity: two Hyperband halvings with eta 3"),
            Decision("max_budget", facade_rule["max_budget"], facade_rule["id"], "the full fidelity"),
            Decision("eta", facade_rule["eta"], facade_rule["id"], "Hyperband's reduction factor"),
        ]
    steps += [
        validation_step(spec, rules["validation"]),
        Decision("n_trials", n_trials, rules["trials"]["id"], f"{band} data: {n_trials} trials"),
        Decision("initial_design", initial_configs, design["id"], "the default configuration (MiniRocket as published) first, then this many designed ones"),
        Decision("walltime_limit", float(hours * 3600), rules["walltime"]["id"], f"{hours} h cap for {band} data"),
        Decision("deterministic", scenario["deterministic"], scenario["id"], "seeds change kernels, folds and fits; judge across seeds"),
        Decision("n_workers", scenario["n_workers"], scenario["id"], "one worker unless parallel execution is asked for"),
        Decision("crash_cost", float(scenario["crash_cost"][spec.task]), scenario["id"],
                 "finite worst loss: " + ("error rate 1.0" if spec.task == "classification" else "10x the RMSE of predicting the mean")),
        Decision("objective", scenario["objective"], scenario["id"],
                 "validation error rate, 1 - accuracy" if spec.task == "classification" else "validation RMSE / std of the training target"),
    ]
    hyperparameters, records = apply_insights(tuple(series_space(families, rules, spec.equal_length)), insights,
                                              "time_series")
    return Decisions.from_steps(
        spec, tuple(steps), hyperparameters, multi_fidelity=multi_fidelity, seed=scenario["seed"], insights=records,
        extra={"band": band, "families": families, "fidelity": fidelity, "initial_configs": initial_configs,
               "validation": {"folds": rules["validation"]["folds"], "max_series": rules["validation"]["max_series"]},
               "min_length": rules["length"]["min_length"]},
    )


def _lengths(spec: DatasetSpec) -> str:
    return f"length {spec.max_length}" if spec.equal_length else f"lengths {spec.min_length}-{spec.max_length}"


def length_step(spec: DatasetSpec, rule: dict[str, Any]) -> Decision:
    """How train() makes the series one length: nothing to do, the searched length_rule, or
    padding with the last value up to MiniRocket's kernel span."""
    floor = rule["min_length"]
    if spec.equal_length and spec.max_length >= floor:
        return Decision("series_length", spec.max_length, rule["id"], f"every series has {spec.max_length} points: used as they are")
    target = max(spec.max_length, floor)
    why = (f"lengths {spec.min_length}-{spec.max_length}: every series made {target} long by the searched length_rule "
           f"({', '.join(rule['choices'])}), since why lengths vary is not known"
           if not spec.equal_length else f"series of {spec.max_length} points padded with their last value to {floor}, MiniRocket's kernel span")
    return Decision("series_length", target, rule["id"], why + "; longer test series cut (or resampled) to it")


def validation_step(spec: DatasetSpec, rule: dict[str, Any]) -> Decision:
    """k-fold scoring of the training series while they are few, else one 20% split."""
    folds, limit = rule["folds"], rule["max_series"]
    train_series = spec.n_samples if spec.has_test_split else int(spec.n_samples * 0.8)
    if train_series <= limit:
        reason = (f"{train_series} training series is at most {limit}: each configuration is scored by {folds}-fold "
                  "cross-validation inside train() (3 folds for the CNN); loss = mean fold validation error")
    else:
        reason = f"more than {limit} training series: one seeded 20% validation split is large enough"
    return Decision("validation", {"cv_folds": folds, "cv_max_series": limit}, rule["id"], reason)


def series_space(families: list[str], rules: dict[str, Any], equal_length: bool = True, shared: bool = True,
                 rule_id: str = "HPG-TS-SPACE") -> list[Hyperparameter]:
    """algorithm, normalise and length_rule (series of unequal lengths only) where `shared`, then
    each family's own dimensions of rules["space"], active when its family is chosen."""
    default = rules["families"]["default"]
    default = default if default in families else families[0]
    hps = [
        Hyperparameter("algorithm", "categorical", default, rules["families"]["id"],
                       f"one branch per family; {default} first as the fast standard", choices=tuple(families)),
    ]
    if shared:
        normalise = rules["normalise"]
        hps.append(Hyperparameter("normalise", "categorical", normalise["default"], normalise["id"],
                                  "z-normalise each series per channel, or keep its scale", choices=tuple(normalise["choices"])))
    if shared and not equal_length:
        length = rules["length"]
        hps.append(Hyperparameter("length_rule", "categorical", length["default"], length["id"],
                                  "pad with zeros or the last value, or resample: why lengths vary is not known",
                                  choices=tuple(length["choices"])))
    for name, entry in rules["space"].items():
        if entry["family"] not in families:
            continue
        extra: dict[str, Any] = {"parent": "algorithm", "values": (entry["family"],)}
        if "choices" in entry:
            choices = tuple(entry["choices"])
            kind = "ordinal" if all(isinstance(c, int) and not isinstance(c, bool) for c in choices) else "categorical"
            hps.append(Hyperparameter(name, kind, entry["default"], rule_id, entry["source"], choices=choices, **extra))
            continue
        lo, hi = entry["range"]
        kind = "int" if isinstance(lo, int) and isinstance(hi, int) else "float"
        if kind == "float":
            lo, hi = float(lo), float(hi)
        hps.append(Hyperparameter(name, kind, entry["default"], rule_id, entry["source"],
                                  lower=lo, upper=hi, log=entry.get("log", False), **extra))
    return hps
