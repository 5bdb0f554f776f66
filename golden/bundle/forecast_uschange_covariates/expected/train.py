"""Train one forecasting configuration and score it by backtests that respect time (hpogen train
contract, docs/forecasting.md).

Each series' next HORIZON points are forecast from its history (rules/bundle/forecasting.toml).
dataset["y"] is float (n_series, length), NaN after a series' end and where a value is missing;
dataset["X"] holds the COVARIATES on the same grid and dataset["time"] the timestamps. Without
dataset["y_test"], the loss is the mean MASE of rolling-origin backtests on the history
(HPG-FC-BACKTEST: expanding window, origins one horizon apart); with it, the model fits the whole
history and its forecast of the next horizon is scored against y_test. The family comes from
`algorithm`: statsforecast's AutoETS / AutoTheta / AutoARIMA or their mean, LightGBM on scaled
lag, calendar and covariate features (a model per step or one for every step, STRATEGY), or a small torch MLP /
N-BEATS stack on windows; the budget scales boosting rounds and epochs. A phase that was 0 in every
recent whole season is forecast 0 (HPG-FC-ZEROS). Missing values are interpolated before a fit
and never scored (HPG-FC-MISSING). A search's end, dataset["deadline"],
stops a trial early: no new backtest origin, no new epoch. statsforecast, lightgbm and torch are
imported only by the families that use them.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
import warnings
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

HORIZON = 8
SEASON_LENGTH = 4
# the time grid's pandas offset alias (None for plain integer steps) and its kind (HPG-FC-SEASON)
FREQUENCY = "QS-OCT"
FREQUENCY_KIND = "quarterly"
# covariate name -> "known" (its future values are given) or "past" (observed up to the origin)
COVARIATES = {"Income": "past", "Production": "past", "Savings": "past", "Unemployment": "past"}
DEFAULTS = {
    "algorithm": "statistical",
    "stat_model": "ets",
    "stat_seasonal": True,
    "lgbm_lookback": 2,
    "lgbm_difference": True,
    "lgbm_learning_rate": 0.05,
    "lgbm_num_leaves": 16,
    "lgbm_min_data_in_leaf": 10,
    "lgbm_feature_fraction": 0.9,
    "lgbm_rounds": 300,
    "nn_architecture": "mlp",
    "nn_lookback": 2,
    "nn_width": 128,
    "nn_depth": 2,
    "nn_dropout": 0.0,
    "nn_learning_rate": 0.001,
    "nn_batch_size": 64,
    "nn_epochs": 100,
}
# family -> [fidelity kind, full value] ("none": the statistical models always fit fully)
FIDELITY = {"statistical": ["none", 1], "boosting": ["rounds", 1000], "neural": ["epochs", 200]}
BACKTEST = {"folds": 3, "min_fit": 4}
STRATEGY = "direct"
INTERVAL_LEVELS = (80, 95)
# seasons longer than this are taken out by MSTL before a statistical fit (HPG-FC-LONG-SEASON)
MAX_MODEL_SEASON = 24
# a phase of the season that was exactly 0 in each of a series' last whole seasons, at least this
# many, is forecast 0 by every family (HPG-FC-ZEROS: night for solar power, a closed day for sales)
ZERO_SEASONS = 2

TINY = 1e-8
LEVEL_FLOOR = 0.1  # a window's scale is at least this share of its series' mean absolute value
# the global models' forecasts stay within the history's range widened by this many ranges on
# each side: a guard against a tree or network extrapolating far outside anything it has seen
FORECAST_MARGIN = 1.0
MAX_WINDOWS = 200_000  # training windows of the global models (all steps' together): the most recent ones beyond this
POOLED = 0  # the key (and lightgbm_step0.txt) of the one boosting model of every step (STRATEGY "pooled")
NN_PATIENCE = 20  # epochs without a better validation loss
NN_SEEDS = 3  # networks per neural fit, their forecasts averaged (HPG-FC-NN-SEEDS)
FAMILY_PREFIX = {
    "statistical": "stat_",
    "boosting": "lgbm_",
    "neural": "nn_",
}  # the space's names per family
COMBINATION = (
    "median over families of each family's mean"  # how refit_ensemble combines its members
)
THREADED_WINDOWS = 20_000  # below this, LightGBM and torch use one thread (start-up costs more)
CALENDAR = {
    "monthly": ("month",),
    "quarterly": ("quarter",),
    "weekly": ("week",),
    "daily": ("dayofweek", "month"),
    "business_daily": ("dayofweek", "month"),
    "hourly": ("hour", "dayofweek"),
    "minutely": ("hour", "minute", "dayofweek"),
}


class Series(NamedTuple):
    """One series' history: values (NaN where missing), covariates (k, n), times (or None)."""

    values: np.ndarray
    covariates: np.ndarray
    times: np.ndarray | None


class Future(NamedTuple):
    """What is known of the points to forecast: covariates (k, h) and times (or None)."""

    covariates: np.ndarray
    times: np.ndarray | None


class Forecast(NamedTuple):
    """Point forecasts (n_series, h), intervals {level: (lower, upper)} or {}, and what the fit did."""

    mean: np.ndarray
    intervals: dict
    epochs_completed: int
    best_epoch: int
    fallbacks: int
    model: Any


def train(cfg, dataset, seed, budget=None, model_dir=None) -> dict:
    """Backtest one configuration on the history (the loss: mean MASE), or, given y_test, fit
    the whole history and score the forecast of the next horizon points."""
    seed = int(seed)
    _seed_everything(seed)
    algorithm = _hp(cfg, "algorithm", str, next(iter(FIDELITY)))
    if algorithm not in FIDELITY:
        raise ValueError(f"algorithm {algorithm!r} is not one of {sorted(FIDELITY)}")
    horizon = int(dataset.get("horizon", HORIZON))
    count = _fidelity(cfg, algorithm, budget)
    started = time.perf_counter()
    deadline = None if model_dir is not None else dataset.get("deadline")
    history = read_history(dataset)
    if dataset.get("y_test") is not None:
        truth = list(np.asarray(dataset["y_test"], dtype=np.float64))
        future = _future(dataset, len(history), horizon)
        forecast = fit_forecast(cfg, algorithm, history, future, horizon, count, seed)
        result = score(history, truth, forecast.mean)
        result.update(_fit_details(forecast, 1))
    else:
        forecast = None
        result = backtest(cfg, algorithm, history, horizon, count, seed, deadline)
    result["training_time"] = float(time.perf_counter() - started)
    result["past_deadline"] = int(_past(deadline))  # 1: origins or epochs may have been skipped
    if model_dir is not None:
        if forecast is None:  # no test given: forecast the points after the history
            forecast = fit_forecast(
                cfg,
                algorithm,
                history,
                _future(dataset, len(history), horizon),
                horizon,
                count,
                seed,
            )
        _save_model(
            Path(model_dir), cfg, algorithm, seed, budget, count, history, forecast, dataset, result
        )
    return result


