"""Family part of evaluate.py: one configuration per variation, compared across seeds."""

from __future__ import annotations

from pathlib import Path


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
            "median_epochs_to_target": median([time_to_target(r, "cumulative_epochs") for r in group]),
        }
        for variant, group in sorted(groups.items())
    }
    figures = [
        save_figure(curve_figure(groups, "cumulative_epochs", "epochs", "Best test accuracy"), images,
                    "learning_curve_pair1"),
        save_figure(curve_figure(groups, "wall_time_s", "wall-clock time (s)", "Best test accuracy"), images,
                    "learning_curve_pair2"),
        save_figure(bar_figure({v: s["median_best_test_accuracy"] for v, s in summary.items()}, "test accuracy",
                               "Final best test accuracy"), images, "final_accuracy"),
    ]
    return {"variants": summary, "figures": figures}
