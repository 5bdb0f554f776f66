"""Catalogue change (loss): a per-sample weight, focal style (Lin et al. 2017).

Each row's running loss is multiplied by (1 - p_target)^gamma, so confidently right rows count
less; on plain cross-entropy this is the focal loss, which Mukhoti et al. 2020 found better
calibrated. The weight keeps its gradient, as in Lin et al.; gamma = 0 gives the loss unchanged.
"""

import torch


def focal_weight(logits: torch.Tensor, targets: torch.Tensor, gamma: float) -> torch.Tensor:
    """(1 - p_target)^gamma per row."""
    true_prob = torch.softmax(logits, dim=1).gather(1, targets[:, None]).squeeze(1)
    return (1.0 - true_prob).clamp_min(0.0) ** gamma


def focal_weighted_loss(logits, targets, loss, context: dict, training: dict) -> torch.Tensor:
    """The running per-sample loss, each row weighted by its focal factor."""
    gamma = number(training, "focal_gamma", 2.0)
    if gamma < 0.0:
        raise SystemExit(f"error: training.focal_gamma must be non-negative, not {gamma}")
    return focal_weight(logits, targets, gamma) * loss
