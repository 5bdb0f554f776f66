"""Change at adapt_loss: each sample's entropy loss weighted by exp(E0 - H), EATA's re-weighting.

Niu et al. 2022 (EATA, its sample-adaptive weight) weight a sample by 1 / exp(H(x) - E0) with E0 = margin * ln(K):
confident samples (low entropy) steer the update more than uncertain ones, whose gradients are
noisy and, on a shifted stream, often wrong. The weight is a constant (no gradient flows through
it). training keys: scaling_margin (E0 as a share of ln K, default 0.4).
"""

import math

import torch


def entropy_weight(entropy: torch.Tensor, num_classes: int, margin: float) -> torch.Tensor:
    """exp(E0 - H) with E0 = margin * ln(num_classes), detached from the graph."""
    return torch.exp(margin * math.log(num_classes) - entropy.detach())


def entropy_scaled_loss(logits, loss, weights, context: dict, training: dict):
    """(loss, weights) with every weight multiplied by its sample's entropy weight."""
    margin = number(training, "scaling_margin", 0.4)
    return loss, weights * entropy_weight(context["entropy"], int(context["num_classes"]), margin)
