"""Small arithmetic the rule tables use: bands of a value and positions within ranges."""

from __future__ import annotations

import math
from typing import Any


def banded(value: float, bands: list[list[Any]], above: Any) -> Any:
    """The label of the first [limit, label] band with value <= limit (else `above`)."""
    for limit, label in bands:
        if value <= limit:
            return label
    return above


def position(n_samples: int, low: float, high: float) -> float:
    """Where log10(n_samples) sits between low and high, clamped to [0, 1]."""
    t = (math.log10(max(n_samples, 1)) - low) / (high - low)
    return min(1.0, max(0.0, t))


def pick_int(bounds: list[int], t: float) -> int:
    """The integer at fraction t of the inclusive range bounds."""
    lo, hi = bounds
    return int(round(lo + t * (hi - lo)))
