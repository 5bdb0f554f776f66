"""A forecasting run's forecasts: into results.json, and drawn as forecast.png / forecast.pdf
(history, the test truth, the forecast and its intervals, for the first few series)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

PLOTTED_SERIES = 4
SHOWN_HISTORY_SEASONS = 6  # history drawn: this many horizons (or seasons) before the test


def attach_forecasts(results: dict[str, Any], model_dir: Path, data: Any, title: str) -> list[Path]:
    """Add the refit's forecasts (per series id: times, forecast, intervals, truth) to results,
    then draw them; returns the figures written."""
    record = json.loads((model_dir / "forecast.json").read_text(encoding="utf-8"))
    times = np.asarray(data.context["time_test"])
    series = []
    for i, name in enumerate(record["ids"]):
        entry = {"id": name, "time": [_stamp(t) for t in times[i]], "forecast": record["forecast"][i],
                 "truth": record.get("truth", [None] * len(record["ids"]))[i]}
        entry["intervals"] = {level: {"lower": low[i], "upper": high[i]} for level, (low, high) in record["intervals"].items()}
        series.append(entry)
    results["forecasts"] = series
    return plot_forecasts(model_dir.parent, data, series, title)


def plot_forecasts(out: Path, data: Any, series: list[dict[str, Any]], title: str) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = series[:PLOTTED_SERIES]
    figure, axes = plt.subplots(len(shown), 1, figsize=(10, 3 * len(shown)), constrained_layout=True, squeeze=False)
    horizon = int(data.context["horizon"])
    for axis, entry, i in zip(axes[:, 0], shown, range(len(shown)), strict=True):
        length = int(data.context["lengths"][i])
        start = max(0, length - SHOWN_HISTORY_SEASONS * horizon)
        history_times = np.asarray(data.context["time"][i][start:length])
        future_times = np.asarray(data.context["time_test"][i])
        axis.plot(history_times, np.asarray(data.y[i][start:length], dtype=float), color="0.3", lw=1.2, label="history")
        truth = np.array([np.nan if v is None else v for v in entry["truth"]], dtype=float)
        axis.plot(future_times, truth, color="black", lw=1.2, ls="--", marker=".", label="test truth")
        axis.plot(future_times, entry["forecast"], color="tab:blue", lw=1.6, marker=".", label="forecast")
        for level, alpha in zip(sorted(entry["intervals"], key=int, reverse=True), (0.18, 0.3), strict=False):
            band = entry["intervals"][level]
            axis.fill_between(future_times, band["lower"], band["upper"], color="tab:blue", alpha=alpha, lw=0,
                              label=f"{level}% interval")
        axis.set_title(f"series {entry['id']}", fontsize=10)
        axis.grid(True, alpha=0.3)
        axis.legend(loc="upper left", fontsize=8)
    figure.suptitle(title + (f" (first {len(shown)} of {len(series)} series)" if len(series) > len(shown) else ""))
    written = []
    for suffix in ("png", "pdf"):
        path = out / f"forecast.{suffix}"
        figure.savefig(path, dpi=120)
        written.append(path)
    plt.close(figure)
    return written


def _stamp(value: Any) -> str:
    """A grid time as ISO text (integer steps as their number)."""
    stamp = np.datetime64(value, "ns")
    if np.isnat(stamp):
        return ""
    return str(stamp.astype("datetime64[s]")).replace("T00:00:00", "")
