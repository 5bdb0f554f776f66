"""Change at adapt_loss: only samples on one side of an entropy threshold take part in the update.

EATA (Niu et al. 2022) and SAR (Niu et al. 2023) drop unreliable samples, those whose entropy is
at or above E0 = margin * ln(K) (margin 0.4): their gradients dominate and mislead the update.
With threshold_side "above" the opposite subset is kept (only uncertain samples adapt), the
control that tells whether it is the confident samples that help. training keys:
threshold_margin (default 0.4), threshold_side (below | above, default below).
"""

import math

import torch


def entropy_mask(entropy: torch.Tensor, num_classes: int, margin: float, side: str) -> torch.Tensor:
    """1.0 for the samples kept, 0.0 for the others: entropy < E0 (below) or entropy > E0 (above)."""
    threshold = margin * math.log(num_classes)
    if side == "below":
        return (entropy.detach() < threshold).to(entropy.dtype)
    if side == "above":
        return (entropy.detach() > threshold).to(entropy.dtype)
    raise SystemExit(f"error: training.threshold_side must be below or above, not {side!r}")


def entropy_filtered_loss(logits, loss, weights, context: dict, training: dict):
    """(loss, weights) with the weights of the samples outside the threshold set to zero."""
    margin = number(training, "threshold_margin", 0.4)
    side = str(training.get("threshold_side", "below"))
    return loss, weights * entropy_mask(context["entropy"], int(context["num_classes"]), margin, side)
