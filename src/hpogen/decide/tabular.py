"""Decisions for tabular data: size band, algorithm families, facade, fidelity and space."""

from __future__ import annotations

from typing import Any

from ..dataset.spec import DatasetSpec
from ..tables import table
from .bands import banded
from .columns import column_kinds, column_steps, task_step, train_settings, validation_step
from .decisions import Decision, Decisions, Hyperparameter
from .insights import Insights, apply_insights


def decide_tabular(spec: DatasetSpec, insights: Insights | None = None) -> Decisions:
    rules, priors = table("tabular"), table("priors")
    band = banded(spec.n_samples, rules["size"]["bands"], rules["size"]["band_above"])
    families = list(rules["families"][band])
    facade_rule = rules["facade"]
    multi_fidelity = spec.n_samples >= facade_rule["threshold"]
    facade = facade_rule["at_or_above"] if multi_fidelity else facade_rule["below"]
    n_trials = rules["trials"][band]
    hours = rules["walltime"]["hours"][band]
    scenario = rules["scenario"]
    design = rules["initial_design"]
    initial_configs = max(design["minimum"], round(design["share"] * n_trials))
    crash_cost = float(scenario["crash_cost"][spec.task])
    fidelity = {family: rules["fidelity"][family] for family in families}
    side = "at or above" if multi_fidelity else "below"
    steps = [
        task_step(spec, rules["task"]),
        *column_steps(spec, rules),
        Decision("size_band", band, rules["size"]["id"], f"{spec.n_samples} samples -> {band}"),
        Decision("families", families, rules["families"]["id"], f"{band} data: {', '.join(families)}"),
        Decision("facade", facade, facade_rule["id"],
                 f"{spec.n_samples} samples is {side} {facade_rule['threshold']}: "
                 + ("a full fit is costly, so judge on budget fractions first" if multi_fidelity else "a full fit is cheap, so use random-forest BO on full fits")),
        Decision("fidelity", {f: f"{kind} (full {full})" for f, (kind, full) in fidelity.items()}, rules["fidelity"]["id"],
                 "budget is a fraction of each family's full fidelity" if multi_fidelity else "full fidelity; its size is a hyperparameter where the family has one"),
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
        Decision("initial_design", initial_configs, design["id"], "the default configuration first, then this many designed ones before Bayesian optimisation"),
        Decision("walltime_limit", float(hours * 3600), rules["walltime"]["id"], f"{hours} h cap for {band} data"),
        Decision("deterministic", scenario["deterministic"], scenario["id"], "seeds change splits and fits; judge across seeds"),
        Decision("n_workers", scenario["n_workers"], scenario["id"], "one worker unless parallel execution is asked for"),
        Decision("crash_cost", crash_cost, scenario["id"], "finite worst loss: " + ("error rate 1.0" if spec.task == "classification" else "10x the RMSE of predicting the mean")),
        Decision("objective", scenario["objective"], scenario["id"],
                 "validation error rate, 1 - accuracy" if spec.task == "classification" else "validation RMSE / std of the training target"),
    ]
    hyperparameters = tuple(tabular_space(spec, families, multi_fidelity, rules, priors, band))
    hyperparameters, records = apply_insights(hyperparameters, insights, "tabular")
    return Decisions.from_steps(
        spec, tuple(steps), hyperparameters, multi_fidelity=multi_fidelity, seed=scenario["seed"],
        insights=records, extra={
            "band": band, "families": families, "fidelity": fidelity,
            "initial_configs": initial_configs, **train_settings(rules, column_kinds(spec)),
        },
    )


def tabular_space(
    spec: DatasetSpec, families: list[str], multi_fidelity: bool, rules: dict[str, Any], priors: dict[str, Any],
    band: str = "small",
) -> list[Hyperparameter]:
    default = rules["families"]["default"]
    default = default if default in families else families[0]
    hps = [
        Hyperparameter("algorithm", "categorical", default, rules["families"]["id"],
                       f"one branch per family; {default} first as the strongest tabular default", choices=tuple(families)),
    ]
    for name, entry in rules["preprocessing"].items():
        if name == "imputer" and not spec.has_missing:
            continue
        if name == "categorical_encoding" and not spec.n_categorical:
            continue
        hps.append(Hyperparameter(name, "categorical", entry["default"], entry["id"], entry["source"].split(": ", 1)[-1], choices=tuple(entry["choices"])))
    if "high_cardinality" in column_kinds(spec).values():
        entry = rules["kind"]["high_cardinality"]
        hps.append(Hyperparameter("high_cardinality_encoding", "categorical", entry["default"], entry["id"],
                                  entry["action"], choices=tuple(entry["choices"])))
    for name, prior in priors.items():
        if prior["family"] not in families or (prior.get("fidelity") and multi_fidelity):
            continue
        lo, hi = prior["range"]
        kind = "int" if isinstance(lo, int) and isinstance(hi, int) else "float"
        rule, reason = f"PRIOR-{prior['source'].split()[0]}", f"published range: {prior['source']}"
        cap = rules["size_caps"].get(band, {}).get(name)
        if cap is not None:
            lo, hi = max(lo, cap[0]), min(hi, cap[1])
            rule, reason = rules["size_caps"]["id"], f"{reason}; {band} data: capped to [{lo}, {hi}] so one fit stays short"
        if kind == "float":
            lo, hi = float(lo), float(hi)
        hps.append(Hyperparameter(
            name, kind, prior["default"], rule, reason,
            lower=lo, upper=hi, log=prior.get("log", False), parent="algorithm", values=(prior["family"],),
        ))
    return hps
