"""Placeholder at adapt_loss: the method's own adaptation loss, which the catalogue lacks."""

METHOD_PLACEHOLDER = "METHOD_PLACEHOLDER"


def method_adapt_loss(logits, loss, weights, context: dict, training: dict):
    """(loss, weights) of the method's own test-time objective, to be written from its description."""
    raise NotImplementedError(
        f"{METHOD_PLACEHOLDER}: the method's own test-time adaptation loss is not in hpogen's catalogue of "
        "changes; write it here with the hook's signature, (logits, loss, weights, context, training) -> "
        "(per-sample loss, per-sample weights), using context['entropy'] and context['num_classes']"
    )
