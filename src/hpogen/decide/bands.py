"""Small arithmetic the rule tables use: bands of a value and positions within ranges."""

from __future__ import annotations

import math
from typing import Any, NamedTuple


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


class Sizing(NamedTuple):
    """What a table's size rules give a dataset of some size: its band, families, facade, trials,
    wall-time hours, initial design and fidelity (the series and forecasting tables share them)."""

    band: str
    families: list[str]
    multi_fidelity: bool
    facade: str
    n_trials: int
    hours: float
    initial_configs: int
    fidelity: dict[str, Any]


def sizing(rules: dict[str, Any], size: int, threshold: int) -> Sizing:
    """The size rules of a table with [size], [families], [facade], [trials], [walltime],
    [initial_design] and [fidelity] for data of `size` (multi-fidelity from `threshold` on)."""
    band = banded(size, rules["size"]["bands"], rules["size"]["band_above"])
    families = list(rules["families"][band])
    multi_fidelity = size >= threshold
    facade = rules["facade"]["at_or_above"] if multi_fidelity else rules["facade"]["below"]
    n_trials = rules["trials"][band]
    design = rules["initial_design"]
    initial = max(design["minimum"], round(design["share"] * n_trials))
    return Sizing(band, families, multi_fidelity, facade, n_trials, rules["walltime"]["hours"][band], initial,
                  {family: rules["fidelity"][family] for family in families})
