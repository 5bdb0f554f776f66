"""Catalogue change (curve_score hook): a penalty on the compressed curve score for an unstable
curve, so a trial whose recent validation accuracy jumps around is not promoted on one lucky epoch.

score' = score - curve_penalty_weight * std(last curve_penalty_window points of the curve)
"""

import numpy as np


def penalised_curve_score(curve: list[float], score: float, training: dict) -> float:
    """score less the weighted spread of the curve's last points (no penalty below two points)."""
    window = max(2, integer(training, "curve_penalty_window", 3))
    recent = np.asarray(curve[-window:], dtype=float)
    if len(recent) < 2:
        return score
    return score - number(training, "curve_penalty_weight", 1.0) * float(recent.std())
