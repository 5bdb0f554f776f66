"""Spec facts of data to forecast: a long-format CSV or a .tsf file read by bundle_forecast,
refused with one line when it cannot be read or learnt from."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..errors import HpogenError


def forecast_file_facts(path: Path, target: str | None, flags: dict[str, Any]) -> dict[str, Any]:
    """DatasetSpec keys of the series at path, read by the columns the flags name."""
    from . import bundle_forecast  # pandas: only when a file is read

    if not path.exists():
        raise HpogenError(f"data file not found: {path}")
    covariates = flags.get("covariates")
    tsf = path.suffix.lower() == ".tsf"
    if not tsf and (flags.get("time_column") is None or target is None):
        raise HpogenError(f"{path}: forecasting a CSV needs --time-column and --target (the value column)")
    try:
        data = bundle_forecast.read_forecast(
            path, flags.get("time_column"), target, flags.get("id_column"),
            None if covariates is None else [[name, kind] for name, kind in covariates.items()],
        )
    except bundle_forecast.ForecastDataError as exc:
        raise HpogenError(str(exc)) from None
    for note in data.get("notes", ()):
        print(f"hpogen: warning: {note}", file=sys.stderr)
    facts = bundle_forecast.forecast_facts(data)
    spec: dict[str, Any] = {
        "name": path.stem, "type": "time_series", "task": "forecasting", **facts,
        "covariates": {name: kind for name, kind in facts["covariates"]},
    }
    if not tsf:
        spec.update(time_column=flags["time_column"], target_column=target)
        if flags.get("id_column") is not None:
            spec["id_column"] = flags["id_column"]
    if data.get("tsf_horizon") and flags.get("horizon") is None:
        spec["horizon"] = int(data["tsf_horizon"])
    if flags.get("frequency") not in (None, facts["frequency"]):
        raise HpogenError(f"{path}: --frequency {flags['frequency']} disagrees with the times, which are {facts['frequency']}")
    return spec
