"""Family part of train.py: hyper-gradient warm starts for successive-halving schedulers.

One run is one whole scheduler run (ASHA or PASHA, sequential) over a continuous search space;
each trial trains the model for its rung's epochs. With a warm start, each new configuration
first takes steps on the hyperparameters from one mini-batch before the scheduler sees it.

training keys: scheduler (asha | pasha), warm_start (none | ohgw | random), warm_start_steps,
eta_h, warm_start_batch, lookahead_steps, min_epochs, max_epochs, eta, budget_epochs,
max_trials, batch_size, subset, target_accuracy, pasha_epsilon,
search_space: {name: {low, high, log}} over learning_rate, weight_decay, momentum,
augment_magnitude, label_smoothing (names outside the space keep the values in `fixed`).
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import torch
from torch.func import functional_call

HYPERPARAMETERS = ("learning_rate", "weight_decay", "momentum", "augment_magnitude", "label_smoothing")
FIXED_DEFAULTS = {"learning_rate": 0.05, "weight_decay": 5e-4, "momentum": 0.9, "augment_magnitude": 0.0,
                  "label_smoothing": 0.0}
NOT_IMPLEMENTED = {not_implemented}


class SearchSpace:
    """Continuous dimensions in search coordinates psi: log(value) for log-scaled ones."""

    def __init__(self, spec: dict, fixed: dict) -> None:
        unknown = sorted(set(spec) - set(HYPERPARAMETERS))
        if unknown:
            raise SystemExit(f"error: search_space has unknown hyperparameters {unknown}")
        self.dims = {}
        for name, bounds in spec.items():
            low, high, log = float(bounds["low"]), float(bounds["high"]), bool(bounds.get("log", False))
            if log and low <= 0 or not low < high:
                raise SystemExit(f"error: search_space.{name} needs low < high (and low > 0 on a log scale)")
            self.dims[name] = (math.log(low), math.log(high), True) if log else (low, high, False)
        self.fixed = {**FIXED_DEFAULTS, **{k: float(v) for k, v in (fixed or {}).items()}}

    def sample(self, rng: np.random.Generator) -> dict:
        return self.natural({name: rng.uniform(low, high) for name, (low, high, _) in self.dims.items()})

    def psi(self, config: dict) -> dict:
        return {name: math.log(config[name]) if log else config[name] for name, (_, _, log) in self.dims.items()}

    def natural(self, psi: dict) -> dict:
        values = dict(self.fixed)
        for name, (low, high, log) in self.dims.items():
            value = min(max(float(psi[name]), low), high)
            values[name] = math.exp(value) if log else value
        return values

    def tensor_hyper(self, psi: dict) -> dict:
        """The hyperparameters as tensors that carry gradients back to psi (fixed ones as floats)."""
        hyper = dict(self.fixed)
        for name, (_, _, log) in self.dims.items():
            hyper[name] = torch.exp(psi[name]) if log else psi[name]
        return hyper


def lookahead_loss(model, x, y, psi: dict, space: SearchSpace, steps: int, noises: list) -> torch.Tensor:
    """The loss on (x, y) after `steps` SGD steps on the same mini-batch, as a function of psi.

    Learning rate, weight decay and momentum reach the loss only through the updates (momentum
    from the second step on, when the velocity is not empty); label smoothing and the
    augmentation magnitude reach it directly. The model itself is left unchanged.
    """
    hyper = space.tensor_hyper(psi)
    params = {name: p.detach().requires_grad_(True) for name, p in model.named_parameters()}
    buffers = {name: b.detach().clone() for name, b in model.named_buffers()}

    def loss_at(weights, noise):
        logits = functional_call(model, (weights, buffers), (augment(x, hyper["augment_magnitude"], noise),))
        return smoothed_cross_entropy(logits, y, hyper["label_smoothing"])

    velocity = {}
    for step in range(steps):
        grads = torch.autograd.grad(loss_at(params, noises[step]), list(params.values()), create_graph=True)
        for (name, weight), grad in zip(list(params.items()), grads, strict=True):
            direction = grad + hyper["weight_decay"] * weight
            velocity[name] = hyper["momentum"] * velocity[name] + direction if name in velocity else direction
            params[name] = weight - hyper["learning_rate"] * velocity[name]
    return loss_at(params, noises[steps])


def hypergradient(model, x, y, config: dict, space: SearchSpace, steps: int, generator) -> dict:
    """d(look-ahead loss)/d(psi) for every dimension of the space, at config."""
    psi = {name: torch.tensor(value, dtype=x.dtype, device=x.device, requires_grad=True)
           for name, value in space.psi(config).items()}
    noises = [augment_noise(len(y), x, generator) for _ in range(steps + 1)]
    loss = lookahead_loss(model, x, y, psi, space, steps, noises)
    grads = torch.autograd.grad(loss, list(psi.values()), allow_unused=True)
    return {name: 0.0 if g is None else float(g) for name, g in zip(psi, grads, strict=True)}


def warm_start(model, data: dict, config: dict, space: SearchSpace, training: dict, rng, generator) -> tuple[dict, dict]:
    """The configuration the scheduler will evaluate, and a record of what the warm start did."""
    kind = str(training.get("warm_start", "none"))
    if kind == "none":
        return config, {"kind": kind, "before": config, "after": config, "seconds": 0.0}
    started = time.perf_counter()
    eta_h, batch = number(training, "eta_h", 1e-3), integer(training, "warm_start_batch", 128)
    steps = integer(training, "warm_start_steps", 1) if kind == "ohgw" else 1
    lookahead = integer(training, "lookahead_steps", 2 if "momentum" in space.dims else 1)
    psi, grads = space.psi(config), []
    for _ in range(steps):
        rows = torch.randperm(len(data["y_train"]), generator=generator)[:batch].to(data["X_train"].device)
        grad = hypergradient(model, data["X_train"][rows], data["y_train"][rows], space.natural(psi), space,
                             lookahead, generator)
        grads.append(grad)
        if kind == "random":  # a control: the same step length in a random direction
            length = eta_h * math.sqrt(sum(g * g for g in grad.values()))
            direction = rng.normal(size=len(grad))
            direction /= max(np.linalg.norm(direction), 1e-12)
            psi = {name: psi[name] + length * d for name, d in zip(grad, direction, strict=True)}
        else:
            psi = {name: psi[name] - eta_h * grad[name] for name in grad}
    after = space.natural(psi)
    return after, {"kind": kind, "before": config, "after": after, "hypergradients": grads,
                   "seconds": time.perf_counter() - started}


class ASHA:
    """Asynchronous successive halving, run one job at a time: promote a configuration from the
    highest rung that has one in its top 1/eta not yet promoted, else start a new one."""

    def __init__(self, min_epochs: int, max_epochs: int, eta: int) -> None:
        self.eta = eta
        self.budgets = [min_epochs]
        while self.budgets[-1] * eta <= max_epochs:
            self.budgets.append(self.budgets[-1] * eta)
        self.rungs = [{} for _ in self.budgets]
        self.promoted = [set() for _ in self.budgets]

    def top(self) -> int:
        return len(self.budgets) - 1

    def next_job(self) -> tuple[int | None, int]:
        for rung in range(self.top() - 1, -1, -1):
            ranked = sorted(self.rungs[rung], key=lambda trial: -self.rungs[rung][trial])
            for trial in ranked[: len(ranked) // self.eta]:
                if trial not in self.promoted[rung]:
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
        if rung == self.current_top and self.current_top < len(self.budgets) - 1 and self.rankings_disagree():
            self.current_top += 1

    def rankings_disagree(self) -> bool:
        upper, lower = self.rungs[self.current_top], self.rungs[self.current_top - 1]
        common = [trial for trial in upper if trial in lower]
        for a, b in itertools.combinations(common, 2):
            up, low = upper[a] - upper[b], lower[a] - lower[b]
            if abs(up) > self.epsilon and abs(low) > self.epsilon and (up > 0) != (low > 0):
                return True
        return False


def make_scheduler(training: dict) -> ASHA:
    kind = str(training.get("scheduler", "asha"))
    args = integer(training, "min_epochs", 1), integer(training, "max_epochs", 9), integer(training, "eta", 3)
    if kind == "asha":
        return ASHA(*args)
    if kind == "pasha":
        return PASHA(*args, number(training, "pasha_epsilon", 0.005))
    raise SystemExit(f"error: scheduler {kind!r} is not implemented (implemented: asha, pasha)")


def new_trial(trial_id: int, data: dict, space: SearchSpace, training: dict, run: dict, rng, generator) -> dict:
    """A sampled configuration, warm-started, with a fresh model and optimiser."""
    model = build_model(run["model"], data["input_shape"], data["num_classes"]).to(data["X_train"].device)
    sampled = space.sample(rng)
    config, record = warm_start(model, data, sampled, space, training, rng, generator)
    return {"id": trial_id, "model": model, "optimizer": make_optimizer(model, config), "config": config,
            "epochs": 0, "warm_start": record}


def run_experiment(run: dict, data: dict, training: dict, seed: int, log) -> dict:
    """One whole scheduler run; returns the trajectory, the warm-start records and the best model."""
    space = SearchSpace(training.get("search_space") or {}, training.get("fixed"))
    scheduler, rng = make_scheduler(training), np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    budget, max_trials = integer(training, "budget_epochs", 30), integer(training, "max_trials", 50)
    batch_size = integer(training, "batch_size", 128)
    trials, trajectory, best = {}, [], {"val": -1.0, "test": 0.0, "trial": None}
    started, epochs_used, warm_seconds = time.perf_counter(), 0, 0.0
    while epochs_used < budget:
        trial_id, rung = scheduler.next_job()
        if trial_id is None:
            if len(trials) >= max_trials:
                break
            trial_id = len(trials)
            trials[trial_id] = new_trial(trial_id, data, space, training, run, rng, generator)
            warm_seconds += trials[trial_id]["warm_start"]["seconds"]
        trial = trials[trial_id]
        epochs = min(scheduler.budgets[rung], budget - epochs_used + trial["epochs"]) - trial["epochs"]
        train_epochs(trial["model"], trial["optimizer"], data, trial["config"], epochs, batch_size, generator)
        trial["epochs"] += epochs
        epochs_used += epochs
        val = accuracy(trial["model"], data["X_val"], data["y_val"])
        test = accuracy(trial["model"], data["X_test"], data["y_test"])
        scheduler.report(trial_id, rung, val)
        if val > best["val"]:
            best = {"val": val, "test": test, "trial": trial_id}
        point = {"event": "rung", "trial": trial_id, "rung": rung, "epochs": trial["epochs"], "val_accuracy": val,
                 "test_accuracy": test, "best_val_accuracy": best["val"], "best_test_accuracy": best["test"],
                 "wall_time_s": time.perf_counter() - started, "cumulative_epochs": epochs_used}
        trajectory.append(point)
        log(point)
    wall = time.perf_counter() - started
    return {
        "family": "ohgw", "scheduler": training.get("scheduler", "asha"), "warm_start": training.get("warm_start", "none"),
        "target_accuracy": number(training, "target_accuracy", 0.9), "trajectory": trajectory,
        "best_val_accuracy": best["val"], "best_test_accuracy": best["test"], "trials": len(trials),
        "total_epochs": epochs_used, "warm_start_seconds": warm_seconds,
        "warm_start_overhead": warm_seconds / wall if wall > 0 else 0.0,
        "configurations": [{"trial": t["id"], **t["warm_start"]} for t in trials.values()],
        "not_implemented": NOT_IMPLEMENTED, "best_model": trials[best["trial"]]["model"],
    }
