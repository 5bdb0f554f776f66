METHOD_PLACEHOLDER = "METHOD_PLACEHOLDER"


def method_stop_trial(curve: list[float], training: dict) -> bool:
    """The method's own rule for stopping a running trial."""
    raise NotImplementedError(f"{METHOD_PLACEHOLDER}: the method's change at stop_trial is not in hpogen's catalogue")
