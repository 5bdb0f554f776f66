"""Catalogue change (loss): knowledge distillation from a teacher (Hinton, Vinyals & Dean 2015).

The teacher is the same model trained in this run with plain cross-entropy for teacher_epochs
(the family trains it the first time its logits are asked for). The per-sample loss becomes
(1 - alpha) * loss + alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)); the T^2
keeps the soft term's gradients on the scale of the hard one's as T changes (Hinton et al., section 2).
"""

import torch


def soft_target_kl(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
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
