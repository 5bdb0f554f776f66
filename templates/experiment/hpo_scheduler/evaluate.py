"""Family part of evaluate.py: each scheduler with and without the method's changes.

Per scheduler and variant: median time and epochs to the target accuracy, evaluations to it,
final best test accuracy, and the paired Wilcoxon test against the unmodified scheduler; figures
of best test accuracy against wall time and cumulative epochs, and for warm starts their
overhead and how far they moved each hyperparameter."""

from __future__ import annotations

from pathlib import Path


def paired_test(results: list[dict], scheduler: str, variant: str) -> dict:
    """Two-sided Wilcoxon signed-rank test of final best test accuracy, paired by seed."""
    by_seed = {}
    for result in results:
        if result["scheduler"] == scheduler:
            by_seed.setdefault(result["seed"], {})[result["label"]] = result["best_test_accuracy"]
    pairs = [(s["none"], s[variant]) for s in by_seed.values() if "none" in s and variant in s]
    return wilcoxon_pairs(pairs)


def label_of(result: dict) -> str:
    """The variant of a run within its scheduler: none (unmodified), or the method's variant name."""
    variant, prefix = str(result.get("variant") or "none"), f"{result['scheduler']}-"
    return variant[len(prefix):] if variant.startswith(prefix) else variant


def compare(results: list[dict], images: Path) -> dict:
    for result in results:
        result["label"] = label_of(result)
    schedulers = sorted({r["scheduler"] for r in results})
    summary, figures = {}, []
    for scheduler in schedulers:
        groups = {}
        for result in results:
            if result["scheduler"] == scheduler:
                groups.setdefault(result["label"], []).append(result)
        summary[scheduler] = {
            label: {
                "runs": len(group),
                "median_time_to_target_s": median([time_to_target(r, "wall_time_s") for r in group]),
                "median_epochs_to_target": median([time_to_target(r, "cumulative_epochs") for r in group]),
                "median_evaluations_to_target": median([time_to_target(r, "evaluations") for r in group]),
                "reached_target": sum(time_to_target(r, "wall_time_s") is not None for r in group),
                "median_stopped_trials": median([r.get("stopped_trials", 0) for r in group]),
                "median_final_best_test_accuracy": median([r["best_test_accuracy"] for r in group]),
                "median_warm_start_overhead": median([r["warm_start_overhead"] for r in group]),
                "wilcoxon_vs_none": paired_test(results, scheduler, label) if label != "none" else None,
            }
            for label, group in sorted(groups.items())
        }
        labelled = {f"{scheduler}+{label}": group for label, group in sorted(groups.items())}
        figures.append(save_figure(curve_figure(labelled, "wall_time_s", "wall-clock time (s)",
                                                f"{scheduler}: best test accuracy"), images, f"best_accuracy_{scheduler}_pair1"))
        figures.append(save_figure(curve_figure(labelled, "cumulative_epochs", "cumulative epochs",
                                                f"{scheduler}: best test accuracy"), images, f"best_accuracy_{scheduler}_pair2"))
    shares = {}
    for result in results:
        shares.setdefault(f"{result['scheduler']}+{result['label']}", []).append(
            100 * result["warm_start_overhead"])
    overhead = {key: median(values) or 0.0 for key, values in shares.items()}
    if any(r["warm_start"] != "none" for r in results):
        figures.append(save_figure(bar_figure(overhead, "warm-start share of wall time (%)", "Warm-start overhead"),
                                   images, "warm_start_overhead"))
        figures.append(save_figure(shift_figure(results), images, "hyperparameter_shift"))
    not_implemented = sorted({name for r in results for name in r.get("not_implemented", [])})
    return {"schedulers": summary, "figures": figures, "not_implemented": not_implemented}


def shift_figure(results: list[dict]):
    """How far warm starts moved each hyperparameter: median relative change per variant."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5.5, 4))
    labels = sorted({r["label"] for r in results if r["warm_start"] != "none"})
    names = sorted({name for r in results for c in r["configurations"] for name in c["before"]})
    width = 0.8 / max(len(labels), 1)
    for index, label in enumerate(labels):
        shifts = []
        for name in names:
            changes = [abs(c["after"][name] - c["before"][name]) / max(abs(c["before"][name]), 1e-12)
                       for r in results if r["label"] == label for c in r["configurations"]]
            shifts.append(median(changes) or 0.0)
        axis.bar([i + index * width for i in range(len(names))], shifts, width, label=label)
    axis.set_xticks(range(len(names)), names, rotation=30, ha="right")
    axis.set_ylabel("median relative change")
    axis.set_title("Hyperparameters before vs after the warm start")
    if labels:
        axis.legend(fontsize=8)
    return figure
