"""Compare the runs of the experiment: one JSON comparison on stdout, PDF figures under images/.

Usage: python -m src.evaluate --results-dir DIR [--config CONFIG.yaml]

Reads every {results_dir}/{run_id}/results.json that src/train.py wrote. Figures are PDF only,
written only to {results_dir}/images/, named <topic>[_<condition>][_pairN].pdf; pair1 and
pair2 of one topic are meant to stand side by side.

Family part of evaluate.py: one configuration per variation, compared across seeds.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402


def load_results(results_dir: Path) -> list[dict]:
    """Every run's results.json, in run_id order."""
    found = []
    for path in sorted(results_dir.glob("*/results.json")):
        with open(path, encoding="utf-8") as handle:
            found.append(json.load(handle))
    if not found:
        raise SystemExit(f"error: no results.json under {results_dir}")
    return sorted(found, key=lambda result: result["run_id"])


def median(values: list[float]) -> float | None:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.median(finite)) if finite else None


MIN_PAIRS_FOR_TEST = 6


def wilcoxon_pairs(pairs: list[tuple[float, float]]) -> dict:
    """Two-sided Wilcoxon signed-rank test over (baseline, treated) pairs, one pair per seed;
    no p-value below MIN_PAIRS_FOR_TEST pairs, and 1.0 when every pair is a tie."""
    if len(pairs) < MIN_PAIRS_FOR_TEST:
        return {
            "pairs": len(pairs),
            "p_value": None,
            "note": f"needs at least {MIN_PAIRS_FOR_TEST} paired seeds",
        }
    if all(a == b for a, b in pairs):
        return {"pairs": len(pairs), "p_value": 1.0, "note": "identical scores"}
    from scipy.stats import wilcoxon

    baseline, treated = zip(*pairs, strict=True)
    return {"pairs": len(pairs), "p_value": float(wilcoxon(treated, baseline).pvalue)}


def time_to_target(result: dict, key: str) -> float | None:
    """Wall time or cumulative epochs (key) at which the best test accuracy first reached the target."""
    for point in result["trajectory"]:
        if point["best_test_accuracy"] >= result["target_accuracy"]:
            return float(point[key])
    return None


def save_figure(figure, images: Path, name: str) -> str:
    images.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(images / f"{name}.pdf")
    plt.close(figure)
    return f"{name}.pdf"


def curve_figure(groups: dict[str, list[dict]], x_key: str, x_label: str, title: str):
    """Best test accuracy against x_key, one line per group (the median over its runs), final value annotated."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    for label, results in groups.items():
        grid = np.linspace(0, max(max(p[x_key] for p in r["trajectory"]) for r in results), 50)
        curves = [
            np.interp(
                grid,
                [p[x_key] for p in r["trajectory"]],
                [p["best_test_accuracy"] for p in r["trajectory"]],
            )
            for r in results
        ]
        values = np.median(np.array(curves), axis=0)
        axis.plot(grid, values, label=label)
        axis.annotate(
            f"{values[-1]:.3f}",
            (grid[-1], values[-1]),
            textcoords="offset points",
            xytext=(4, 0),
            fontsize=8,
        )
    axis.set_xlabel(x_label)
    axis.set_ylabel("best test accuracy")
    axis.set_title(title)
    axis.legend(fontsize=8)
    return figure


def bar_figure(values: dict[str, float], ylabel: str, title: str):
    """One bar per label with its value written above it."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    labels = list(values)
    bars = axis.bar(range(len(labels)), [values[label] for label in labels], label=ylabel)
    for bar, label in zip(bars, labels, strict=True):
        axis.annotate(
            f"{values[label]:.3g}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    axis.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    axis.legend(fontsize=8)
    return figure


def compare(results: list[dict], images: Path) -> dict:
    groups = {}
    for result in results:
        groups.setdefault(result["variant"], []).append(result)
    summary = {
        variant: {
            "runs": len(group),
            "median_best_test_accuracy": median([r["best_test_accuracy"] for r in group]),
            "median_best_val_accuracy": median([r["best_val_accuracy"] for r in group]),
            "median_time_to_target_s": median([time_to_target(r, "wall_time_s") for r in group]),
            "median_epochs_to_target": median(
                [time_to_target(r, "cumulative_epochs") for r in group]
            ),
        }
        for variant, group in sorted(groups.items())
    }
    figures = [
        save_figure(
            curve_figure(groups, "cumulative_epochs", "epochs", "Best test accuracy"),
            images,
            "learning_curve_pair1",
        ),
        save_figure(
            curve_figure(groups, "wall_time_s", "wall-clock time (s)", "Best test accuracy"),
            images,
            "learning_curve_pair2",
        ),
        save_figure(
            bar_figure(
                {v: s["median_best_test_accuracy"] for v, s in summary.items()},
                "test accuracy",
                "Final best test accuracy",
            ),
            images,
            "final_accuracy",
        ),
    ]
    return {"variants": summary, "figures": figures}


def main() -> int:
    parser = argparse.ArgumentParser(description="Compare the runs of the experiment.")
    parser.add_argument("--results-dir", required=True, type=Path)
    parser.add_argument("--config", type=Path, default=None)
    args = parser.parse_args()
    results = load_results(args.results_dir)
    experiment = {}
    if args.config is not None:
        with open(args.config, encoding="utf-8") as handle:
            experiment = (yaml.safe_load(handle) or {}).get("experiment") or {}
    comparison = compare(results, args.results_dir / "images")
    print(
        json.dumps(
            {"experiment": experiment.get("name"), "runs": len(results), **comparison},
            default=float,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
