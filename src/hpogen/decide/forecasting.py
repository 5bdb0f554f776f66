"""Decisions for forecasting: size band, families, facade, fidelity, season, horizon, the
multi-step strategy, backtests and the space (rules/bundle/forecasting.toml)."""

from __future__ import annotations

from typing import Any

from ..dataset.forecast_spec import frequency_kind, horizon_rule, season_rule
from ..dataset.spec import DatasetSpec
from ..tables import table
from .bands import sizing
from .decisions import Decision, Decisions, Hyperparameter
from .insights import Insights, apply_insights
from .time_series import series_space


def decide_forecasting(spec: DatasetSpec, insights: Insights | None = None) -> Decisions:
    rules = table("forecasting")
    points = spec.n_samples
    facade_rule, scenario, design = rules["facade"], rules["scenario"], rules["initial_design"]
    band, families, multi_fidelity, facade, n_trials, hours, initial_configs, fidelity = sizing(
        rules, points, facade_rule["threshold_points"])
    lengths = f"length {spec.max_length}" if spec.min_length == spec.max_length else f"lengths {spec.min_length}-{spec.max_length}"
    side = "at or above" if multi_fidelity else "below"
    strategy = "direct" if spec.horizon <= rules["strategy"]["max_direct"] else "pooled"
    nn_seeds = int(rules["neural_seeds"]["seeds"][band])
    steps = [
        Decision("task", "forecasting", rules["task"]["id"], f"forecast the next {spec.horizon} points of each series"),
        Decision("size_band", band, rules["size"]["id"], f"{spec.n_series} series, {lengths}: {points:,} points -> {band}"),
        Decision("families", families, rules["families"]["id"], f"{band} data: {', '.join(families)}"),
        season_step(spec, rules["season"]["id"]),
        horizon_step(spec, rules["horizon"]["id"]),
        covariates_step(spec, rules),
        Decision("missing", "interpolate" if spec.has_missing else "none", rules["missing"]["id"],
                 "gaps and missing values are interpolated linearly before a fit and never scored" if spec.has_missing
                 else "no missing values reported; any found are interpolated linearly"),
        Decision("strategy", strategy, rules["strategy"]["id"],
                 f"horizon {spec.horizon} is " + (f"at most {rules['strategy']['max_direct']}: one boosting model per step (direct)"
                                                  if strategy == "direct" else
                                                  f"above {rules['strategy']['max_direct']}: one boosting model for every step, the step among its features (pooled)")),
        Decision("facade", facade, facade_rule["id"],
                 f"{points:,} points is {side} {facade_rule['threshold_points']:,}: "
                 + ("a full fit is costly, so judge on budget fractions first" if multi_fidelity
                    else "a full fit is cheap, so use random-forest BO on full fits")),
        Decision("fidelity", {f: f"{kind} (full {full})" for f, (kind, full) in fidelity.items()}, rules["fidelity"]["id"],
                 "budget is a fraction of boosting rounds and epochs; the statistical models always fit fully" if multi_fidelity
                 else "every trial at full fidelity; rounds and epochs are searched"),
    ]
    if multi_fidelity:
        steps += [
            Decision("min_budget", facade_rule["min_budget"], facade_rule["id"], "1/9 of each family's full fidelity: two Hyperband halvings with eta 3"),
            Decision("max_budget", facade_rule["max_budget"], facade_rule["id"], "the full fidelity"),
            Decision("eta", facade_rule["eta"], facade_rule["id"], "Hyperband's reduction factor"),
        ]
    backtest = rules["backtest"]
    steps += [
        Decision("validation", {"folds": backtest["folds"], "step": spec.horizon}, backtest["id"],
                 f"rolling-origin backtests on each series' history: {backtest['folds']} origins {spec.horizon} points apart, "
                 f"expanding window, a series scored at an origin only with {backtest['min_fit']}+ points before it; "
                 "the test (each series' last horizon) is never seen by the search"),
        Decision("final_forecast", "median over families of each family's best and default", rules["ensemble"]["id"],
                 "each family's best configuration by backtest loss is refit beside the family's default configuration "
                 "and the two averaged, which shrinks the winner of a few noisy origins toward a choice made before the "
                 "data; the per-step median over families (two families: their mean) outvotes one family's poor forecast"),
        Decision("intervals", {"levels": list(rules["intervals"]["levels"]), "method": "conformal"}, rules["conformal"]["id"],
                 f"the final forecast's {' and '.join(str(lv) + '%' for lv in rules['intervals']['levels'])} intervals are conformal: "
                 "per step ahead, the quantiles of its errors at the backtest origins over every series, in units of "
                 "each series' MASE scale (a lone statistical model keeps its own)"),
        Decision("structural_zeros", int(rules["structural_zeros"]["seasons"]) if spec.season_length > 1 else None,
                 rules["structural_zeros"]["id"],
                 f"a phase that was exactly 0 in each of a series' last {rules['structural_zeros']['seasons']}+ whole seasons "
                 "is forecast 0 by every family" if spec.season_length > 1 else "no season: no phase to hold at 0"),
        Decision("neural_seeds", nn_seeds, rules["neural_seeds"]["id"],
                 f"{band} data: every neural fit averages {nn_seeds} network(s) trained from consecutive seeds"),
        Decision("n_trials", n_trials, rules["trials"]["id"], f"{band} data: {n_trials} trials"),
        Decision("initial_design", initial_configs, design["id"], "the default configuration (AutoETS) first, then this many designed ones"),
        Decision("walltime_limit", float(hours * 3600), rules["walltime"]["id"], f"{hours} h cap for {band} data"),
        Decision("deterministic", scenario["deterministic"], scenario["id"], "seeds change the global models' fits; judge across seeds"),
        Decision("n_workers", scenario["n_workers"], scenario["id"], "one worker unless parallel execution is asked for"),
        Decision("crash_cost", float(scenario["crash_cost"]), scenario["id"], "finite worst loss: MASE 10"),
        Decision("objective", scenario["objective"], rules["metric"]["id"],
                 "mean MASE over series and origins (scaled by the in-sample seasonal naive error); sMAPE, RMSE and the "
                 "seasonal naive forecast's scores reported beside it"),
    ]
    space = forecast_space(families, rules, multi_fidelity, spec.season_length)
    hyperparameters, records = apply_insights(tuple(space), insights, "time_series")
    return Decisions.from_steps(
        spec, tuple(steps), hyperparameters, multi_fidelity=multi_fidelity, seed=scenario["seed"], insights=records,
        extra={"band": band, "families": families, "fidelity": fidelity, "initial_configs": initial_configs,
               "backtest": {"folds": backtest["folds"], "min_fit": backtest["min_fit"]}, "strategy": strategy,
               "interval_levels": list(rules["intervals"]["levels"]),
               "max_model_season": rules["long_season"]["max_season"], "nn_seeds": nn_seeds,
               "zero_seasons": int(rules["structural_zeros"]["seasons"])},
    )


