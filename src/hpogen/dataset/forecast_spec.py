"""The forecasting keys of a DatasetSpec: checked, and the season length and horizon filled in by
the rules of rules/bundle/forecasting.toml ([season], [horizon]) when the spec does not state them.

A frequency is a pandas offset alias ("MS", "QS-OCT", "YS-JAN", "W-SUN", "D", "30min", "h");
it is read here without importing pandas, so that plan and generate stay light.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import HpogenError
from ..tables import table

_ALIAS = re.compile(r"^(\d*)([A-Za-z]+)(?:-[A-Za-z]{3})?$")
# pandas alias stems (old and new spellings) -> the [season] / [horizon] rows
_KINDS = {
    **dict.fromkeys(("Y", "YS", "YE", "A", "AS", "BA", "BAS", "BY", "BYS", "BYE"), "yearly"),
    **dict.fromkeys(("Q", "QS", "QE", "BQ", "BQS", "BQE"), "quarterly"),
    **dict.fromkeys(("M", "MS", "ME", "BM", "BMS", "BME", "SM", "SMS", "SME", "CBMS", "CBME"), "monthly"),
    "W": "weekly", "D": "daily", "B": "business_daily", "C": "business_daily",
    **dict.fromkeys(("h", "H", "bh", "BH"), "hourly"),
    **dict.fromkeys(("min", "T"), "minutely"),
    **dict.fromkeys(("s", "S"), "secondly"),
}


def frequency_kind(frequency: str | None) -> tuple[str, int]:
    """("monthly", 1) for "MS", ("minutely", 30) for "30min", ("steps", 1) for None."""
    if frequency is None:
        return "steps", 1
    match = _ALIAS.match(frequency.strip())
    kind = _KINDS.get(match.group(2)) if match else None
    if kind is None:
        raise HpogenError(f"spec: frequency {frequency!r} is not a pandas offset alias hpogen knows "
                          "(e.g. YS, QS, MS, W-SUN, D, B, h, 30min, s)")
    return kind, int(match.group(1) or 1)


def season_rule(frequency: str | None) -> tuple[int, str]:
    """The season length of a frequency (HPG-FC-SEASON) and why."""
    rule = table("forecasting")["season"]
    kind, step = frequency_kind(frequency)
    if kind == "minutely" and step > 1 and 1440 % step == 0 and 1440 // step <= rule["max_daily_points"]:
        return 1440 // step, f"{frequency} data: {1440 // step} points make a day"
    if kind == "hourly" and step > 1 and 24 % step == 0:
        return 24 // step, f"{frequency} data: {24 // step} points make a day"
    length = int(rule[kind])
    named = "plain integer steps" if frequency is None else f"{frequency} ({kind}) data"
    return length, f"{named}: " + ("no season" if length == 1 else f"a season of {length} points")


def horizon_rule(frequency: str | None, season_length: int) -> tuple[int, str]:
    """The customary horizon of a frequency (HPG-FC-HORIZON) and why."""
    rule = table("forecasting")["horizon"]
    kind, _ = frequency_kind(frequency)
    if kind in rule:
        return int(rule[kind]), f"the M4 horizon of {kind} data"
    return max(season_length, 1), "one season"


def check_forecast(values: dict[str, Any]) -> None:
    """Check the forecasting keys in place; fill season_length and horizon from the rules."""
    for key in ("image_shape", "n_features", "class_counts", "target_range"):
        if values.get(key) is not None:
            raise HpogenError(f"spec: {key} does not apply to forecasting")
    if values["n_categorical"]:
        raise HpogenError("spec: n_categorical applies to tabular data only")
    values.setdefault("n_channels", 1)
    if values["n_channels"] != 1:
        raise HpogenError("spec: a forecast target has one channel; give other series as covariates")
    values.setdefault("n_series", 1)
    for key in ("n_series", "min_length", "max_length"):
        if values.get(key) is None:
            raise HpogenError(f"spec: {key} is required for forecasting")
        values[key] = _positive(values[key], key)
    if values["min_length"] > values["max_length"]:
        raise HpogenError(f"spec: min_length ({values['min_length']}) exceeds max_length ({values['max_length']})")
    if values["n_samples"] < values["n_series"] * values["min_length"]:
        raise HpogenError("spec: n_samples (every series' points added up) is below n_series x min_length")
    for key in ("frequency", "time_column", "target_column", "id_column"):
        if values.get(key) is not None and not isinstance(values[key], str):
            raise HpogenError(f"spec: {key} must be a string, not {values[key]!r}")
    if values.get("frequency") is not None:
        frequency_kind(values["frequency"])
    if values.get("season_length") is None:
        values["season_length"] = season_rule(values.get("frequency"))[0]
    values["season_length"] = _positive(values["season_length"], "season_length")
    if values.get("horizon") is None:
        values["horizon"] = horizon_rule(values.get("frequency"), values["season_length"])[0]
    values["horizon"] = _positive(values["horizon"], "horizon")
    _check_covariates(values)
    check_lengths(values["horizon"], values["season_length"], values["min_length"], "spec")


def check_lengths(horizon: int, season_length: int, shortest: int, where: str) -> None:
    """A horizon shorter than every series, and two seasons before the test where there is a season."""
    if horizon >= shortest:
        raise HpogenError(f"{where}: horizon {horizon} is not shorter than the shortest series ({shortest} points)")
    seasons = table("forecasting")["seasonal_data"]["seasons"]
    if season_length > 1 and shortest - horizon < seasons * season_length:
        raise HpogenError(
            f"{where}: the shortest series has {shortest - horizon} points before its last {horizon}, fewer than "
            f"{seasons} seasons of {season_length} (HPG-FC-TWO-SEASONS); give --season-length 1 to model no season"
        )


def _check_covariates(values: dict[str, Any]) -> None:
    covariates = values.get("covariates")
    if covariates is None:
        return
    if isinstance(covariates, list | tuple):  # [(name, kind), ...] as the readers give them
        covariates = dict(covariates)
    if not isinstance(covariates, dict):
        raise HpogenError(f"spec: covariates must map column names to known or past, not {covariates!r}")
    for name, kind in covariates.items():
        if not isinstance(name, str) or not name.strip():
            raise HpogenError(f"spec: covariate names must be non-empty strings, not {name!r}")
        if kind not in ("known", "past"):
            raise HpogenError(f"spec: covariate {name!r} must be known or past, not {kind!r}")
    values["covariates"] = tuple(covariates.items())


def _positive(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise HpogenError(f"spec: {key} must be a positive integer, not {value!r}")
    return value
