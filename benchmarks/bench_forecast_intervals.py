"""The final forecast's conformal intervals: how often they hold the test, and what they cost.

For each shipped forecasting set, a bundle is generated (hpogen generate --dataset NAME) and its
train.py is loaded in this process. The refit's members are each family's configuration at the
space's defaults (no search, so that the figures do not depend on one); refit_ensemble combines
them by the median and gives that median conformal 80% and 95% intervals from the backtest
origins (HPG-FC-CONFORMAL). Printed per set: the test MASE, the share of test points inside each
interval (coverage_80, coverage_95: nominal 0.80 and 0.95), the mean interval width in MASE-scale
units, and the refit's seconds with the intervals and without them (conformal_intervals replaced
by one that returns none), both timed in this process after a first warm-up refit, and their ratio.

Usage: python benchmarks/bench_forecast_intervals.py [--datasets a,b] [--nn-epochs E] [--rounds R]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from forecast_bundle import generated_train  # beside this script

DATASETS = ("Airline", "Lynx", "ShampooSales", "Uschange", "solar", "m1_yearly")


def timed_refit(train, members: list, dataset: dict, folder: Path) -> tuple[dict, float]:
    started = time.perf_counter()
    metrics = train.refit_ensemble(members, dataset, 0, folder)
    return metrics, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--nn-epochs", type=int, default=100, help="nn_epochs of the neural member")
    parser.add_argument("--rounds", type=int, default=300, help="lgbm_rounds of the boosting member")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    members = [({"algorithm": "statistical"}, None), ({"algorithm": "boosting", "lgbm_rounds": args.rounds}, None),
               ({"algorithm": "neural", "nn_epochs": args.nn_epochs}, None)]
    print(f"{'dataset':13s} {'MASE':>6s} {'cov80':>6s} {'cov95':>6s} {'width80':>8s} {'width95':>8s} | "
          f"{'refit s':>7s} {'no intervals s':>14s} {'ratio':>5s}")
    with tempfile.TemporaryDirectory() as work:
        for name in args.datasets.split(","):
            train, _, dataset = generated_train(name, Path(work))
            timed_refit(train, members, dataset, Path(work) / f"{name}_warm")
            metrics, with_intervals = timed_refit(train, members, dataset, Path(work) / f"{name}_model")
            record = train.json.loads((Path(work) / f"{name}_model" / "forecast.json").read_text())
            scales = np.array([train.mase_scale(train.fill_missing(s.values)) for s in train.read_history(dataset)])
            widths = {lv: float(np.mean((np.array(hi) - np.array(lo)) / scales[:, None]))
                      for lv, (lo, hi) in record["intervals"].items()}
            real = train.conformal_intervals
            train.conformal_intervals = lambda *_: {}
            _, without = timed_refit(train, members, dataset, Path(work) / f"{name}_bare")
            train.conformal_intervals = real
            print(f"{name:13s} {metrics['mase']:6.3f} {metrics.get('coverage_80', float('nan')):6.3f} "
                  f"{metrics.get('coverage_95', float('nan')):6.3f} {widths.get('80', float('nan')):8.3f} "
                  f"{widths.get('95', float('nan')):8.3f} | {with_intervals:7.1f} {without:14.1f} "
                  f"{with_intervals / without:5.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