def season_step(spec: DatasetSpec, rule: str) -> Decision:
    derived, why = season_rule(spec.frequency)
    if spec.season_length != derived:
        why = f"stated: {spec.season_length} (the frequency's rule gives {derived})"
    return Decision("season_length", spec.season_length, rule, why)


def horizon_step(spec: DatasetSpec, rule: str) -> Decision:
    derived, why = horizon_rule(spec.frequency, spec.season_length)
    if spec.horizon != derived:
        why = f"stated: {spec.horizon} points"
    return Decision("horizon", spec.horizon, rule, f"{why}; the test is each series' last {spec.horizon} points")


def covariates_step(spec: DatasetSpec, rules: dict[str, Any]) -> Decision:
    covariates = dict(spec.covariates or ())
    if not covariates:
        return Decision("covariates", {}, "HPG-FC-FAMILIES", "none: each series is forecast from its own history")
    known = [n for n, k in covariates.items() if k == "known"]
    past = [n for n, k in covariates.items() if k == "past"]
    parts = ([f"known {', '.join(known)} (their values at the forecast times)"] if known else []) + \
            ([f"past-only {', '.join(past)} (their last values before the origin)"] if past else [])
    return Decision("covariates", covariates, rules["regressors"]["id"],
                    "boosting reads " + "; ".join(parts) + "; " + ("AutoARIMA regresses on the known ones; " if known else "")
                    + "ETS, Theta and the neural family forecast from the target alone")


def forecast_space(families: list[str], rules: dict[str, Any], multi_fidelity: bool, season_length: int) -> list[Hyperparameter]:
    """algorithm, then each family's own dimensions (conditional on it); rounds and epochs only
    in full-fidelity spaces, the seasonal switch only where there is a season."""
    entries = {name: entry for name, entry in rules["space"].items()
               if not (entry.get("full_fidelity_only") and multi_fidelity)
               and not (entry.get("seasonal_only") and season_length <= 1)}
    return series_space(families, {**rules, "space": entries}, equal_length=True, shared=False, rule_id="HPG-FC-SPACE")


def frequency_label(spec: DatasetSpec) -> str:
    """'MS (monthly)' or 'integer steps'."""
    if spec.frequency is None:
        return "integer steps"
    return f"{spec.frequency} ({frequency_kind(spec.frequency)[0]})"
