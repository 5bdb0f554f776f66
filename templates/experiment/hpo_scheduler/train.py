"""Family part of train.py: multi-fidelity HPO schedulers over a continuous search space.

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

import itertools
import math
import time

import numpy as np
import torch

NOT_IMPLEMENTED = {not_implemented}
HYPERPARAMETERS = ("learning_rate", "weight_decay", "momentum", "augment_magnitude", "label_smoothing")
FIXED_DEFAULTS = {"learning_rate": 0.05, "weight_decay": 5e-4, "momentum": 0.9, "augment_magnitude": 0.0,
                  "label_smoothing": 0.0}


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
        ranked = sorted((t for t in self.members if t not in self.stopped), key=lambda t: -scores[t])
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
    args = integer(training, "min_epochs", 1), integer(training, "max_epochs", 9), integer(training, "eta", 3)
    if kind == "asha":
        return ASHA(*args)
    if kind == "pasha":
        return PASHA(*args, number(training, "pasha_epsilon", 0.005))
    if kind in ("sh", "hyperband"):
        return SuccessiveHalving(*args, hyperband=kind == "hyperband")
    if kind == "boil":
        return BOIL(*args)
    raise SystemExit(f"error: scheduler {kind!r} is not implemented (implemented: sh, hyperband, asha, pasha, boil)")


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
    score = compressed_score(curve, training) if training.get("scheduler") == "boil" else float(curve[-1])
    for change in changes_for("curve_score", training):
        score = float(change(curve, score, training))
    return score


def expected_improvement(candidates: list[dict], history: list[tuple[dict, float]], space: SearchSpace,
                         training: dict) -> list[dict]:
    """candidates ranked by expected improvement over the best score under a GP (Matern 5/2 and
    noise) fitted to history's (configuration, score) pairs; sampled order while it has < 2."""
    if len(history) < 2:
        return list(candidates)
    from scipy.stats import norm
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import Matern, WhiteKernel

    X = np.array([space.unit(config) for config, _ in history])
    y = np.array([score for _, score in history])
    model = GaussianProcessRegressor(Matern(nu=2.5) + WhiteKernel(1e-3), normalize_y=True, random_state=0)
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


def create_trial(trial_id: int, data: dict, space: SearchSpace, training: dict, run: dict, history: list, rng,
                 generator) -> dict:
    """A proposed configuration, passed through the trial_creation changes, with a fresh model and optimiser."""
    model = build_model(run["model"], data["input_shape"], data["num_classes"]).to(data["X_train"].device)
    config = propose(space, history, training, rng)
    record = {"kind": "none", "before": config, "after": config, "seconds": 0.0}
    for change in changes_for("trial_creation", training):
        config, record = change(model, data, config, space, training, rng, generator)
    return {"id": trial_id, "model": model, "optimizer": make_optimizer(model, config), "config": config,
            "epochs": 0, "curve": [], "stopped": False, "warm_start": record}


def train_rung(trial: dict, data: dict, epochs: int, training: dict, batch_size: int, generator) -> None:
    """epochs more of the trial's training; epoch by epoch with a validation point each when a
    stop_trial change watches the curve, which may end the trial early."""
    stoppers = changes_for("stop_trial", training)
    if not stoppers:
        train_epochs(trial["model"], trial["optimizer"], data, trial["config"], epochs, batch_size, generator)
        trial["epochs"] += epochs
        trial["curve"].append(accuracy(trial["model"], data["X_val"], data["y_val"]))
        return
    for _ in range(epochs):
        train_epochs(trial["model"], trial["optimizer"], data, trial["config"], 1, batch_size, generator)
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
            trials[trial_id] = create_trial(trial_id, data, space, training, run, list(history.values()), rng,
                                            generator)
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
        point = {"event": "rung", "trial": trial_id, "rung": rung, "epochs": trial["epochs"], "val_accuracy": val,
                 "test_accuracy": test, "score": score, "stopped": trial["stopped"], "best_val_accuracy": best["val"],
                 "best_test_accuracy": best["test"], "wall_time_s": time.perf_counter() - started,
                 "cumulative_epochs": epochs_used, "evaluations": evaluations}
        trajectory.append(point)
        log(point)
    wall = time.perf_counter() - started
    return {
        "family": "hpo_scheduler", "scheduler": training.get("scheduler", "asha"),
        "warm_start": training.get("warm_start", "none"), "changes": list(training.get("changes") or []),
        "target_accuracy": number(training, "target_accuracy", 0.9), "trajectory": trajectory,
        "best_val_accuracy": best["val"], "best_test_accuracy": best["test"], "trials": len(trials),
        "stopped_trials": sum(t["stopped"] for t in trials.values()),
        "total_epochs": epochs_used, "warm_start_seconds": warm_seconds,
        "warm_start_overhead": warm_seconds / wall if wall > 0 else 0.0,
        "configurations": [{"trial": t["id"], **t["warm_start"]} for t in trials.values()],
        "not_implemented": NOT_IMPLEMENTED, "best_model": trials[best["trial"]]["model"],
    }


CHANGES = {changes}
