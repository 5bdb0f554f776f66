"""Catalogue change (loss): cross-entropy mixed with the Brier score (Brier 1950).

The per-sample loss becomes (1 - w_t) * loss + w_t * brier, where brier is the sum over classes
of (p_k - onehot_k)^2 and w_t follows brier_schedule over training progress t in [0, 1):
constant (w), linear (w * t) or cosine (w * (1 - cos(pi t)) / 2), the latter two ramping up
from pure cross-entropy, whose gradients are strongest while predictions are still wrong.
"""

import math

import torch


def brier_score(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-row multiclass Brier score: sum_k (p_k - [k == y])^2 = sum_k p_k^2 - 2 p_y + 1."""
    probs = torch.softmax(logits, dim=1)
    true_prob = probs.gather(1, targets[:, None]).squeeze(1)
    return (probs**2).sum(dim=1) - 2.0 * true_prob + 1.0


def brier_weight_at(weight: float, schedule: str, progress: float) -> float:
    """The Brier weight at a point of training (progress in [0, 1])."""
    if schedule == "constant":
        return weight
    if schedule == "linear":
        return weight * progress
    if schedule == "cosine":
        return weight * (1.0 - math.cos(math.pi * progress)) / 2.0
    raise SystemExit(f"error: training.brier_schedule must be constant, linear or cosine, not {schedule!r}")


def brier_mixed_loss(logits, targets, loss, context: dict, training: dict) -> torch.Tensor:
    """The running per-sample loss mixed with the Brier score at this step's weight."""
    weight = brier_weight_at(number(training, "brier_weight", 0.5), str(training.get("brier_schedule", "constant")),
                             float(context.get("progress", 1.0)))
    return (1.0 - weight) * loss + weight * brier_score(logits, targets)
