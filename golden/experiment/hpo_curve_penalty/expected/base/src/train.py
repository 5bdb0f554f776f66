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

Family part of train.py: multi-fidelity HPO schedulers over a continuous search space.

One run is one whole scheduler run (sequential: one training job at a time); each trial trains
the model for its rung's epochs. Schedulers: successive halving (sh), Hyperband (hyperband),
ASHA (asha), PASHA (pasha) and BO over compressed learning curves (boil: a GP on each trial's
sigmoid-weighted curve score picks the next configuration by expected improvement; every trial
trains to max_epochs, and BOIL's choice of the training length is not modelled).

Extension points (hooks), each a list of catalogue changes the run switches on:
  trial_creation(model, data, config, space, training, rng, generator) -> (config, record)
  curve_score(curve, score, training) -> score       (curve: validation accuracy per epoch)
  stop_trial(curve, training) -> bool                (stops a running trial before its budget)
  surrogate(candidates, history, space, training) -> candidates, best first

training keys: scheduler, min_epochs, max_epochs, eta, budget_epochs, max_trials, batch_size,
subset, target_accuracy, pasha_epsilon, boil_candidates, boil_midpoint, boil_growth,
search_space: {name: {low, high, log}} over learning_rate, weight_decay, momentum,
augment_magnitude, label_smoothing (names outside the space keep the values in `fixed`), and
the parameters of the changes.
"""

from __future__ import annotations

import argparse
import itertools
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
    "family": "hpo_scheduler",
    "experiment": "multi-fidelity HPO schedulers (successive halving, Hyperband, ASHA, PASHA, BOIL)",
    "changes": ["curve_penalty"],
    "method": "We propose Stability-Penalised BOIL (SP-BOIL). Like BOIL, each learning curve is compressed with a logistic weighting of its epochs and a Gaussian-process surrogate chooses the next configuration by expected improvement. Our one change is in the compressed curve score: we subtract a penalty proportional to the standard deviation of the last 5 epochs of the curve, with penalty weight λ = 0.5, so...",
    "notes": [
        "momentum: SGD's velocity is empty on the first step, so the warm start looks ahead two SGD steps on its mini-batch before taking the loss"
    ],
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
HYPERPARAMETERS = (
    "learning_rate",
    "weight_decay",
    "momentum",
    "augment_magnitude",
    "label_smoothing",
)
FIXED_DEFAULTS = {
    "learning_rate": 0.05,
    "weight_decay": 5e-4,
    "momentum": 0.9,
    "augment_magnitude": 0.0,
    "label_smoothing": 0.0,
}


class SearchSpace:
    """Continuous dimensions in search coordinates psi: log(value) for log-scaled ones."""

    def __init__(self, spec: dict, fixed: dict) -> None:
        unknown = sorted(set(spec) - set(HYPERPARAMETERS))
        if unknown:
            raise SystemExit(f"error: search_space has unknown hyperparameters {unknown}")
        self.dims = {}
        for name, bounds in spec.items():
            low, high, log = (
                float(bounds["low"]),
                float(bounds["high"]),
                bool(bounds.get("log", False)),
            )
            if log and low <= 0 or not low < high:
                raise SystemExit(
                    f"error: search_space.{name} needs low < high (and low > 0 on a log scale)"
                )
            self.dims[name] = (math.log(low), math.log(high), True) if log else (low, high, False)
        self.fixed = {**FIXED_DEFAULTS, **{k: float(v) for k, v in (fixed or {}).items()}}

    def sample(self, rng: np.random.Generator) -> dict:
        return self.natural(
            {name: rng.uniform(low, high) for name, (low, high, _) in self.dims.items()}
        )

    def psi(self, config: dict) -> dict:
        return {
            name: math.log(config[name]) if log else config[name]
            for name, (_, _, log) in self.dims.items()
        }

    def natural(self, psi: dict) -> dict:
        values = dict(self.fixed)
        for name, (low, high, log) in self.dims.items():
            value = min(max(float(psi[name]), low), high)
            values[name] = math.exp(value) if log else value
        return values

    def unit(self, config: dict) -> list[float]:
        """config's search coordinates scaled to [0, 1] per dimension (a surrogate's inputs)."""
        psi = self.psi(config)
        return [(psi[name] - low) / (high - low) for name, (low, high, _) in self.dims.items()]

    def tensor_hyper(self, psi: dict) -> dict:
        """The hyperparameters as tensors that carry gradients back to psi (fixed ones as floats)."""
        hyper = dict(self.fixed)
        for name, (_, _, log) in self.dims.items():
            hyper[name] = torch.exp(psi[name]) if log else psi[name]
        return hyper


def rung_budgets(min_epochs: int, max_epochs: int, eta: int) -> list[int]:
    """min_epochs, min_epochs * eta, ... up to max_epochs."""
    budgets = [max(1, min_epochs)]
    while budgets[-1] * eta <= max_epochs:
        budgets.append(budgets[-1] * eta)
    return budgets


class ASHA:
    """Asynchronous successive halving, run one job at a time: promote a configuration from the
    highest rung that has one in its top 1/eta not yet promoted, else start a new one."""

    def __init__(self, min_epochs: int, max_epochs: int, eta: int) -> None:
        self.eta = eta
        self.budgets = rung_budgets(min_epochs, max_epochs, eta)
        self.rungs = [{} for _ in self.budgets]
        self.promoted = [set() for _ in self.budgets]
        self.stopped = set()  # trials a stop_trial change ended: never promoted again

    def top(self) -> int:
        return len(self.budgets) - 1

    def next_job(self) -> tuple[int | None, int]:
        for rung in range(self.top() - 1, -1, -1):
            ranked = sorted(self.rungs[rung], key=lambda trial: -self.rungs[rung][trial])
            for trial in ranked[: len(ranked) // self.eta]:
                if trial not in self.promoted[rung] and trial not in self.stopped:
                    self.promoted[rung].add(trial)
                    return trial, rung + 1
        return None, 0

    def report(self, trial: int, rung: int, score: float) -> None:
        self.rungs[rung][trial] = score


class PASHA(ASHA):
    """ASHA whose top rung starts low and grows only while the ranking of the configurations in
    the two highest rungs disagrees (Bohdal et al. 2023). Scores within epsilon count as ties,
    a fixed tolerance where the paper estimates the noise level."""

    def __init__(self, min_epochs: int, max_epochs: int, eta: int, epsilon: float) -> None:
        super().__init__(min_epochs, max_epochs, eta)
        self.epsilon = epsilon
        self.current_top = min(1, len(self.budgets) - 1)

    def top(self) -> int:
        return self.current_top

    def report(self, trial: int, rung: int, score: float) -> None:
        super().report(trial, rung, score)
        if (
            rung == self.current_top
            and self.current_top < len(self.budgets) - 1
            and self.rankings_disagree()
        ):
            self.current_top += 1

    def rankings_disagree(self) -> bool:
        upper, lower = self.rungs[self.current_top], self.rungs[self.current_top - 1]
        common = [trial for trial in upper if trial in lower]
        for a, b in itertools.combinations(common, 2):
            up, low = upper[a] - upper[b], lower[a] - lower[b]
            if abs(up) > self.epsilon and abs(low) > self.epsilon and (up > 0) != (low > 0):
                return True
        return False


class SuccessiveHalving(ASHA):
    """Synchronous successive halving brackets, one job at a time (Jamieson & Talwalkar 2016):
    a bracket starts n configurations at its first rung and promotes the top n/eta of each
    completed rung. With brackets="hyperband" the brackets cycle through Hyperband's s_max..0
    (Li et al. 2018); otherwise every bracket is the most aggressive one."""

    def __init__(self, min_epochs: int, max_epochs: int, eta: int, hyperband: bool = False) -> None:
        super().__init__(min_epochs, max_epochs, eta)
        s_max = len(self.budgets) - 1
        self.plan = list(range(s_max, -1, -1)) if hyperband else [s_max]
        self.bracket = -1
        self.start_bracket()

    def start_bracket(self) -> None:
        self.bracket += 1
        s_max, s = len(self.budgets) - 1, self.plan[self.bracket % len(self.plan)]
        self.rung = s_max - s
        self.to_start = int(math.ceil((s_max + 1) / (s + 1) * self.eta**s))
        self.queue, self.waiting = [], 0
        self.members = []

    def next_job(self) -> tuple[int | None, int]:
        if self.to_start > 0:
            self.to_start -= 1
            self.waiting += 1
            return None, self.rung
        if self.queue:
            self.waiting += 1
            return self.queue.pop(0), self.rung
        self.advance()
        return self.next_job()

    def report(self, trial: int, rung: int, score: float) -> None:
        super().report(trial, rung, score)
        self.waiting -= 1
        if rung == self.rung and trial not in self.members:
            self.members.append(trial)

    def advance(self) -> None:
        """Promote the top 1/eta of the finished rung, or start the next bracket after the top."""
        scores = self.rungs[self.rung]
        ranked = sorted(
            (t for t in self.members if t not in self.stopped), key=lambda t: -scores[t]
        )
        keep = ranked[: max(1, len(self.members) // self.eta)]
        if self.rung == len(self.budgets) - 1 or not keep:
            self.start_bracket()
            return
        self.rung += 1
        self.queue, self.members = list(keep), []


class BOIL(ASHA):
    """BO over compressed learning curves (Nguyen et al. 2020), one trial at a time: every trial
    trains to max_epochs, its curve is compressed by a sigmoid-weighted mean (the curve_score
    base), and the next configuration maximises expected improvement under a GP fitted to the
    compressed scores (the surrogate base)."""

    def next_job(self) -> tuple[int | None, int]:
        return None, len(self.budgets) - 1


def make_scheduler(training: dict) -> ASHA:
    kind = str(training.get("scheduler", "asha"))
    args = (
        integer(training, "min_epochs", 1),
        integer(training, "max_epochs", 9),
        integer(training, "eta", 3),
    )
    if kind == "asha":
        return ASHA(*args)
    if kind == "pasha":
        return PASHA(*args, number(training, "pasha_epsilon", 0.005))
    if kind in ("sh", "hyperband"):
        return SuccessiveHalving(*args, hyperband=kind == "hyperband")
    if kind == "boil":
        return BOIL(*args)
    raise SystemExit(
        f"error: scheduler {kind!r} is not implemented (implemented: sh, hyperband, asha, pasha, boil)"
    )


def compressed_score(curve: list[float], training: dict) -> float:
    """BOIL's compression of a learning curve: its mean weighted by a logistic function of the
    epoch's position (midpoint and growth in units of the curve's length), so late epochs count most."""
    midpoint, growth = number(training, "boil_midpoint", 0.5), number(training, "boil_growth", 10.0)
    positions = np.linspace(0.0, 1.0, len(curve)) if len(curve) > 1 else np.ones(1)
    weights = 1.0 / (1.0 + np.exp(-growth * (positions - midpoint)))
    return float(np.dot(weights, curve) / weights.sum())


def curve_score(curve: list[float], training: dict) -> float:
    """The score the scheduler ranks a trial by: the last validation accuracy (BOIL: the
    compressed curve), then each curve_score change in turn."""
    score = (
        compressed_score(curve, training)
        if training.get("scheduler") == "boil"
        else float(curve[-1])
    )
    for change in changes_for("curve_score", training):
        score = float(change(curve, score, training))
    return score


def expected_improvement(
    candidates: list[dict], history: list[tuple[dict, float]], space: SearchSpace, training: dict
) -> list[dict]:
    """candidates ranked by expected improvement over the best score under a GP (Matern 5/2 and
    noise) fitted to history's (configuration, score) pairs; sampled order while it has < 2."""
    if len(history) < 2:
        return list(candidates)
    from scipy.stats import norm
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import Matern, WhiteKernel

    X = np.array([space.unit(config) for config, _ in history])
    y = np.array([score for _, score in history])
    model = GaussianProcessRegressor(
        Matern(nu=2.5) + WhiteKernel(1e-3), normalize_y=True, random_state=0
    )
    model.fit(X, y)
    mean, std = model.predict(np.array([space.unit(c) for c in candidates]), return_std=True)
    gap = mean - y.max()
    z = gap / np.maximum(std, 1e-9)
    improvement = gap * norm.cdf(z) + std * norm.pdf(z)
    return [candidates[i] for i in np.argsort(-improvement, kind="stable")]


