"""One run variation of the experiment, started by src/main.py as `python -m src.train`.

Usage: python -m src.train --config CONFIG.yaml --run-id RUN_ID --results-dir DIR

It prints the experiment description, then one JSON line per evaluation (each carrying run_id)
and a final one, and writes {results_dir}/{run_id}/results.json and the best model's weights.

Config schema (config/smoke_test.yaml and config/full_experiment.yaml share it):
  experiment: name, family, scale, method_dataset, method_model (what the method names),
              seeds, variants, not_implemented, and training: the settings every run shares
  runs: one entry per variation and seed
    - run_id: letters, digits, '-', '_' and '.'; unique
      variant: the variation this run belongs to (run_id without the seed)
      dataset, model: catalogue names; data_root: folder of dataset files (or null)
      seed: an integer (seeds expand into runs)
      training: {...}   this run's own settings, over experiment.training (the shared ones);
                        numbers are converted with float()/int() even when YAML gave strings

Family part of train.py: plain supervised training of one configuration per run.

training keys: epochs, batch_size, subset, learning_rate, weight_decay, momentum,
augment_magnitude, label_smoothing, target_accuracy.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml
from src.model import build_model, load_model, save_model
from src.preprocess import load_dataset
from torch import nn

EXPERIMENT_DESCRIPTION = {
    "family": "baseline",
    "experiment": "plain supervised training: one model, one configuration per run",
    "changes": [],
    "method": "We train a small CNN with plain SGD and cross-entropy on MNIST and report the spread of its test accuracy over seeds. No architecture or optimiser changes: this is the supervised baseline later methods are compared against.",
    "notes": [],
}
RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def load_run(config_path: Path, run_id: str) -> dict:
    """The run called run_id from a config file, its training settings over the shared ones."""
    with open(config_path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    runs = config.get("runs")
    if not isinstance(runs, list):
        raise SystemExit(f"error: {config_path} has no list of runs (is the package derived yet?)")
    shared = (config.get("experiment") or {}).get("training") or {}
    for run in runs:
        if isinstance(run, dict) and run.get("run_id") == run_id:
            return {**run, "training": {**shared, **(run.get("training") or {})}}
    raise SystemExit(f"error: no run {run_id!r} in {config_path}")


def number(settings: dict, key: str, default: float | None = None) -> float:
    """A float from the config, whether YAML read it as a float or as a string like '1e-3'."""
    value = settings.get(key, default)
    if value is None:
        raise SystemExit(f"error: training.{key} is required")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SystemExit(f"error: training.{key} must be a number, not {value!r}") from None


def integer(settings: dict, key: str, default: int | None = None) -> int:
    return int(round(number(settings, key, default)))


def emit(record: dict) -> None:
    """One JSON line on stdout (the machine-readable log of the run)."""
    print(json.dumps(record), flush=True)


def augment(x: torch.Tensor, magnitude, noise: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Contrast and brightness jitter scaled by magnitude: differentiable in magnitude."""
    contrast, brightness = noise
    return x * (1.0 + magnitude * contrast) + magnitude * brightness


