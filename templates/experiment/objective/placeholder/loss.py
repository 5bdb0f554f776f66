"""Family placeholder (loss): the method's own change to the loss, which the catalogue lacks."""

METHOD_PLACEHOLDER = "METHOD_PLACEHOLDER"


def method_loss(logits, targets, loss, context: dict, training: dict):
    """The method's per-sample loss: change(logits, targets, loss, context, training) -> one value per row."""
    raise NotImplementedError(
        f"{METHOD_PLACEHOLDER}: the method's own change to the loss is not in hpogen's catalogue; "
        "write it here as a per-sample loss (see the loss hook in this module's docstring)"
    )
