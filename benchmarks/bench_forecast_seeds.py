"""How much one neural forecaster's scores swing with its seed, and what averaging does.

For each shipped forecasting set, a bundle is generated (hpogen generate --dataset NAME) and its
train.py is loaded in this process. The neural family at the space's defaults (an MLP) is then
backtested (the search's loss) and refit on the whole history (scored on the test horizon) at
seeds 0..S-1, twice: with one network per fit (NN_SEEDS = 1) and with the bundle's NN_SEEDS
networks averaged (HPG-FC-NN-SEEDS). Printed per set and mode: the backtest MASE's minimum,
maximum and standard deviation over seeds, and the same for the test MASE. A search that judges
each configuration at one seed ranks configurations by draws from the first spread.

Usage: python benchmarks/bench_forecast_seeds.py [--datasets a,b] [--seeds S] [--epochs E]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from forecast_bundle import generated_train  # beside this script

DATASETS = ("Airline", "Lynx", "ShampooSales", "Uschange")


def spread(values: list[float]) -> str:
    return f"{min(values):6.3f} {max(values):6.3f} {float(np.std(values)):6.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=100, help="nn_epochs of the configuration")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"{'dataset':13s} {'networks':>8s} | backtest MASE min    max    std | test MASE min    max    std | s")
    with tempfile.TemporaryDirectory() as work:
        for name in args.datasets.split(","):
            train, trainval, refit = generated_train(name, Path(work))
            config = {"algorithm": "neural", "nn_epochs": args.epochs}
            for networks in sorted({1, train.NN_SEEDS}):
                train.NN_SEEDS = networks
                started = time.perf_counter()
                backtests = [train.train(config, dict(trainval), seed)["loss"] for seed in range(args.seeds)]
                tests = [train.train(config, dict(refit), seed)["mase"] for seed in range(args.seeds)]
                print(f"{name:13s} {networks:8d} |            {spread(backtests)} |       {spread(tests)} | "
                      f"{time.perf_counter() - started:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