def refit_budget(cfg, best_epoch: int) -> float | None:
    """The budget at which train() trains best_epoch epochs (the neural family); None for the
    families that never stop early, which are refit at the search's top budget."""
    kind, full = FIDELITY[_hp(cfg, "algorithm", str, next(iter(FIDELITY)))]
    if kind != "epochs":
        return None
    return min(1.0, max(1, int(best_epoch)) / float(full))


def ensemble_members(trials: list, top_budget=None) -> list:
    """The refit's members (HPG-FC-ENSEMBLE): per family, the configuration of lowest mean loss over
    its trials that scored every backtest origin at the search's top budget (a trial the deadline
    cut before its last origins scored the easier, recent ones only and is not comparable; one cut
    in its epochs is kept, its loss errs high), then the family's default configuration where it
    differs (default_config), as (config, budget) pairs in FIDELITY's family order. The searched
    neural member's budget gives the epochs early stopping chose (refit_budget), the others' the
    search's top budget. trials: (config dict, budget, loss, metrics) of the search's successful
    trials."""

    def level(budget) -> float:
        return math.inf if budget is None else float(budget)

    top = max((level(budget) for _, budget, _, _ in trials), default=math.inf)
    folds = max(
        (int(info.get("cv_folds", 0)) for _, budget, _, info in trials if level(budget) == top),
        default=0,
    )
    groups = {}
    for config, budget, loss, info in trials:
        if level(budget) != top or int(info.get("cv_folds", 0)) < folds or not math.isfinite(loss):
            continue
        config = {
            name: (value.item() if isinstance(value, np.generic) else value)
            for name, value in dict(config).items()
        }
        losses, epochs = groups.setdefault(json.dumps(config, sort_keys=True), (config, [], []))[1:]
        losses.append(float(loss))
        epochs.append(int(info.get("best_epoch", 0)))
    best = {}
    for config, losses, epochs in groups.values():
        family, loss = _family(config), float(np.mean(losses))
        if family not in best or loss < best[family][0]:
            best[family] = (loss, config, sorted(epochs)[len(epochs) // 2])
    members = []
    for family in FIDELITY:
        if family in best:
            _, config, epoch = best[family]
            budget = refit_budget(config, epoch)
            members.append((config, top_budget if budget is None else budget))
            if not is_default(config):
                members.append((default_config(family), top_budget))
    return members


def _family(config) -> str:
    """A configuration's family (its algorithm)."""
    return _hp(config, "algorithm", str, next(iter(FIDELITY)))


def default_config(family: str) -> dict:
    """A family's configuration at the space's defaults (its hyperparameters are those named with
    its FAMILY_PREFIX)."""
    return {
        "algorithm": family,
        **{
            name: value
            for name, value in DEFAULTS.items()
            if name.startswith(FAMILY_PREFIX[family])
        },
    }


def is_default(config) -> bool:
    """Whether a configuration is its family's default configuration."""
    family = _family(config)
    default = default_config(family)
    return all(config.get(name, value) == value for name, value in default.items())


def combine(forecasts: list, configs: list) -> np.ndarray:
    """The ensemble's forecast (HPG-FC-ENSEMBLE): the mean of each family's members (its searched
    best and its default), then the per-step median over families (two families: their mean)."""
    families = {}
    for forecast, config in zip(forecasts, configs, strict=True):
        families.setdefault(_family(config), []).append(np.asarray(forecast, dtype=np.float64))
    return np.median([np.mean(members, axis=0) for members in families.values()], axis=0)


def refit_ensemble(members: list, dataset, seed, model_dir) -> dict:
    """Refit every member on the whole history (train() into model_dir/member<k>) and combine their
    forecasts (combine: each family's mean, then the median over families); with y_test, the
    combination is scored as train() scores one refit, with its intervals' coverage. Its intervals
    are a lone statistical member's own, else conformal (conformal_intervals). Writes forecast.json
    (the combination, its intervals, each member's forecast) and ensemble.json into model_dir."""
    if not members:
        raise ValueError("no member to refit: no configuration scored every backtest origin")
    folder = Path(model_dir)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    fits, forecasts, records = [], [], []
    for k, (config, budget) in enumerate(members):
        fits.append(train(config, dataset, seed, budget, model_dir=folder / f"member{k}"))
        records.append(
            json.loads((folder / f"member{k}" / "forecast.json").read_text(encoding="utf-8"))
        )
        forecasts.append(np.asarray(records[-1]["forecast"], dtype=np.float64))
    configs = [config for config, _ in members]
    combined = combine(forecasts, configs)
    history = read_history(dataset)
    if len(members) == 1 and records[0]["intervals"]:
        method, intervals = (
            "model",
            {
                int(lv): (np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64))
                for lv, (lo, hi) in records[0]["intervals"].items()
            },
        )
    else:
        method, intervals = "conformal", conformal_intervals(members, history, combined, seed)
    scored = dataset.get("y_test") is not None
    result = {}
    if scored:
        truth = np.asarray(dataset["y_test"], dtype=np.float64)
        result = score(history, list(truth), combined)
        result.update(coverage(truth, intervals))
        result.update(
            {
                "epochs_completed": int(sum(fit["epochs_completed"] for fit in fits)),
                "best_epoch": int(np.median([fit["best_epoch"] for fit in fits])),
                "fallbacks": int(sum(fit["fallbacks"] for fit in fits)),
                "scored_series": int(fits[0]["scored_series"]),
                "training_time": float(time.perf_counter() - started),
                "past_deadline": 0,
            }
        )
    record = {
        **records[0],
        "forecast": combined.tolist(),
        "interval_method": method,
        "intervals": {str(lv): [lo.tolist(), hi.tolist()] for lv, (lo, hi) in intervals.items()},
        "members": [r["forecast"] for r in records],
    }
    (folder / "forecast.json").write_text(json.dumps(record), encoding="utf-8")
    summary = {
        "combination": COMBINATION,
        "intervals": method,
        "members": [
            {
                "folder": f"member{k}",
                "algorithm": _hp(config, "algorithm", str, ""),
                "default": is_default(config),
                "config": dict(config),
                "budget": None if budget is None else float(budget),
                "test_mase": fit["mase"] if scored else None,
            }
            for k, ((config, budget), fit) in enumerate(zip(members, fits, strict=True))
        ],
    }
    (folder / "ensemble.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return result


def conformal_intervals(members: list, history: list, combined: np.ndarray, seed) -> dict:
    """{level: (lower, upper)} around the combined forecast (n_series, horizon), conformal from the
    backtests (HPG-FC-CONFORMAL, as statsforecast's ConformalIntervals 'conformal_distribution'):
    the members are fit at every rolling origin as in the search and combined the same way;
    at each step ahead, the absolute errors e of every series at every origin, each divided by its
    series' MASE scale, give the level's central quantiles of {-e, +e}, which times a series'
    scale are added to its forecast; a series never below 0 keeps its lower bounds at 0 or above.
    {} when no origin scored a point; 0 at structural zeros."""
    n_series, horizon = combined.shape
    scales = np.array([mase_scale(fill_missing(series.values)) for series in history])
    errors = np.full((n_series, int(BACKTEST["folds"]), horizon), np.nan)
    for fold, (kept, fits, futures, truth) in enumerate(backtest_origins(history, horizon)):
        forecasts = []
        for config, budget in members:
            algorithm = _family(config)
            count = _fidelity(config, algorithm, budget)
            _seed_everything(int(seed))  # as train() seeds each fit
            forecasts.append(
                fit_forecast(config, algorithm, fits, futures, horizon, count, int(seed)).mean
            )
        errors[kept, fold] = np.abs(
            np.asarray(truth, dtype=np.float64)
            - combine(forecasts, [config for config, _ in members])
        )
    scaled = (errors / scales[:, None, None]).reshape(-1, horizon)
    if not np.isfinite(scaled).any(axis=0).all():
        return {}
    masks = _zero_masks(history, horizon)
    nonnegative = np.array(
        [
            bool(np.nanmin(series.values) >= 0.0) if np.isfinite(series.values).any() else False
            for series in history
        ]
    )
    intervals = {}
    for level in INTERVAL_LEVELS:
        cuts = [(100 - level) / 200, 1 - (100 - level) / 200]
        low, high = np.array(
            [
                np.quantile(np.concatenate([-e, e]), cuts)
                for e in (scaled[:, step][np.isfinite(scaled[:, step])] for step in range(horizon))
            ]
        ).T
        lower, upper = combined + scales[:, None] * low, combined + scales[:, None] * high
        lower = np.where(nonnegative[:, None], np.maximum(lower, 0.0), lower)
        intervals[level] = (np.where(masks, 0.0, lower), np.where(masks, 0.0, upper))
    return intervals


def coverage(truth: np.ndarray, intervals: dict) -> dict:
    """The share of observed truth points inside each level's interval (coverage_<level>)."""
    observed = np.isfinite(truth)
    if not observed.any():
        return {}
    return {
        f"coverage_{level}": float(np.mean(((truth >= lower) & (truth <= upper))[observed]))
        for level, (lower, upper) in intervals.items()
    }


def predict(model_dir, dataset) -> np.ndarray:
    """Forecasts (n_series, horizon) of the points after each series of dataset (read as train()
    reads it; X_test / time_test give known covariates and times there) from a model train()
    saved in model_dir, at its horizon: the statistical models fit the given histories again
    (they are local models); LightGBM's and the network's saved weights are loaded."""
    folder = Path(model_dir)
    if (folder / "ensemble.json").exists():  # the members' forecasts combined (HPG-FC-ENSEMBLE)
        members = json.loads((folder / "ensemble.json").read_text(encoding="utf-8"))["members"]
        return combine(
            [predict(folder / member["folder"], dataset) for member in members],
            [member["config"] for member in members],
        )
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    horizon, algorithm = int(metadata["horizon"]), metadata["algorithm"]
    history = read_history(dataset)
    return np.where(
        _zero_masks(history, horizon),
        0.0,
        _predict_family(folder, cfg, algorithm, history, dataset, horizon),
    )


def _predict_family(
    folder: Path, cfg, algorithm: str, history: list, dataset, horizon: int
) -> np.ndarray:
    if algorithm == "statistical":
        return _forecast_statistical(
            cfg, history, _future(dataset, len(history), horizon), horizon
        ).mean
    filled = [Series(fill_missing(s.values), np.nan_to_num(s.covariates), s.times) for s in history]
    if algorithm == "boosting":
        import lightgbm as lgb

        models = {
            int(path.stem.removeprefix("lightgbm_step")): lgb.Booster(model_file=str(path))
            for path in folder.glob("lightgbm_step*.txt")
        }
        lookback = _lookback(cfg, "lgbm_lookback", horizon)
        futures = _future(dataset, len(history), horizon)
        return np.array(
            [
                _boosting_path(cfg, models, s, f, horizon, lookback)
                for s, f in zip(filled, futures, strict=True)
            ]
        )
    import torch

    lookback = _lookback(cfg, "nn_lookback", horizon)
    forecasts = []
    for path in sorted(folder.glob("model_seed*.pt")):
        network = _network(cfg, lookback, horizon)
        network.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        forecasts.append(_neural_forecast(network, [s.values for s in filled], horizon, lookback))
    if not forecasts:
        raise FileNotFoundError(f"{folder} holds no model_seed*.pt network")
    return np.mean(forecasts, axis=0)


def backtest(
    cfg, algorithm: str, history: list, horizon: int, count: int, seed: int, deadline=None
) -> dict:
    """Rolling origins, newest first, one horizon apart: every series that keeps BACKTEST's
    min_fit points before an origin is fit up to it and scored on the next horizon points. Every
    origin's MASE divides by the same scale, the series' whole history's (HPG-FC-METRIC), so the
    origins weigh alike and the loss is in the test's units."""
    scales = [mase_scale(fill_missing(series.values)) for series in history]
    results = []
    for kept, fits, futures, truth in backtest_origins(history, horizon):
        if results and _past(deadline):
            break
        forecast = fit_forecast(cfg, algorithm, fits, futures, horizon, count, seed, deadline)
        metrics = score(fits, truth, forecast.mean, [scales[i] for i in kept])
        metrics.update(_fit_details(forecast, len(kept)))
        results.append(metrics)
    if not results:
        raise ValueError(
            f"no series keeps {BACKTEST['min_fit']} points before a backtest origin {horizon} points from its end"
        )
    mean = {key: float(np.mean([r[key] for r in results])) for key in results[0]}
    mean["epochs_completed"] = int(sum(r["epochs_completed"] for r in results))
    mean["best_epoch"] = int(np.median([r["best_epoch"] for r in results]))
    mean["fallbacks"] = int(sum(r["fallbacks"] for r in results))
    mean["loss_std"] = float(np.std([r["loss"] for r in results]))
    mean["cv_folds"] = len(results)
    return mean


def backtest_origins(history: list, horizon: int):
    """The rolling origins, newest first, one horizon apart (HPG-FC-BACKTEST): for each, the
    series kept (min_fit points before it), their histories up to it, what is known of the next
    horizon points, and those points' truth."""
    for fold in range(1, int(BACKTEST["folds"]) + 1):
        cut = fold * horizon
        kept = [
            i
            for i, series in enumerate(history)
            if len(series.values) - cut >= int(BACKTEST["min_fit"])
        ]
        if not kept:
            return
        yield (
            kept,
            [_head(history[i], len(history[i].values) - cut) for i in kept],
            [_window_future(history[i], len(history[i].values) - cut, horizon) for i in kept],
            [history[i].values[len(history[i].values) - cut :][:horizon] for i in kept],
        )


def fit_forecast(
    cfg,
    algorithm: str,
    history: list,
    futures: list,
    horizon: int,
    count: int,
    seed: int,
    deadline=None,
) -> Forecast:
    """The family's forecasts of the next horizon points of every series, 0 at structural zeros."""
    if algorithm == "statistical":
        forecast = _forecast_statistical(cfg, history, futures, horizon)
    elif algorithm == "boosting":
        forecast = _forecast_boosting(cfg, history, futures, horizon, count, seed)
    elif algorithm == "neural":
        forecast = _forecast_neural(cfg, history, horizon, count, seed, deadline)
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    masks = _zero_masks(history, horizon)
    if not masks.any():
        return forecast
    intervals = {
        lv: (np.where(masks, 0.0, lo), np.where(masks, 0.0, hi))
        for lv, (lo, hi) in forecast.intervals.items()
    }
    return forecast._replace(mean=np.where(masks, 0.0, forecast.mean), intervals=intervals)


def zero_phases(values: np.ndarray, horizon: int) -> np.ndarray:
    """Which of the next horizon steps fall on a phase of the season that was exactly 0 wherever
    observed in each of the series' whole seasons counted back from its end, with at least
    ZERO_SEASONS of them observed there (HPG-FC-ZEROS); none without a season."""
    whole = len(values) // SEASON_LENGTH if SEASON_LENGTH > 1 else 0
    if whole < ZERO_SEASONS:
        return np.zeros(horizon, dtype=bool)
    tail = np.asarray(values[len(values) - whole * SEASON_LENGTH :], dtype=np.float64).reshape(
        whole, SEASON_LENGTH
    )
    observed = np.isfinite(tail)
    zero = (observed.sum(axis=0) >= ZERO_SEASONS) & np.all(
        np.where(observed, tail == 0.0, True), axis=0
    )
    return zero[np.arange(horizon) % SEASON_LENGTH]


def _zero_masks(history: list, horizon: int) -> np.ndarray:
    """(n_series, horizon): True where a series' forecast is held at 0."""
    return np.array(
        [zero_phases(series.values, horizon) for series in history], dtype=bool
    ).reshape(len(history), horizon)


# ----------------------------------------------------------------------------- metrics


def score(history: list, truth: list, forecasts: np.ndarray, scales: list | None = None) -> dict:
    """MASE (the loss), sMAPE and RMSE of the forecasts, and of the seasonal naive forecast beside
    them (HPG-FC-METRIC); missing truth is never scored, series without any truth are left out.
    MASE divides by each series' in-sample seasonal naive error over `history`, or by `scales`."""
    rows = {"mase": [], "smape": [], "snaive_mase": [], "snaive_smape": []}
    squared, naive_squared = [], []
    for i, (series, actual, forecast) in enumerate(zip(history, truth, forecasts, strict=True)):
        actual = np.asarray(actual, dtype=np.float64)
        observed = np.isfinite(actual)
        if not observed.any():
            continue
        filled = fill_missing(series.values)
        scale = mase_scale(filled) if scales is None else float(scales[i])
        naive = seasonal_naive(filled, len(actual))
        for name, values, sink in (
            ("", forecast[: len(actual)], squared),
            ("snaive_", naive, naive_squared),
        ):
            error = actual[observed] - values[observed]
            rows[f"{name}mase"].append(float(np.mean(np.abs(error)) / scale))
            rows[f"{name}smape"].append(smape(actual[observed], values[observed]))
            sink.append(error**2)
    if not rows["mase"]:
        raise ValueError("no observed value to score in the forecast horizon")
    result = {key: float(np.mean(values)) for key, values in rows.items()}
    result["rmse"] = float(np.sqrt(np.mean(np.concatenate(squared))))
    result["snaive_rmse"] = float(np.sqrt(np.mean(np.concatenate(naive_squared))))
    result["loss"] = result["mase"] if math.isfinite(result["mase"]) else float("inf")
    return {"loss": result.pop("loss"), **result}


def mase_scale(values: np.ndarray) -> float:
    """Mean absolute error of the in-sample seasonal naive forecast (lag 1 without a full season,
    or where the seasonal one is exact); a floor keeps a flat history from dividing by zero."""
    for lag in (SEASON_LENGTH, 1):
        if 0 < lag < len(values):
            scale = float(np.mean(np.abs(values[lag:] - values[:-lag])))
            if scale > TINY:
                return scale
    return max(TINY, TINY * float(np.mean(np.abs(values))))


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """M4's symmetric MAPE in percent (0-200); a point where both are 0 counts as 0."""
    denominator = np.abs(actual) + np.abs(forecast)
    share = np.divide(
        2.0 * np.abs(actual - forecast),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(100.0 * np.mean(share))


def seasonal_naive(values: np.ndarray, horizon: int) -> np.ndarray:
    """The last season repeated (the last value without a full season)."""
    lag = SEASON_LENGTH if len(values) >= SEASON_LENGTH > 1 else 1
    return (
        np.resize(values[-lag:], horizon).astype(np.float64)
        if lag > 1
        else np.full(horizon, values[-1], dtype=np.float64)
    )


# ----------------------------------------------------------------------------- data


def read_history(dataset) -> list:
    """dataset's series as Series, each cut at its last observed point (dataset["lengths"]
    when given); the caller's arrays are never written to."""
    y = np.asarray(dataset["y"], dtype=np.float64)
    if y.ndim == 1:
        y = y[None, :]
    X = dataset.get("X")
    X = np.zeros((len(y), 0, y.shape[1])) if X is None else np.asarray(X, dtype=np.float64)
    if X.ndim == 2:
        X = X[:, None, :]
    if X.shape[1] != len(COVARIATES):
        raise ValueError(
            f"X has {X.shape[1]} covariates, but this bundle was made for {len(COVARIATES)}: {list(COVARIATES)}"
        )
    times = dataset.get("time")
    lengths = dataset.get("lengths")
    history = []
    for i, row in enumerate(y):
        n = int(lengths[i]) if lengths is not None else _observed_length(row)
        if n < 2 or not np.isfinite(row[:n]).any():
            raise ValueError(f"series {i} has fewer than 2 points")
        when = None if times is None else np.asarray(times[i])[:n]
        history.append(Series(row[:n].copy(), X[i, :, :n].copy(), when))
    return history


def fill_missing(values: np.ndarray) -> np.ndarray:
    """Linear interpolation inside, the nearest observed value at the edges (HPG-FC-MISSING)."""
    values = np.asarray(values, dtype=np.float64)
    observed = np.isfinite(values)
    if observed.all():
        return values.copy()
    if not observed.any():
        return np.zeros_like(values)
    points = np.arange(len(values))
    return np.interp(points, points[observed], values[observed])


def _observed_length(row: np.ndarray) -> int:
    finite = np.flatnonzero(np.isfinite(row))
    return int(finite[-1]) + 1 if len(finite) else 0


def _head(series: Series, n: int) -> Series:
    return Series(
        series.values[:n],
        series.covariates[:, :n],
        None if series.times is None else series.times[:n],
    )


def _window_future(series: Series, origin: int, horizon: int) -> Future:
    """Inside the history, the known covariates and times of the points after an origin."""
    covariates = series.covariates[:, origin : origin + horizon]
    times = None if series.times is None else series.times[origin : origin + horizon]
    return Future(_known_only(covariates), times)


def _future(dataset, n_series: int, horizon: int) -> list:
    """The known covariates and times over the test horizon (X_test, time_test); past-only
    covariates are never read there."""
    X = dataset.get("X_test")
    times = dataset.get("time_test")
    futures = []
    for i in range(n_series):
        covariates = np.full((len(COVARIATES), horizon), np.nan)
        if X is not None and len(COVARIATES):
            given = np.asarray(X[i], dtype=np.float64).reshape(len(COVARIATES), -1)[:, :horizon]
            covariates[:, : given.shape[1]] = given
        futures.append(
            Future(
                _known_only(covariates), None if times is None else np.asarray(times[i])[:horizon]
            )
        )
    return futures


def _known_only(covariates: np.ndarray) -> np.ndarray:
    known = np.array([kind == "known" for kind in COVARIATES.values()], dtype=bool)
    return np.where(known[:, None], covariates, np.nan) if len(known) else covariates


# ----------------------------------------------------------------------------- statistical


def _forecast_statistical(cfg, history: list, futures: list, horizon: int) -> Forecast:
    """statsforecast's AutoETS, AutoTheta, AutoARIMA or the mean of the three, per series, with
    80% and 95% intervals; AutoARIMA regresses on the known covariates (HPG-FC-REGRESSORS). A
    series whose fit fails gets the seasonal naive forecast (counted)."""
    choice = _hp(cfg, "stat_model", str, "ets")
    seasonal = SEASON_LENGTH > 1 and _hp(cfg, "stat_seasonal", _as_bool, True)
    means, lows, highs = [], {lv: [] for lv in INTERVAL_LEVELS}, {lv: [] for lv in INTERVAL_LEVELS}
    fallbacks = 0
    for series, future in zip(history, futures, strict=True):
        values = fill_missing(series.values)
        season = SEASON_LENGTH if seasonal and len(values) >= 2 * SEASON_LENGTH else 1
        regressors = _regressors(series, future, len(values))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outputs = [
                    _model_forecast(model, values, horizon, regressors)
                    for model in _statistical_models(choice, season)
                ]
            mean = np.mean([o["mean"] for o in outputs], axis=0)
            bands = {
                lv: (
                    np.mean([o[f"lo-{lv}"] for o in outputs], axis=0),
                    np.mean([o[f"hi-{lv}"] for o in outputs], axis=0),
                )
                for lv in INTERVAL_LEVELS
            }
            if not np.all(np.isfinite(mean)):
                raise FloatingPointError("a non-finite forecast")
        except (
            ValueError,
            ArithmeticError,
            NotImplementedError,
        ):  # statsforecast refuses tiny or degenerate series: fall back, counted
            fallbacks += 1
            mean = seasonal_naive(values, horizon)
            bands = {lv: (mean, mean) for lv in INTERVAL_LEVELS}
        means.append(np.asarray(mean, dtype=np.float64))
        for lv in INTERVAL_LEVELS:
            lows[lv].append(np.asarray(bands[lv][0], dtype=np.float64))
            highs[lv].append(np.asarray(bands[lv][1], dtype=np.float64))
    intervals = {lv: (np.array(lows[lv]), np.array(highs[lv])) for lv in INTERVAL_LEVELS}
    return Forecast(np.array(means), intervals, 0, 0, fallbacks, None)


def _regressors(series: Series, future: Future, length: int) -> tuple | None:
    """(X, X_future) for AutoARIMA: the known covariates that vary over the history (gaps
    interpolated) and are given at every forecast time; None without any."""
    known = [k for k, kind in enumerate(COVARIATES.values()) if kind == "known"]
    past = [
        fill_missing(np.asarray(series.covariates[k, :length], dtype=np.float64)) for k in known
    ]
    ahead = [np.asarray(future.covariates[k], dtype=np.float64) for k in known]
    keep = [
        j
        for j in range(len(known))
        if len(past[j]) == length
        and np.all(np.isfinite(past[j]))
        and np.all(np.isfinite(ahead[j]))
        and np.ptp(past[j]) > TINY
    ]
    if not keep:
        return None
    return np.stack([past[j] for j in keep], axis=1), np.stack([ahead[j] for j in keep], axis=1)


def _model_forecast(model, values: np.ndarray, horizon: int, regressors: tuple | None) -> dict:
    """model.forecast with its intervals; AutoARIMA with the regressors (a regression with ARIMA
    errors), or without them where that fit fails or forecasts a non-finite value."""
    from statsforecast.models import AutoARIMA

    if regressors is not None and isinstance(model, AutoARIMA):
        try:
            output = model.forecast(
                y=values,
                h=horizon,
                X=regressors[0],
                X_future=regressors[1],
                level=list(INTERVAL_LEVELS),
            )
            if np.all(np.isfinite(output["mean"])):
                return output
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            pass
    return model.forecast(y=values, h=horizon, level=list(INTERVAL_LEVELS))


def _statistical_models(choice: str, season: int) -> list:
    """statsforecast models for a choice; above MAX_MODEL_SEASON each non-seasonal model forecasts
    the MSTL-adjusted series (Bandara et al. 2021) and the season is added back."""
    from statsforecast.models import MSTL, AutoARIMA, AutoETS, AutoTheta, SeasonalNaive

    if choice == "seasonal_naive":
        return [SeasonalNaive(season_length=season)]
    names = ("ets", "theta", "arima") if choice == "combination" else (choice,)
    if season <= MAX_MODEL_SEASON:
        return [
            {"ets": AutoETS, "theta": AutoTheta, "arima": AutoARIMA}[name](season_length=season)
            for name in names
        ]
    trend = {
        "ets": lambda: AutoETS(model="ZZN"),
        "theta": lambda: AutoTheta(season_length=1),
        "arima": lambda: AutoARIMA(seasonal=False),
    }
    return [MSTL(season_length=season, trend_forecaster=trend[name]()) for name in names]


# ----------------------------------------------------------------------------- windows


def _lookback(cfg, name: str, horizon: int) -> int:
    """Input points of the global models: lookback x max(horizon, season length)."""
    return max(2, _hp(cfg, name, int, 2) * max(horizon, SEASON_LENGTH))


def _level(window: np.ndarray, floor: float) -> float:
    """A window's scale: the mean absolute value of its last season (its last point without
    one), at least `floor` (a share of the series' own scale), so that windows near zero (a
    night of solar power) do not blow their targets up."""
    recent = window[-max(1, min(SEASON_LENGTH, len(window))) :]
    recent = recent[np.isfinite(recent)]
    level = max(float(np.mean(np.abs(recent))) if len(recent) else 0.0, floor)
    return level if level > TINY else 1.0


def _floor(values: np.ndarray) -> float:
    """LEVEL_FLOOR of a series' mean absolute value over the history a fit sees."""
    observed = values[np.isfinite(values)]
    return LEVEL_FLOOR * float(np.mean(np.abs(observed))) if len(observed) else 0.0


def _padded(values: np.ndarray, end: int, lookback: int, fill) -> np.ndarray:
    """values[end - lookback:end], padded in front with `fill` (NaN or the first value)."""
    window = values[max(0, end - lookback) : end]
    if len(window) < lookback:
        pad = np.full(lookback - len(window), window[0] if fill == "first" else np.nan)
        window = np.concatenate([pad, window])
    return window


def _window_ends(lengths: list, steps: int, limit: int = MAX_WINDOWS) -> list:
    """(series, end) pairs whose next `steps` points are in the history: the most recent first,
    at most `limit` of them."""
    sizes = np.asarray(lengths, dtype=np.int64)
    pairs = []
    for ago in range(
        steps, int(sizes.max(initial=0)) - 1
    ):  # ends `ago` points before the series' end
        pairs.extend((int(i), int(sizes[i] - ago)) for i in np.flatnonzero(sizes - ago > 1))
        if len(pairs) >= limit:
            break
    return pairs[:limit]


# ----------------------------------------------------------------------------- boosting


def _calendar(times) -> np.ndarray:
    """Calendar features of the given times for FREQUENCY's kind; none without times."""
    names = CALENDAR.get(FREQUENCY_KIND, ())
    if times is None or not names:
        return np.zeros((0,))
    stamps = np.asarray(times).astype("datetime64[ns]")
    parts = {
        "month": lambda t: t.astype("datetime64[M]").astype(np.int64) % 12,
        "quarter": lambda t: (t.astype("datetime64[M]").astype(np.int64) % 12) // 3,
        "week": lambda t: t.astype("datetime64[W]").astype(np.int64) % 52,
        "dayofweek": lambda t: (t.astype("datetime64[D]").astype(np.int64) + 3) % 7,
        "hour": lambda t: t.astype("datetime64[h]").astype(np.int64) % 24,
        "minute": lambda t: t.astype("datetime64[m]").astype(np.int64) % 60,
    }
    return np.stack([parts[name](stamps).astype(np.float64) for name in names], axis=-1)


def _boosting_row(
    cfg,
    series: Series,
    end: int,
    step: int,
    lookback: int,
    target_covariates: np.ndarray,
    target_time,
    floor: float,
) -> tuple:
    """(features, level, anchor) of the window ending at `end` for the point `step` after it:
    scaled lags, the step, calendar features of the target time, past covariates' last values
    and known covariates at the target time."""
    window = _padded(series.values, end, lookback, "nan")
    level = _level(window, floor)
    scaled = window / level
    anchor = (
        scaled[-1]
        if _hp(cfg, "lgbm_difference", _as_bool, False) and np.isfinite(scaled[-1])
        else 0.0
    )
    past = (
        series.covariates[:, end - 1]
        if series.covariates.shape[1] >= end and end > 0
        else np.zeros(0)
    )
    calendar = _calendar(None if target_time is None else np.asarray([target_time]))
    parts = [scaled - anchor, [float(step)], calendar.ravel(), past, target_covariates]
    return np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in parts]), level, anchor


def _boosting_data(cfg, history: list, step: int, lookback: int, limit: int = MAX_WINDOWS) -> tuple:
    """Training rows of the point `step` after each of the `limit` most recent windows."""
    rows, targets = [], []
    floors = [_floor(s.values) for s in history]
    for i, end in _window_ends([len(s.values) for s in history], step, limit):
        series = history[i]
        target = series.values[end + step - 1]
        if not np.isfinite(target):
            continue
        when = None if series.times is None else series.times[end + step - 1]
        known = (
            _known_only(series.covariates[:, end + step - 1 : end + step])[:, 0]
            if len(COVARIATES)
            else np.zeros(0)
        )
        features, level, anchor = _boosting_row(
            cfg, series, end, step, lookback, known, when, floors[i]
        )
        rows.append(features)
        targets.append(target / level - anchor)
    return np.array(rows), np.array(targets)


def _pooled_data(cfg, history: list, horizon: int, lookback: int) -> tuple:
    """The pooled model's rows: every step's, from the MAX_WINDOWS // horizon most recent windows."""
    parts = [
        _boosting_data(cfg, history, step, lookback, max(1, MAX_WINDOWS // horizon))
        for step in range(1, horizon + 1)
    ]
    parts = [(X, y) for X, y in parts if len(y)]
    if not parts:
        return np.zeros((0, 0)), np.zeros(0)
    return np.concatenate([X for X, _ in parts]), np.concatenate([y for _, y in parts])


def _forecast_boosting(
    cfg, history: list, futures: list, horizon: int, rounds: int, seed: int
) -> Forecast:
    """LightGBM on scaled windows of every series (a global model), every step forecast from the
    origin's window: one model per step ahead ("direct"), or one model for every step, trained on
    the rows of all of them with the step among its features ("pooled"; STRATEGY, HPG-FC-STRATEGY)."""
    import lightgbm as lgb

    lookback = _lookback(cfg, "lgbm_lookback", horizon)
    params = {
        "objective": "l2",
        "learning_rate": _hp(cfg, "lgbm_learning_rate", float, 0.05),
        "num_leaves": _hp(cfg, "lgbm_num_leaves", int, 16),
        "min_data_in_leaf": _hp(cfg, "lgbm_min_data_in_leaf", int, 10),
        "feature_fraction": _hp(cfg, "lgbm_feature_fraction", float, 0.9),
        "seed": seed,
        "verbosity": -1,
        "deterministic": True,
        "force_row_wise": True,
    }
    filled = [Series(fill_missing(s.values), np.nan_to_num(s.covariates), s.times) for s in history]
    if STRATEGY == "direct":
        batches = (
            (step, _boosting_data(cfg, filled, step, lookback)) for step in range(1, horizon + 1)
        )
    else:
        batches = [(POOLED, _pooled_data(cfg, filled, horizon, lookback))]
    models = {}
    for step, (X, y) in batches:
        if len(y) < 2:
            raise ValueError(
                f"too few windows ({len(y)}) to fit the boosting model of "
                + ("every step" if step == POOLED else f"step {step}")
            )
        params["num_threads"] = 1 if len(y) < THREADED_WINDOWS else 0
        params["min_data_in_leaf"] = min(params["min_data_in_leaf"], max(1, len(y) // 2))
        models[step] = lgb.train(
            params, lgb.Dataset(X, y, params={"verbose": -1}), num_boost_round=int(rounds)
        )
    forecasts = np.array(
        [
            _boosting_path(cfg, models, s, f, horizon, lookback)
            for s, f in zip(filled, futures, strict=True)
        ]
    )
    return Forecast(forecasts, {}, int(rounds), int(rounds), 0, models)


def _boosting_path(
    cfg, models: dict, series: Series, future: Future, horizon: int, lookback: int
) -> np.ndarray:
    """One series' forecast: each step's model (or the pooled one) on the last window."""
    values = series.values
    floor = _floor(values)
    rows, levels, anchors = [], [], []
    for step in range(1, horizon + 1):
        when = None if future.times is None else future.times[step - 1]
        features, level, anchor = _boosting_row(
            cfg, series, len(values), step, lookback, future.covariates[:, step - 1], when, floor
        )
        rows.append(features)
        levels.append(level)
        anchors.append(anchor)
    if POOLED in models:
        predicted = models[POOLED].predict(np.array(rows))
    else:
        predicted = np.array(
            [models[step].predict(row[None, :])[0] for step, row in enumerate(rows, start=1)]
        )
    return _bounded(
        (np.asarray(predicted, dtype=np.float64) + np.array(anchors)) * np.array(levels), values
    )


def _bounded(forecast, history: np.ndarray):
    """The forecast within the history's range widened by FORECAST_MARGIN ranges on each side."""
    observed = history[np.isfinite(history)]
    low, high = float(observed.min()), float(observed.max())
    span = max(high - low, TINY)
    return np.clip(forecast, low - FORECAST_MARGIN * span, high + FORECAST_MARGIN * span)


# ----------------------------------------------------------------------------- neural


def _forecast_neural(
    cfg, history: list, horizon: int, epochs: int, seed: int, deadline=None
) -> Forecast:
    """The mean forecast of NN_SEEDS networks trained from seeds seed, seed + 1, ... (a seed
    ensemble, after Oreshkin et al. 2020, who average many N-BEATS fits): one network's forecast
    and backtest swing with its seed, and a search that judges one seed keeps the lucky ones.
    Past the deadline no further network starts (the first always trains)."""
    lookback = _lookback(cfg, "nn_lookback", horizon)
    filled = [fill_missing(s.values) for s in history]
    windows = _neural_windows(filled, horizon, lookback)
    networks, forecasts, trained, best_epochs = [], [], 0, []
    for member in range(NN_SEEDS):
        if networks and _past(deadline):
            break
        network, completed, best_epoch = _train_network(
            cfg, windows, lookback, horizon, epochs, seed + member, deadline
        )
        networks.append(network)
        forecasts.append(_neural_forecast(network, filled, horizon, lookback))
        trained += completed
        best_epochs.append(best_epoch)
    return Forecast(
        np.mean(forecasts, axis=0), {}, trained, int(np.median(best_epochs)), 0, networks
    )


def _train_network(
    cfg, windows: tuple, lookback: int, horizon: int, epochs: int, seed: int, deadline=None
) -> tuple:
    """One global MLP or N-BEATS-style stack (Oreshkin et al. 2020) mapping a scaled window to
    the next horizon points, trained with L1 loss and Adam; each series' last window validates.
    Returns the network at its best epoch, the epochs trained and that best epoch."""
    import torch

    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    inputs, targets, last = windows
    val_rows = (
        np.array(last[: max(1, len(last))])
        if len(inputs) > len(last)
        else np.zeros(0, dtype=np.int64)
    )
    fit_rows = (
        np.setdiff1d(np.arange(len(inputs)), val_rows) if len(val_rows) else np.arange(len(inputs))
    )
    torch.set_num_threads(1 if len(inputs) < THREADED_WINDOWS else max(1, os.cpu_count() or 1))
    network = _network(cfg, lookback, horizon).to(device)
    optimizer = torch.optim.Adam(network.parameters(), lr=_hp(cfg, "nn_learning_rate", float, 1e-3))
    X, Y = (
        torch.from_numpy(inputs.astype(np.float32)).to(device),
        torch.from_numpy(targets.astype(np.float32)).to(device),
    )
    batch = max(1, min(_hp(cfg, "nn_batch_size", int, 64), len(fit_rows)))
    generator = torch.Generator().manual_seed(seed)
    best, best_epoch, stale, trained = math.inf, 0, 0, 0
    state = {k: v.clone() for k, v in network.state_dict().items()}
    for epoch in range(1, int(epochs) + 1):
        if trained and _past(deadline):
            break
        network.train()
        order = torch.from_numpy(fit_rows)[torch.randperm(len(fit_rows), generator=generator)].to(
            device
        )
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            optimizer.zero_grad()
            loss = torch.nn.functional.l1_loss(network(X[rows]), Y[rows])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
        trained = epoch
        watched = torch.from_numpy(val_rows if len(val_rows) else fit_rows).to(device)
        network.eval()
        with torch.no_grad():
            value = float(torch.nn.functional.l1_loss(network(X[watched]), Y[watched]))
        if value < best - 1e-7:
            best, best_epoch, stale = value, epoch, 0
            state = {k: v.clone() for k, v in network.state_dict().items()}
        else:
            stale += 1
            if stale >= NN_PATIENCE:
                break
    network.load_state_dict(state)
    return network, trained, best_epoch


def _neural_windows(filled: list, horizon: int, lookback: int) -> tuple:
    """Scaled (input, target) windows of every series, and the row of each series' last window."""
    inputs, targets, last = [], [], []
    floors = [_floor(values) for values in filled]
    for i, end in _window_ends([len(v) for v in filled], horizon):
        values = filled[i]
        window = _padded(values, end, lookback, "first")
        level = _level(window, floors[i])
        if end == len(values) - horizon:
            last.append(len(inputs))
        inputs.append(window / level - window[-1] / level)
        targets.append(values[end : end + horizon] / level - window[-1] / level)
    if not inputs:
        raise ValueError("no series is longer than the horizon: no training window")
    return np.array(inputs), np.array(targets), last


def _neural_forecast(network, filled: list, horizon: int, lookback: int) -> np.ndarray:
    import torch

    windows = [_padded(values, len(values), lookback, "first") for values in filled]
    levels = np.array(
        [_level(w, _floor(values)) for w, values in zip(windows, filled, strict=True)]
    )
    anchors = np.array([w[-1] for w in windows]) / levels
    inputs = np.array([w / lv for w, lv in zip(windows, levels, strict=True)]) - anchors[:, None]
    network.eval()
    device = next(network.parameters()).device
    with torch.no_grad():
        outputs = (
            network(torch.from_numpy(inputs.astype(np.float32)).to(device))
            .cpu()
            .numpy()
            .astype(np.float64)
        )
    return np.array(
        [
            _bounded(row, values)
            for row, values in zip(
                (outputs + anchors[:, None]) * levels[:, None], filled, strict=True
            )
        ]
    )


def _network(cfg, lookback: int, horizon: int):
    """The MLP (hidden layers of nn_width) or N-BEATS' generic stack (nn_depth blocks of two
    layers, each with a backcast it removes from the input and a forecast it adds)."""
    import torch
    from torch import nn

    width, depth = _hp(cfg, "nn_width", int, 128), _hp(cfg, "nn_depth", int, 2)
    dropout = _hp(cfg, "nn_dropout", float, 0.0)

    def stack(size_in: int) -> list:
        layers, size = [], size_in
        for _ in range(max(1, depth) if architecture == "mlp" else 2):
            layers += [nn.Linear(size, width), nn.ReLU(), nn.Dropout(dropout)]
            size = width
        return layers

    architecture = _hp(cfg, "nn_architecture", str, "mlp")
    if architecture == "mlp":
        return nn.Sequential(*stack(lookback), nn.Linear(width, horizon))

    class NBeats(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.blocks = nn.ModuleList(
                nn.Sequential(*stack(lookback)) for _ in range(max(1, depth))
            )
            self.backcasts = nn.ModuleList(nn.Linear(width, lookback) for _ in range(max(1, depth)))
            self.forecasts = nn.ModuleList(nn.Linear(width, horizon) for _ in range(max(1, depth)))

        def forward(self, x):
            forecast = torch.zeros(x.shape[0], horizon, dtype=x.dtype, device=x.device)
            for block, back, fore in zip(self.blocks, self.backcasts, self.forecasts, strict=True):
                hidden = block(x)
                x = x - back(hidden)
                forecast = forecast + fore(hidden)
            return forecast

    return NBeats()


# ----------------------------------------------------------------------------- settings


def _seed_everything(seed: int) -> None:
    """torch is seeded by the neural family itself, so the others never import it."""
    random.seed(seed)
    np.random.seed(seed % 2**32)


def _hp(cfg, name: str, cast, fallback):
    """The configuration's value as a native type; `fallback` when the space lacks `name`."""
    if name not in DEFAULTS:
        return fallback
    value = cfg.get(name, DEFAULTS[name])
    return cast(value.item() if isinstance(value, np.generic) else value)


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _past(deadline) -> bool:
    """Whether the search's end (seconds since the epoch, None for none) has come."""
    return deadline is not None and time.time() >= float(deadline)


def _fidelity(cfg, algorithm: str, budget) -> int:
    """Boosting rounds or epochs: max(1, round(budget * full)) with a budget, else the space's
    lgbm_rounds / nn_epochs when it has them, else the full value; 1 for the statistical models."""
    kind, full = FIDELITY[algorithm]
    if kind == "none":
        return 1
    if budget is not None:
        return max(1, round(min(max(float(budget), 0.0), 1.0) * float(full)))
    name = {"rounds": "lgbm_rounds", "epochs": "nn_epochs"}[kind]
    return _hp(cfg, name, int, int(full))


def _fit_details(forecast: Forecast, n_series: int) -> dict:
    return {
        "epochs_completed": int(forecast.epochs_completed),
        "best_epoch": int(forecast.best_epoch),
        "fallbacks": int(forecast.fallbacks),
        "scored_series": int(n_series),
    }


# ----------------------------------------------------------------------------- saving


def _save_model(
    model_dir: Path,
    cfg,
    algorithm: str,
    seed: int,
    budget,
    count: int,
    history: list,
    forecast: Forecast,
    dataset,
    result: dict,
) -> None:
    """config.json, metadata.json and forecast.json (the forecasts, their intervals, the test
    truth when given); LightGBM's text models or the network's state_dict, never pickle."""
    model_dir.mkdir(parents=True, exist_ok=True)
    config = {
        name: (value.item() if isinstance(value, np.generic) else value)
        for name, value in dict(cfg).items()
    }
    (model_dir / "config.json").write_text(
        json.dumps(config, indent=2, sort_keys=True), encoding="utf-8"
    )
    metadata = {
        "algorithm": algorithm,
        "seed": seed,
        "budget": None if budget is None else float(budget),
        "fidelity": [FIDELITY[algorithm][0], int(count)],
        "horizon": int(forecast.mean.shape[1]),
        "season_length": SEASON_LENGTH,
        "frequency": FREQUENCY,
        "strategy": STRATEGY,
        "covariates": COVARIATES,
        "n_series": len(history),
        "metrics": result,
    }
    (model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    record = {
        "ids": [str(i) for i in dataset.get("ids", range(len(history)))],
        "forecast": forecast.mean.tolist(),
        "intervals": {
            str(lv): [lo.tolist(), hi.tolist()] for lv, (lo, hi) in forecast.intervals.items()
        },
    }
    if dataset.get("y_test") is not None:
        record["truth"] = [
            [None if not math.isfinite(v) else float(v) for v in row]
            for row in np.asarray(dataset["y_test"], dtype=np.float64)
        ]
    (model_dir / "forecast.json").write_text(json.dumps(record), encoding="utf-8")
    if algorithm == "boosting":
        for step, booster in forecast.model.items():
            booster.save_model(str(model_dir / f"lightgbm_step{step}.txt"))
    elif algorithm == "neural":
        import torch

        for member, network in enumerate(forecast.model):
            torch.save(
                {name: tensor.cpu() for name, tensor in network.state_dict().items()},
                model_dir / f"model_seed{member}.pt",
            )
