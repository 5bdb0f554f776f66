METHOD_PLACEHOLDER = "METHOD_PLACEHOLDER"


def method_surrogate(candidates: list[dict], history: list, space, training: dict) -> list[dict]:
    """The method's own ranking of candidate configurations, best first."""
    raise NotImplementedError(f"{METHOD_PLACEHOLDER}: the method's change at surrogate is not in hpogen's catalogue")
