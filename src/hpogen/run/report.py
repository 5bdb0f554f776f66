"""The outputs of `hpogen run`: trials read from SMAC's runhistory, results.json, trajectory plots, a summary."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

RESULTS_NAME = "results.json"
PLOT_STEM = "trajectory"
# Test metrics shown in the summary table, when train() returns them.
SUMMARY_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "precision_macro",
    "recall_macro",
    "mase",
    "snaive_mase",
    "smape",
    "snaive_smape",
    "rmse",
    "snaive_rmse",
    "coverage_80",
    "coverage_95",
    "mae",
    "r2",
    "loss",
    "epochs_completed",
    "training_time",
)


def plain(value: Any) -> Any:
    """A JSON-native value for numpy scalars and containers of them."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def trial_rows(runhistory: Any) -> list[dict[str, Any]]:
    """Finished trials in the order they finished, with what their info recorded."""
    from smac.runhistory.enumerations import StatusType

    rows = []
    for key, value in runhistory.items():
        if value.status == StatusType.RUNNING:
            continue
        info = value.additional_info or {}
        rows.append(
            {
                "config_id": key.config_id,
                "budget": key.budget,
                "seed": key.seed,
                "status": StatusType(value.status).name,
                "cost": float(value.cost),
                "starttime": float(value.starttime),
                "endtime": float(value.endtime),
                "epochs_completed": int(info.get("epochs_completed", 0) or 0),
            }
        )
    rows.sort(key=lambda row: row["endtime"])
    return rows


def status_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return dict(sorted(counts.items()))


def best_so_far(rows: list[dict[str, Any]]) -> list[tuple[int, float, float]]:
    """(trial number, seconds since the first trial started, best successful loss so far).

    Trials are numbered in the order they finished; on a multi-fidelity run the losses come
    from all budgets.
    """
    if not rows:
        return []
    start = min(row["starttime"] for row in rows)
    best, points = math.inf, []
    for number, row in enumerate(rows, start=1):
        if row["status"] == "SUCCESS":
            best = min(best, row["cost"])
        if math.isfinite(best):
            points.append((number, row["endtime"] - start, best))
    return points


def plot_trajectory(out: Path, rows: list[dict[str, Any]], title: str) -> list[Path]:
    """trajectory.png and trajectory.pdf: best loss against wall time and against trial number."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    points = best_so_far(rows)
    start = min((row["starttime"] for row in rows), default=0.0)
    tried = [
        (n, row["endtime"] - start, row["cost"])
        for n, row in enumerate(rows, 1)
        if row["status"] == "SUCCESS"
    ]
    figure, (by_time, by_trial) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for axis, column, label in ((by_time, 1, "wall time (s)"), (by_trial, 0, "trial")):
        axis.scatter(
            [t[column] for t in tried], [t[2] for t in tried], s=10, alpha=0.35, label="trial loss"
        )
        axis.step(
            [p[column] for p in points], [p[2] for p in points], where="post", label="best so far"
        )
        axis.set_xlabel(label)
        axis.set_ylabel("validation loss")
        axis.grid(True, alpha=0.3)
    by_trial.xaxis.set_major_locator(MaxNLocator(integer=True))
    if tried:
        by_trial.legend(loc="upper right")
    if not points:
        by_trial.text(
            0.5, 0.5, "no successful trial", ha="center", va="center", transform=by_trial.transAxes
        )
    figure.suptitle(title)
    written = []
    for suffix in ("png", "pdf"):
        path = out / f"{PLOT_STEM}.{suffix}"
        partial = out / f".{PLOT_STEM}.{os.getpid()}.partial.{suffix}"
        figure.savefig(partial, format=suffix, dpi=120)
        os.replace(partial, path)
        written.append(path)
    plt.close(figure)
    return written


def print_summary(
    metrics: dict[str, Any] | None, results_path: Path, counts: dict[str, int]
) -> None:
    """A short table of test metrics on stdout, then where the results are."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, width=100)
    trials = ", ".join(f"{n} {status.lower()}" for status, n in counts.items()) or "none"
    if metrics:
        table = Table("test metric", "value", title=f"incumbent on the test set (trials: {trials})")
        for name in SUMMARY_METRICS:
            if name in metrics:
                value = metrics[name]
                table.add_row(name, f"{value:.4f}" if isinstance(value, float) else str(value))
        console.print(table)
    print(f"results: {results_path}", flush=True)
