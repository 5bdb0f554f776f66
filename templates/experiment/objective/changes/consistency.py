"""Catalogue change (loss): consistency regularisation between two views of a batch
(Laine & Aila 2017, the Pi-model; Sohn et al. 2020 and Xie et al. 2020 for the stopped gradient).

The second view is the batch noised by the family (consistency_noise: jitter and pixel noise for
images, random token replacement for sequences). The per-sample loss becomes
loss + lambda * d(p_first, p_second), with d the squared error between the softmaxes averaged over
classes (Laine & Aila) or KL(p_first || p_second); p_first is a fixed target (no gradient), so the
term pulls the noised view's prediction towards the clean one.
"""

import torch


def view_divergence(first_logits: torch.Tensor, second_logits: torch.Tensor, divergence: str) -> torch.Tensor:
    """Per-row divergence of the second view's prediction from the first's (the target)."""
    target = torch.softmax(first_logits.detach(), dim=1)
    if divergence == "mse":
        return ((torch.softmax(second_logits, dim=1) - target) ** 2).mean(dim=1)
    if divergence == "kl":
        log_target = torch.log_softmax(first_logits.detach(), dim=1)
        return (target * (log_target - torch.log_softmax(second_logits, dim=1))).sum(dim=1)
    raise SystemExit(f"error: training.consistency_divergence must be mse or kl, not {divergence!r}")


def consistency_loss(logits, targets, loss, context: dict, training: dict) -> torch.Tensor:
    """The running loss plus the weighted divergence between the clean and the noised view."""
    weight = number(training, "consistency_weight", 1.0)
    second = context["second_view_logits"](number(training, "consistency_noise", 0.1))
    return loss + weight * view_divergence(logits, second, str(training.get("consistency_divergence", "mse")))
