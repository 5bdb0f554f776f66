"""Standalone SMAC driver for this bundle: needs only smac, ConfigSpace, torch and scikit-learn.

Usage: python run_hpo.py [--data FILE.npz] [--n-trials N] [--walltime SECONDS] [--out DIR]
"""

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EMBEDDED_DATASET = {embedded_dataset}
EMBEDDED_LOADER = {embedded_loader}
IMAGE_SHAPE = {image_shape}


def load_dataset(data: str | None) -> dict:
    """X, y (and X_test, y_test when the file has them) from an .npz, else the embedded set."""
    import numpy as np

    if data:
        with np.load(data, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files if key in ("X", "y", "X_test", "y_test")}
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, EMBEDDED_LOADER)()
    X = bunch.data if IMAGE_SHAPE is None else bunch.data.reshape(len(bunch.data), *IMAGE_SHAPE)
    return {"X": X, "y": bunch.target}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help=".npz with X, y and optionally X_test, y_test")
    parser.add_argument("--n-trials", type=int)
    parser.add_argument("--walltime", type=float)
    parser.add_argument("--out", default="smac3_output")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from config_space import get_configspace
    from scenario import generate_scenario, make_facade
    from train import train

    dataset = load_dataset(args.data)
    overrides = {"output_directory": Path(args.out)}
    if args.n_trials:
        overrides["n_trials"] = args.n_trials
    if args.walltime:
        overrides["walltime_limit"] = args.walltime
    scenario = generate_scenario(get_configspace(), **overrides)

    def target(config, seed: int = 0, budget: float | None = None) -> float:
        return train(config, dataset, seed, budget)["loss"]

    smac = make_facade(scenario, target, overwrite=True)
    incumbent = smac.optimize()
    print(json.dumps({"incumbent": dict(incumbent)}, default=str, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
