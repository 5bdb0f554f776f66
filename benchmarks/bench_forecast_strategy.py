"""The boosting family's multi-step strategies, side by side (HPG-FC-STRATEGY).

For each shipped forecasting set, a bundle is generated (hpogen generate --dataset NAME) and its
train.py is loaded in this process. The boosting family at the space's defaults, with lookback 1
and 2 and with and without first differences, is backtested (the search's loss) and refit on the
whole history (scored on the test horizon) under three strategies:

- direct: one model per step ahead (the bundle's STRATEGY up to max_direct steps);
- pooled: one model for every step, the step among its features (the bundle's beyond max_direct);
- recursive: one one-step model fed its own forecasts, each step's window scaled by the origin's
  level (the strategy hpogen used beyond max_direct before pooled; kept here to compare).

Printed per set, strategy and configuration: test MASE, backtest loss and seconds; then each
strategy's means over the configurations, and seasonal naive's test MASE.

Usage: python benchmarks/bench_forecast_strategy.py [--datasets a,b] [--strategies s,t]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from forecast_bundle import generated_train  # beside this script

DATASETS = ("Airline", "ShampooSales", "Uschange", "solar")
STRATEGIES = ("direct", "pooled", "recursive")


def recursive_boosting(train):
    """A _forecast_boosting for `train` (a loaded bundle module): the one-step model fed its own
    forecasts, as hpogen's template did beyond max_direct steps before the pooled model."""
    import lightgbm as lgb

    def forecast_boosting(cfg, history, futures, horizon, rounds, seed):
        lookback = train._lookback(cfg, "lgbm_lookback", horizon)
        params = {"objective": "l2", "learning_rate": train._hp(cfg, "lgbm_learning_rate", float, 0.05),
                  "num_leaves": train._hp(cfg, "lgbm_num_leaves", int, 16),
                  "feature_fraction": train._hp(cfg, "lgbm_feature_fraction", float, 0.9), "seed": seed,
                  "verbosity": -1, "deterministic": True, "force_row_wise": True, "num_threads": 1}
        filled = [train.Series(train.fill_missing(s.values), np.nan_to_num(s.covariates), s.times) for s in history]
        X, y = train._boosting_data(cfg, filled, 1, lookback)
        params["min_data_in_leaf"] = min(train._hp(cfg, "lgbm_min_data_in_leaf", int, 10), max(1, len(y) // 2))
        model = lgb.train(params, lgb.Dataset(X, y, params={"verbose": -1}), num_boost_round=int(rounds))
        paths = []
        for series, future in zip(filled, futures, strict=True):
            values, covariates = series.values, series.covariates
            floor = train._floor(values)
            origin = train._level(train._padded(values, len(values), lookback, "nan"), floor)
            for step in range(horizon):
                current = train.Series(values, covariates, series.times)
                when = None if future.times is None else future.times[step]
                features, level, anchor = train._boosting_row(cfg, current, len(values), 1, lookback,
                                                              future.covariates[:, step], when, floor)
                ratio = level / origin  # the lags (and anchor) in units of the origin's level, as before
                features[:lookback] *= ratio
                value = train._bounded((float(model.predict(features[None, :])[0]) + anchor * ratio) * origin,
                                       series.values)
                values = np.append(values, value)
                covariates = np.concatenate([covariates, covariates[:, -1:]], axis=1)
            paths.append(values[len(series.values):])
        return train.Forecast(np.array(paths), {}, int(rounds), int(rounds), 0, {1: model})

    return forecast_boosting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"{'dataset':13s} {'strategy':9s} {'config':16s} | test MASE | backtest | s")
    with tempfile.TemporaryDirectory() as work:
        for name in args.datasets.split(","):
            train, trainval, refit = generated_train(name, Path(work))
            own = train._forecast_boosting
            means = {}
            for strategy in args.strategies.split(","):
                train.STRATEGY = "direct" if strategy == "direct" else "pooled"
                train._forecast_boosting = recursive_boosting(train) if strategy == "recursive" else own
                for lookback in (1, 2):
                    for difference in (True, False):
                        config = {"algorithm": "boosting", "lgbm_lookback": lookback, "lgbm_difference": difference}
                        started = time.perf_counter()
                        test = train.train(config, dict(refit), 0)
                        backtest = train.train(config, dict(trainval), 0)["loss"]
                        means.setdefault(strategy, []).append((test["mase"], backtest))
                        label = f"lookback {lookback} {'diff' if difference else 'level'}"
                        print(f"{name:13s} {strategy:9s} {label:16s} | {test['mase']:9.3f} | {backtest:8.3f} | "
                              f"{time.perf_counter() - started:.1f}", flush=True)
            naive = train.train({"algorithm": "statistical", "stat_model": "seasonal_naive"}, dict(refit), 0)["mase"]
            for strategy, rows in means.items():
                test, backtest = np.mean(rows, axis=0)
                print(f"{name:13s} {strategy:9s} {'mean':16s} | {test:9.3f} | {backtest:8.3f} | "
                      f"seasonal naive {naive:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
