METHOD_PLACEHOLDER = "METHOD_PLACEHOLDER"


def method_curve_score(curve: list[float], score: float, training: dict) -> float:
    """The method's own score of a learning curve, from the base score."""
    raise NotImplementedError(f"{METHOD_PLACEHOLDER}: the method's change at curve_score is not in hpogen's catalogue")