def propose(space: SearchSpace, history: list, training: dict, rng) -> dict:
    """The next configuration: a random sample, or with a surrogate (BOIL's GP, or a surrogate
    change) the best-ranked of boil_candidates random samples."""
    rankers = changes_for("surrogate", training)
    if not rankers and training.get("scheduler") != "boil":
        return space.sample(rng)
    candidates = [space.sample(rng) for _ in range(integer(training, "boil_candidates", 64))]
    for ranker in rankers or [expected_improvement]:
        candidates = ranker(candidates, history, space, training)
    return candidates[0]


def create_trial(
    trial_id: int,
    data: dict,
    space: SearchSpace,
    training: dict,
    run: dict,
    history: list,
    rng,
    generator,
) -> dict:
    """A proposed configuration, passed through the trial_creation changes, with a fresh model and optimiser."""
    model = build_model(run["model"], data["input_shape"], data["num_classes"]).to(
        data["X_train"].device
    )
    config = propose(space, history, training, rng)
    record = {"kind": "none", "before": config, "after": config, "seconds": 0.0}
    for change in changes_for("trial_creation", training):
        config, record = change(model, data, config, space, training, rng, generator)
    return {
        "id": trial_id,
        "model": model,
        "optimizer": make_optimizer(model, config),
        "config": config,
        "epochs": 0,
        "curve": [],
        "stopped": False,
        "warm_start": record,
    }


