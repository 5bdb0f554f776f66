METHOD_PLACEHOLDER = "METHOD_PLACEHOLDER"


def method_trial_creation(model, data: dict, config: dict, space, training: dict, rng, generator) -> tuple[dict, dict]:
    """The method's own change to a new trial's configuration: (config, record) as the warm start returns."""
    raise NotImplementedError(f"{METHOD_PLACEHOLDER}: the method's change at trial_creation is not in hpogen's catalogue")
