"""Epochs trained in one Hyperband round of the generated image train function, with and
without checkpoint reuse across fidelities.

Both runs use the same bundle, seed and SMAC settings; only `dataset["checkpoint_dir"]`
differs. Prints the epochs trained, wall times and the saving. By default the round uses small
budgets (2..18 epochs, eta 3) so it finishes in minutes on a laptop CPU; --bundle-budgets uses
the bundle's own (16..163 for digits).

Usage: python benchmarks/bench_reuse.py [--bundle-budgets] [--samples N]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HPOGEN = str(Path(sys.executable).with_name("hpogen"))


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def one_round(bundle: Path, work: Path, reuse: bool, budgets: tuple[float, float] | None, dataset: dict) -> dict:
    from smac.intensifier.hyperband_utils import determine_HB

    space = load(bundle / "config_space.py", "bench_space")
    scenario_module = load(bundle / "scenario.py", "bench_scenario")
    train_module = load(bundle / "train.py", "bench_train")
    overrides = {"output_directory": work / ("reuse" if reuse else "plain"), "deterministic": True}
    if budgets:
        overrides.update(min_budget=budgets[0], max_budget=budgets[1])
    probe = scenario_module.generate_scenario(space.get_configspace(), **overrides)
    info = determine_HB(probe.min_budget, probe.max_budget, eta=scenario_module.ETA)
    overrides["n_trials"] = int(info["trials_used"])
    scenario = scenario_module.generate_scenario(space.get_configspace(), **overrides)
    data = dict(dataset)
    if reuse:
        data["checkpoint_dir"] = str(work / "checkpoints")
    epochs = []

    def target(config, seed: int = 0, budget: float | None = None) -> float:
        result = train_module.train(config, data, seed, budget)
        epochs.append(result["epochs_completed"])
        return result["loss"]

    facade = scenario_module.make_facade(scenario, target, overwrite=True, logging_level=40)
    started = time.perf_counter()
    facade.optimize()
    return {
        "trials": len(epochs),
        "epochs": sum(epochs),
        "seconds": time.perf_counter() - started,
        "budgets": (probe.min_budget, probe.max_budget),
        "round_epochs": float(info["budget_used"]),
        "best": min(v.cost for v in facade.runhistory.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle-budgets", action="store_true", help="use the bundle's own min/max budget")
    parser.add_argument("--samples", type=int, default=600, help="digits images used (all: 1797)")
    args = parser.parse_args()
    from sklearn.datasets import load_digits

    digits = load_digits()
    dataset = {"X": digits.data[: args.samples].reshape(-1, 1, 8, 8), "y": digits.target[: args.samples]}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([HPOGEN, "generate", "--dataset-type", "image", "--out", str(work / "bundle")], check=True,
                       capture_output=True)
        budgets = None if args.bundle_budgets else (2.0, 18.0)
        plain = one_round(work / "bundle", work, False, budgets, dataset)
        reuse = one_round(work / "bundle", work, True, budgets, dataset)
    print(f"one Hyperband round, budgets {plain['budgets'][0]:g}..{plain['budgets'][1]:g} epochs, "
          f"{plain['trials']} trials, {args.samples} digits images; the round's budgets add up to "
          f"{plain['round_epochs']:.0f} epochs (what training every trial from scratch without early stopping costs)")
    for label, r in (("without reuse", plain), ("with reuse", reuse)):
        print(f"  {label:14s} epochs trained {r['epochs']:5d}   wall {r['seconds']:7.1f} s   best loss {r['best']:.4f}")
    print(f"  epochs saved by reuse: {plain['epochs'] - reuse['epochs']} "
          f"({1 - reuse['epochs'] / plain['epochs']:.0%}); wall-time ratio {reuse['seconds'] / plain['seconds']:.2f}")


if __name__ == "__main__":
    main()
