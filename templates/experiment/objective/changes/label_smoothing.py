"""Catalogue change (loss): label smoothing (Szegedy et al. 2016, section 7).

Cross-entropy against (1 - s) * one-hot + s / K targets equals (1 - s) * CE + s * the mean over
classes of -log p_k; the change applies that mix to the running per-sample loss.
"""

import torch


def smoothed_targets_loss(logits, targets, loss, context: dict, training: dict) -> torch.Tensor:
    """(1 - s) * the running loss + s * the cross-entropy against the uniform distribution."""
    smoothing = number(training, "label_smoothing", 0.1)
    if not 0.0 <= smoothing < 1.0:
        raise SystemExit(f"error: training.label_smoothing must lie in [0, 1), not {smoothing}")
    uniform = -torch.log_softmax(logits, dim=1).mean(dim=1)
    return (1.0 - smoothing) * loss + smoothing * uniform
