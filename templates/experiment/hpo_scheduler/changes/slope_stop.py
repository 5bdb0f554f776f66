"""Catalogue change (stop_trial hook): a moving-window slope test that stops a saturated trial.

After each epoch, a least-squares line is fitted to the last slope_window validation points;
when its slope (accuracy per epoch) is below slope_threshold the trial stops, and the
scheduler never promotes it again.
"""

import numpy as np


def window_slope(curve: list[float], window: int) -> float | None:
    """The least-squares slope of the curve's last window points (None while it is shorter)."""
    if len(curve) < window:
        return None
    y = np.asarray(curve[-window:], dtype=float)
    x = np.arange(window, dtype=float)
    return float(np.polyfit(x, y, 1)[0])


def saturated(curve: list[float], training: dict) -> bool:
    """Whether the curve's recent slope has fallen below the threshold."""
    slope = window_slope(curve, max(2, integer(training, "slope_window", 3)))
    return slope is not None and slope < number(training, "slope_threshold", 0.001)
