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

Family part of train.py: supervised training whose loss the method changes (family objective).

One configuration per run, trained with SGD on images (AdamW for the causal transformer on
tokens), evaluated on validation and test after every epoch; the best-validation weights are
kept, and their test predictions scored for accuracy and calibration (NLL, Brier, ECE with
CALIBRATION_BINS equal-width bins, and the reliability diagram's bins).

The loss hook. The loss of one batch is built per sample (per token for sequences: logits
N x T x V are flattened to N*T rows): per_sample_ce = -log p(target). Each change the run
switches on (changes_for("loss", training), in training.changes order) is called as
    change(logits, targets, loss, context, training) -> new per-sample loss (one value per row)
with loss the per-sample loss so far, so a weight (focal) and a mix (Brier) compose. The batch
loss is the mean of the last one. context holds:
    progress      completed optimiser steps / total steps, in [0, 1)
    step, total_steps, num_classes, kind ("images" or "tokens")
    teacher_logits      () -> the teacher's flat logits for this batch (no gradient); the teacher,
                        the same model trained with plain cross-entropy for teacher_epochs, is
                        trained in this run the first time a change asks for it
    second_view_logits  (magnitude) -> the student's flat logits for a second, noised view of
                        the batch (images: contrast/brightness jitter and pixel noise; tokens:
                        each input token replaced by a random one with probability magnitude)

training keys: epochs, batch_size, subset, learning_rate, weight_decay, momentum, optimizer
(auto: SGD for images, AdamW for tokens), adamw_learning_rate, teacher_epochs, target_accuracy,
changes, and each change's own parameters.
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
    "family": "objective",
    "experiment": "training-objective changes to supervised training (loss variants, scored for accuracy and calibration)",
    "changes": ["distillation"],
    "method": "We propose Same-Run Self-Distillation (SRSD). A teacher network is first trained on the training set with plain cross-entropy; the student, of the same architecture, is then trained from a fresh initialisation with the knowledge distillation objective of Hinton et al.: L = (1 - α) CE(y, p_s) + α T^2 KL(softmax(z_t / T) || softmax(z_s / T)), where z_t and z_s are the teacher's and the student's ...",
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
CALIBRATION_BINS = 10
EVAL_ELEMENTS = 1 << 23  # logits per evaluation batch: keeps a large vocabulary within memory


def flat(logits: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits as rows of classes and targets as one label per row: images stay N x K, token
    sequences N x T x V become N*T rows, so every loss and metric is per sample or per token."""
    return logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)


def per_sample_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """-log p(target) per row: the base loss every change starts from."""
    return nn.functional.cross_entropy(logits, targets, reduction="none")


def batch_loss(
    logits: torch.Tensor, targets: torch.Tensor, changes: list, context: dict, training: dict
):
    """The mean over rows of the per-sample loss after every change, applied in order."""
    logits, targets = flat(logits, targets)
    loss = per_sample_cross_entropy(logits, targets)
    for change in changes:
        loss = change(logits, targets, loss, context, training)
        if loss.shape != targets.shape:
            shape = tuple(loss.shape)
            raise SystemExit(
                f"error: loss change {change.__name__} must return one loss per row, not {shape}"
            )
    return loss.mean()


def make_training_optimizer(model: nn.Module, training: dict, kind: str) -> torch.optim.Optimizer:
    """SGD with momentum for the image models; AdamW for the transformer, as GPT-2 is trained."""
    choice = str(training.get("optimizer", "auto"))
    if choice == "adamw" or (choice == "auto" and kind == "tokens"):
        return torch.optim.AdamW(
            model.parameters(),
            lr=number(training, "adamw_learning_rate", 3e-3),
            weight_decay=number(training, "adamw_weight_decay", 0.01),
        )
    return make_optimizer(
        model,
        {
            name: number(training, name, default)
            for name, default in (
                ("learning_rate", 0.05),
                ("weight_decay", 5e-4),
                ("momentum", 0.9),
            )
        },
    )


def noised_view(
    x: torch.Tensor, magnitude: float, kind: str, vocabulary: int, generator
) -> torch.Tensor:
    """A second view of a batch: images get a contrast/brightness jitter and pixel noise scaled
    by magnitude; tokens are each replaced by a random token with probability magnitude."""
    if kind == "tokens":
        swap = torch.rand(x.shape, generator=generator) < magnitude
        random_tokens = torch.randint(0, vocabulary, x.shape, generator=generator)
        return torch.where(swap.to(x.device), random_tokens.to(x.device), x)
    jittered = x * (
        1.0 + magnitude * torch.randn((len(x),) + (1,) * (x.dim() - 1), generator=generator).to(x)
    )
    return jittered + magnitude * torch.randn(x.shape, generator=generator).to(x)


class Teacher:
    """The distillation teacher: the run's model trained with plain cross-entropy for
    teacher_epochs, on its own seeded stream, the first time a change asks for its logits."""

    def __init__(self, run: dict, data: dict, training: dict, seed: int, log) -> None:
        self.run, self.data, self.training, self.seed, self.log = run, data, training, seed, log
        self.model = None
        self.record = {}

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        if self.model is None:
            self.model = self.train()
        self.model.eval()
        with torch.no_grad():
            return self.model(x)

    def train(self) -> nn.Module:
        """Trained inside fork_rng, so the student's random stream is the same as without a teacher."""
        with torch.random.fork_rng():
            torch.manual_seed(self.seed + 10_000)
            return self._train()

    def _train(self) -> nn.Module:
        started = time.perf_counter()
        data, kind = self.data, self.data.get("kind", "images")
        model = build_model(self.run["model"], data["input_shape"], data["num_classes"]).to(
            data["X_train"].device
        )
        optimizer = make_training_optimizer(model, self.training, kind)
        generator = torch.Generator().manual_seed(self.seed + 10_000)
        epochs = integer(self.training, "teacher_epochs", integer(self.training, "epochs", 10))
        for _ in range(epochs):
            fit_epoch(model, optimizer, data, self.training, [], generator, None)
        scores = evaluate_split(model, data["X_test"], data["y_test"], data["num_classes"])
        self.record = {
            "teacher_epochs": epochs,
            "teacher_test_accuracy": scores["accuracy"],
            "teacher_wall_time_s": time.perf_counter() - started,
        }
        self.log({"event": "teacher", **self.record})
        return model


class StepContext:
    """What the loss changes may read at one step; progress runs over the whole training."""

    def __init__(
        self, model: nn.Module, data: dict, teacher: Teacher | None, total_steps: int, generator
    ) -> None:
        self.model, self.data, self.teacher, self.total_steps = (
            model,
            data,
            teacher,
            max(total_steps, 1),
        )
        self.kind = data.get("kind", "images")
        self.view_generator = generator
        self.step = 0

    def for_batch(self, x: torch.Tensor) -> dict:
        def teacher_logits() -> torch.Tensor:
            if self.teacher is None:
                raise SystemExit(
                    "error: a loss change asked for a teacher, but this run trains none"
                )
            return self.teacher.logits(x).reshape(-1, self.data["num_classes"])

        def second_view_logits(magnitude: float) -> torch.Tensor:
            view = noised_view(
                x, magnitude, self.kind, self.data["num_classes"], self.view_generator
            )
            return self.model(view).reshape(-1, self.data["num_classes"])

        return {
            "progress": self.step / self.total_steps,
            "step": self.step,
            "total_steps": self.total_steps,
            "num_classes": self.data["num_classes"],
            "kind": self.kind,
            "teacher_logits": teacher_logits,
            "second_view_logits": second_view_logits,
        }


def fit_epoch(
    model,
    optimizer,
    data: dict,
    training: dict,
    changes: list,
    generator,
    context: StepContext | None,
):
    """One pass over the training rows in seeded random order, one optimiser step per batch."""
    X, y = data["X_train"], data["y_train"]
    batch_size = integer(training, "batch_size", 128)
    model.train()
    order = torch.randperm(len(y), generator=generator).to(X.device)
    for start in range(0, len(y), batch_size):
        rows = order[start : start + batch_size]
        if len(rows) < 2 and len(y) > 1:
            continue  # a batch of one breaks batch norm
        step_context = context.for_batch(X[rows]) if context is not None else {}
        loss = batch_loss(model(X[rows]), y[rows], changes, step_context, training)
        if not torch.isfinite(loss):
            raise SystemExit(f"error: the training loss became {float(loss)}")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        if context is not None:
            context.step += 1


def steps_per_epoch(data: dict, training: dict) -> int:
    """The optimiser steps fit_epoch takes per epoch (it skips a last batch of one row), so that
    progress reaches 1 at the end of training."""
    rows, batch_size = len(data["y_train"]), integer(training, "batch_size", 128)
    full, rest = divmod(rows, batch_size)
    return full + (1 if rest >= 2 or (rest == 1 and rows == 1) else 0)


def reliability_bins(
    confidence: torch.Tensor, correct: torch.Tensor, bins: int = CALIBRATION_BINS
) -> dict:
    """Per equal-width confidence bin (lower, upper]: summed confidence, summed correctness, count."""
    index = (torch.ceil(confidence.double() * bins).long() - 1).clamp(0, bins - 1)
    return {
        "confidence_sum": torch.zeros(bins, dtype=torch.float64).index_add_(
            0, index, confidence.double()
        ),
        "correct_sum": torch.zeros(bins, dtype=torch.float64).index_add_(
            0, index, correct.double()
        ),
        "count": torch.bincount(index, minlength=bins).double(),
    }


def expected_calibration_error(bins: dict) -> float:
    """ECE (Guo et al. 2017): the count-weighted mean gap between accuracy and confidence per bin."""
    total = float(bins["count"].sum())
    filled = bins["count"] > 0
    gaps = (bins["correct_sum"][filled] - bins["confidence_sum"][filled]).abs()
    return float(gaps.sum()) / max(total, 1.0)


def reliability_diagram(bins: dict) -> list[dict]:
    """The reliability diagram's points: each bin's range, mean confidence, accuracy and count."""
    width = 1.0 / len(bins["count"])
    points = []
    for index, count in enumerate(bins["count"].tolist()):
        filled = count > 0
        points.append(
            {
                "lower": index * width,
                "upper": (index + 1) * width,
                "count": int(count),
                "confidence": float(bins["confidence_sum"][index]) / count if filled else None,
                "accuracy": float(bins["correct_sum"][index]) / count if filled else None,
            }
        )
    return points


def eval_batch_size(y: torch.Tensor, num_classes: int) -> int:
    """Rows per evaluation batch, so that one batch's logits stay under EVAL_ELEMENTS values."""
    per_row = y[0].numel() * num_classes if len(y) else num_classes
    return max(1, min(1024, EVAL_ELEMENTS // max(per_row, 1)))


@torch.no_grad()
def evaluate_split(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, num_classes: int, diagram: bool = False
):
    """Accuracy, NLL, Brier score (sum over classes of the squared error, Brier 1950) and ECE of
    the model's predictions, per sample or per token; with diagram, the reliability bins too."""
    model.eval()
    totals = {"nll": 0.0, "brier": 0.0, "correct": 0.0, "rows": 0}
    bins = reliability_bins(torch.ones(0), torch.ones(0))
    batch = eval_batch_size(y, num_classes)
    for start in range(0, len(y), batch):
        logits, targets = flat(model(X[start : start + batch]), y[start : start + batch])
        log_probs = torch.log_softmax(logits.double(), dim=1)
        probs = log_probs.exp()
        true_prob = probs.gather(1, targets[:, None]).squeeze(1)
        confidence, predicted = probs.max(dim=1)
        correct = predicted == targets
        totals["nll"] -= float(log_probs.gather(1, targets[:, None]).sum())
        totals["brier"] += float(((probs**2).sum(1) - 2.0 * true_prob + 1.0).sum())
        totals["correct"] += float(correct.sum())
        totals["rows"] += len(targets)
        found = reliability_bins(confidence.cpu(), correct.cpu())
        bins = {key: bins[key] + found[key] for key in bins}
    rows = max(totals["rows"], 1)
    scores = {
        "accuracy": totals["correct"] / rows,
        "nll": totals["nll"] / rows,
        "brier": totals["brier"] / rows,
        "ece": expected_calibration_error(bins),
        "rows": totals["rows"],
    }
    if diagram:
        scores["reliability"] = reliability_diagram(bins)
    return scores


def final_scores(model: nn.Module, data: dict) -> dict:
    """The calibration record of the best-validation model on the test split."""
    test = evaluate_split(model, data["X_test"], data["y_test"], data["num_classes"], diagram=True)
    scores = {
        "test_accuracy": test["accuracy"],
        "test_nll": test["nll"],
        "test_brier": test["brier"],
        "test_ece": test["ece"],
        "test_rows": test["rows"],
        "calibration_bins": CALIBRATION_BINS,
        "reliability": test["reliability"],
    }
    if data.get("kind") == "tokens":
        scores["test_perplexity"] = math.exp(min(test["nll"], 700.0))
    return scores


def run_experiment(run: dict, data: dict, training: dict, seed: int, log) -> dict:
    """Train one configuration with the run's loss for its epochs, evaluating after each; keep
    the best-validation weights and score their test predictions for calibration."""
    kind = data.get("kind", "images")
    changes = changes_for("loss", training)
    model = build_model(run["model"], data["input_shape"], data["num_classes"]).to(
        data["X_train"].device
    )
    optimizer = make_training_optimizer(model, training, kind)
    generator = torch.Generator().manual_seed(seed)
    epochs = integer(training, "epochs", 10)
    teacher = Teacher(run, data, training, seed, log) if changes else None
    context = StepContext(
        model,
        data,
        teacher,
        epochs * steps_per_epoch(data, training),
        torch.Generator().manual_seed(seed + 20_000),
    )
    trajectory, best, best_state = [], {"val": -1.0, "test": 0.0, "epoch": 0}, None
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        fit_epoch(model, optimizer, data, training, changes, generator, context)
        val = evaluate_split(model, data["X_val"], data["y_val"], data["num_classes"])
        test = evaluate_split(model, data["X_test"], data["y_test"], data["num_classes"])
        if val["accuracy"] > best["val"]:
            best, best_state = (
                {"val": val["accuracy"], "test": test["accuracy"], "epoch": epoch},
                copy.deepcopy(model.state_dict()),
            )
        point = {
            "event": "epoch",
            "epoch": epoch,
            "val_accuracy": val["accuracy"],
            "val_nll": val["nll"],
            "val_ece": val["ece"],
            "test_accuracy": test["accuracy"],
            "test_nll": test["nll"],
            "test_ece": test["ece"],
            "best_val_accuracy": best["val"],
            "best_test_accuracy": best["test"],
            "wall_time_s": time.perf_counter() - started,
            "cumulative_epochs": epoch,
        }
        trajectory.append(point)
        log(point)
    if best_state is not None:
        model.load_state_dict(best_state)
    return {
        "family": "objective",
        "kind": kind,
        "changes": list(training.get("changes") or []),
        "target_accuracy": number(training, "target_accuracy", 0.9),
        "trajectory": trajectory,
        "best_val_accuracy": best["val"],
        "best_test_accuracy": best["test"],
        "best_epoch": best["epoch"],
        "total_epochs": epochs,
        **final_scores(model, data),
        **(teacher.record if teacher is not None else {}),
        "not_implemented": NOT_IMPLEMENTED,
        "best_model": model,
    }


def soft_target_kl(
    student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float
) -> torch.Tensor:
    """Per-row KL divergence from the teacher's to the student's temperature-softened distribution."""
    teacher_log_probs = torch.log_softmax(teacher_logits / temperature, dim=1)
    student_log_probs = torch.log_softmax(student_logits / temperature, dim=1)
    return (teacher_log_probs.exp() * (teacher_log_probs - student_log_probs)).sum(dim=1)


def distillation_loss(logits, targets, loss, context: dict, training: dict) -> torch.Tensor:
    """The running loss mixed with the teacher's soft targets, scaled by T^2."""
    temperature = number(training, "distill_temperature", 4.0)
    alpha = number(training, "distill_alpha", 0.5)
    if temperature <= 0.0:
        raise SystemExit(f"error: training.distill_temperature must be positive, not {temperature}")
    soft = soft_target_kl(logits, context["teacher_logits"]().detach(), temperature)
    return (1.0 - alpha) * loss + alpha * temperature**2 * soft


CHANGES = {"loss": {"distillation": distillation_loss}}


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