def train_rung(
    trial: dict, data: dict, epochs: int, training: dict, batch_size: int, generator
) -> None:
    """epochs more of the trial's training; epoch by epoch with a validation point each when a
    stop_trial change watches the curve, which may end the trial early."""
    stoppers = changes_for("stop_trial", training)
    if not stoppers:
        train_epochs(
            trial["model"], trial["optimizer"], data, trial["config"], epochs, batch_size, generator
        )
        trial["epochs"] += epochs
        trial["curve"].append(accuracy(trial["model"], data["X_val"], data["y_val"]))
        return
    for _ in range(epochs):
        train_epochs(
            trial["model"], trial["optimizer"], data, trial["config"], 1, batch_size, generator
        )
        trial["epochs"] += 1
        trial["curve"].append(accuracy(trial["model"], data["X_val"], data["y_val"]))
        if any(stop(trial["curve"], training) for stop in stoppers):
            trial["stopped"] = True
            return


def run_experiment(run: dict, data: dict, training: dict, seed: int, log) -> dict:
    """One whole scheduler run; returns the trajectory, the trial records and the best model."""
    space = SearchSpace(training.get("search_space") or {}, training.get("fixed"))
    scheduler, rng = make_scheduler(training), np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    budget, max_trials = integer(training, "budget_epochs", 30), integer(training, "max_trials", 50)
    batch_size = integer(training, "batch_size", 128)
    trials, trajectory, history, best = {}, [], {}, {"val": -1.0, "test": 0.0, "trial": None}
    started, epochs_used, warm_seconds, evaluations = time.perf_counter(), 0, 0.0, 0
    while epochs_used < budget:
        trial_id, rung = scheduler.next_job()
        if trial_id is None:
            if len(trials) >= max_trials:
                break
            trial_id = len(trials)
            trials[trial_id] = create_trial(
                trial_id, data, space, training, run, list(history.values()), rng, generator
            )
            warm_seconds += trials[trial_id]["warm_start"]["seconds"]
        trial = trials[trial_id]
        before = trial["epochs"]
        epochs = min(scheduler.budgets[rung], budget - epochs_used + before) - before
        train_rung(trial, data, epochs, training, batch_size, generator)
        epochs_used += trial["epochs"] - before
        evaluations += 1
        val = trial["curve"][-1]
        test = accuracy(trial["model"], data["X_test"], data["y_test"])
        score = curve_score(trial["curve"], training)
        if trial["stopped"]:
            scheduler.stopped.add(trial_id)
        scheduler.report(trial_id, rung, score)
        history[trial_id] = (trial["config"], score)
        if val > best["val"]:
            best = {"val": val, "test": test, "trial": trial_id}
        point = {
            "event": "rung",
            "trial": trial_id,
            "rung": rung,
            "epochs": trial["epochs"],
            "val_accuracy": val,
            "test_accuracy": test,
            "score": score,
            "stopped": trial["stopped"],
            "best_val_accuracy": best["val"],
            "best_test_accuracy": best["test"],
            "wall_time_s": time.perf_counter() - started,
            "cumulative_epochs": epochs_used,
            "evaluations": evaluations,
        }
        trajectory.append(point)
        log(point)
    wall = time.perf_counter() - started
    return {
        "family": "hpo_scheduler",
        "scheduler": training.get("scheduler", "asha"),
        "warm_start": training.get("warm_start", "none"),
        "changes": list(training.get("changes") or []),
        "target_accuracy": number(training, "target_accuracy", 0.9),
        "trajectory": trajectory,
        "best_val_accuracy": best["val"],
        "best_test_accuracy": best["test"],
        "trials": len(trials),
        "stopped_trials": sum(t["stopped"] for t in trials.values()),
        "total_epochs": epochs_used,
        "warm_start_seconds": warm_seconds,
        "warm_start_overhead": warm_seconds / wall if wall > 0 else 0.0,
        "configurations": [{"trial": t["id"], **t["warm_start"]} for t in trials.values()],
        "not_implemented": NOT_IMPLEMENTED,
        "best_model": trials[best["trial"]]["model"],
    }


def penalised_curve_score(curve: list[float], score: float, training: dict) -> float:
    """score less the weighted spread of the curve's last points (no penalty below two points)."""
    window = max(2, integer(training, "curve_penalty_window", 3))
    recent = np.asarray(curve[-window:], dtype=float)
    if len(recent) < 2:
        return score
    return score - number(training, "curve_penalty_weight", 1.0) * float(recent.std())


CHANGES = {"curve_score": {"curve_penalty": penalised_curve_score}}


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