def augment_noise(
    n: int, like: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    shape = (n, 1, 1, 1)
    contrast = torch.randn(shape, generator=generator, dtype=like.dtype, device="cpu").to(
        like.device
    )
    brightness = torch.randn(shape, generator=generator, dtype=like.dtype, device="cpu").to(
        like.device
    )
    return contrast, brightness


def smoothed_cross_entropy(logits: torch.Tensor, y: torch.Tensor, smoothing) -> torch.Tensor:
    """Cross-entropy against (1 - s) one-hot + s / K targets; differentiable in s."""
    log_probs = torch.log_softmax(logits, dim=1)
    nll = -log_probs.gather(1, y[:, None]).squeeze(1)
    uniform = -log_probs.mean(dim=1)
    return ((1.0 - smoothing) * nll + smoothing * uniform).mean()


def make_optimizer(model: nn.Module, hyper: dict) -> torch.optim.Optimizer:
    return torch.optim.SGD(
        model.parameters(),
        lr=float(hyper["learning_rate"]),
        momentum=float(hyper["momentum"]),
        weight_decay=float(hyper["weight_decay"]),
    )


def train_epochs(
    model, optimizer, data: dict, hyper: dict, epochs: int, batch_size: int, generator
) -> None:
    """epochs passes over the training rows in seeded random order (the data stays on its device)."""
    X, y = data["X_train"], data["y_train"]
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=generator).to(X.device)
        for start in range(0, len(y), batch_size):
            rows = order[start : start + batch_size]
            if len(rows) < 2 and len(y) > 1:
                continue  # a batch of one breaks batch norm
            x = augment(
                X[rows], float(hyper["augment_magnitude"]), augment_noise(len(rows), X, generator)
            )
            loss = smoothed_cross_entropy(model(x), y[rows], float(hyper["label_smoothing"]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()


@torch.no_grad()
def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 1024) -> float:
    """The share of correct predictions: per image, or per token when y holds sequences."""
    model.eval()
    correct = 0
    for start in range(0, len(y), batch_size):
        correct += int(
            (model(X[start : start + batch_size]).argmax(-1) == y[start : start + batch_size]).sum()
        )
    return correct / max(y.numel(), 1)


def changes_for(hook: str, training: dict) -> list:
    """The functions of the catalogue changes this run switches on (training.changes) at hook,
    in that order; an empty list means the family's base algorithm."""
    registered = CHANGES.get(hook, {})
    return [registered[name] for name in training.get("changes") or [] if name in registered]


def save_best(model: nn.Module, run: dict, data: dict, run_dir: Path) -> float:
    """Save the model's weights, load them back with weights_only=True, return the reloaded test accuracy."""
    path = run_dir / "model.pt"
    save_model(model, path, run["model"], data["input_shape"], data["num_classes"])
    device = data["X_test"].device
    reloaded = load_model(path).to(device)
    return accuracy(reloaded, data["X_test"], data["y_test"])


NOT_IMPLEMENTED = []


def run_experiment(run: dict, data: dict, training: dict, seed: int, log) -> dict:
    """Train the configuration for its epochs, evaluating after each; keep the best-validation weights."""
    hyper = {
        name: number(training, name, default)
        for name, default in (
            ("learning_rate", 0.05),
            ("weight_decay", 5e-4),
            ("momentum", 0.9),
            ("augment_magnitude", 0.0),
            ("label_smoothing", 0.0),
        )
    }
    model = build_model(run["model"], data["input_shape"], data["num_classes"]).to(
        data["X_train"].device
    )
    optimizer = make_optimizer(model, hyper)
    generator = torch.Generator().manual_seed(seed)
    epochs, batch_size = integer(training, "epochs", 10), integer(training, "batch_size", 128)
    trajectory, best, best_state = [], {"val": -1.0, "test": 0.0, "epoch": 0}, None
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        train_epochs(model, optimizer, data, hyper, 1, batch_size, generator)
        val = accuracy(model, data["X_val"], data["y_val"])
        test = accuracy(model, data["X_test"], data["y_test"])
        if val > best["val"]:
            best, best_state = (
                {"val": val, "test": test, "epoch": epoch},
                copy.deepcopy(model.state_dict()),
            )
        point = {
            "event": "epoch",
            "epoch": epoch,
            "val_accuracy": val,
            "test_accuracy": test,
            "best_val_accuracy": best["val"],
            "best_test_accuracy": best["test"],
            "wall_time_s": time.perf_counter() - started,
            "cumulative_epochs": epoch,
        }
        trajectory.append(point)
        log(point)
    model.load_state_dict(best_state)
    return {
        "family": "baseline",
        "hyperparameters": hyper,
        "target_accuracy": number(training, "target_accuracy", 0.9),
        "trajectory": trajectory,
        "best_val_accuracy": best["val"],
        "best_test_accuracy": best["test"],
        "best_epoch": best["epoch"],
        "total_epochs": epochs,
        "not_implemented": NOT_IMPLEMENTED,
        "best_model": model,
    }


CHANGES = {}


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one variation of the experiment.")
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--results-dir", required=True, type=Path)
    args = parser.parse_args()
    if not RUN_ID_PATTERN.match(args.run_id):
        raise SystemExit(f"error: unsafe run_id {args.run_id!r}")
    run = load_run(args.config, args.run_id)
    seed = int(run.get("seed", 0))
    torch.manual_seed(seed)
    np.random.seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    training = run.get("training") or {}
    emit(
        {
            "run_id": args.run_id,
            "description": EXPERIMENT_DESCRIPTION,
            "variant": run.get("variant"),
            "dataset": run["dataset"],
            "model": run["model"],
            "seed": seed,
            "device": str(device),
        }
    )
    data = load_dataset(run["dataset"], run.get("data_root"), training.get("subset"), seed)
    data = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in data.items()}
    run_dir = args.results_dir / args.run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = run_experiment(
        run, data, training, seed, lambda record: emit({"run_id": args.run_id, **record})
    )
    best_model = results.pop("best_model")
    results["model_reload_test_accuracy"] = save_best(best_model, run, data, run_dir)
    results.update(
        run_id=args.run_id,
        variant=run.get("variant"),
        dataset=run["dataset"],
        model=run["model"],
        seed=seed,
        wall_time_s=time.perf_counter() - started,
    )
    results = json.loads(json.dumps(results, default=float))
    if not all(math.isfinite(v) for v in results.values() if isinstance(v, float)):
        raise SystemExit(f"error: non-finite result in run {args.run_id}")
    (run_dir / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    emit(
        {
            "run_id": args.run_id,
            "event": "final",
            **{k: v for k, v in results.items() if not isinstance(v, list | dict)},
        }
    )


if __name__ == "__main__":
    sys.exit(main())
