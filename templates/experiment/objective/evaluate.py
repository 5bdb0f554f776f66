"""Family part of evaluate.py: the loss variants against plain cross-entropy, for accuracy and
calibration (test NLL, Brier score, ECE; reliability diagrams of the best-validation models)."""

from __future__ import annotations

from pathlib import Path


METRICS = ("test_accuracy", "test_nll", "test_brier", "test_ece", "test_perplexity")


def group_by_variant(results: list[dict]) -> dict[str, list[dict]]:
    groups = {}
    for result in results:
        groups.setdefault(result["variant"], []).append(result)
    return dict(sorted(groups.items()))


def base_variant(groups: dict[str, list[dict]]) -> str | None:
    """The plain cross-entropy arm: the variant whose runs switch on no change ("ce" first)."""
    plain = [variant for variant, group in groups.items() if not any(r.get("changes") for r in group)]
    return "ce" if "ce" in plain else (plain[0] if plain else None)


def paired_test(results: list[dict], base: str, variant: str, metric: str) -> dict:
    """Two-sided Wilcoxon signed-rank test of a test metric of variant against base, paired by seed."""
    by_seed = {}
    for result in results:
        if result.get(metric) is not None:
            by_seed.setdefault(result["seed"], {})[result["variant"]] = result[metric]
    pairs = [(s[base], s[variant]) for s in by_seed.values() if base in s and variant in s]
    return wilcoxon_pairs(pairs)


def pooled_reliability(group: list[dict]) -> list[dict]:
    """The reliability bins of a variant's runs pooled over seeds (count-weighted means)."""
    pooled = []
    for index, first in enumerate(group[0]["reliability"]):
        bins = [r["reliability"][index] for r in group]
        count = sum(b["count"] for b in bins)
        mean = {key: sum(b[key] * b["count"] for b in bins if b["count"]) / count if count else None
                for key in ("confidence", "accuracy")}
        pooled.append({"lower": first["lower"], "upper": first["upper"], "count": count, **mean})
    return pooled


def reliability_figure(bins: list[dict], variant: str, ece: float | None):
    """Accuracy per confidence bin (bars) against the bin's mean confidence (red dots; the red
    line is the gap) and the diagonal of perfect calibration; each bin's share of the rows above it."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(4.5, 4.5))
    width = bins[0]["upper"] - bins[0]["lower"]
    filled = [b for b in bins if b["count"]]
    centres = [b["lower"] + width / 2 for b in filled]
    axis.bar(centres, [b["accuracy"] for b in filled], width * 0.9, edgecolor="black", label="accuracy")
    axis.vlines(centres, [b["accuracy"] for b in filled], [b["confidence"] for b in filled], colors="tab:red")
    axis.plot(centres, [b["confidence"] for b in filled], "o", color="tab:red", markersize=4, label="mean confidence")
    axis.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect calibration")
    total = max(sum(b["count"] for b in bins), 1)
    for centre, b in zip(centres, filled, strict=True):
        axis.annotate(f"{b['count'] / total:.0%}", (centre, max(b["accuracy"], b["confidence"]) + 0.02), ha="center",
                      fontsize=6)
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.set_xlabel("confidence")
    axis.set_ylabel("accuracy")
    axis.set_title(f"{variant}: reliability (ECE {ece:.3f})" if ece is not None else f"{variant}: reliability")
    axis.legend(fontsize=7, loc="upper left")
    return figure


def variant_summary(group: list[dict], results: list[dict], base: str | None, variant: str) -> dict:
    summary = {"runs": len(group), "changes": group[0].get("changes", [])}
    for metric in METRICS:
        if any(r.get(metric) is not None for r in group):
            summary[f"median_{metric}"] = median([r.get(metric) for r in group])
    summary["median_best_val_accuracy"] = median([r["best_val_accuracy"] for r in group])
    summary["median_epochs_to_target"] = median([time_to_target(r, "cumulative_epochs") for r in group])
    if base is not None and variant != base:
        summary["wilcoxon_vs_base"] = {metric: paired_test(results, base, variant, metric)
                                       for metric in METRICS if f"median_{metric}" in summary}
    return summary


def compare(results: list[dict], images: Path) -> dict:
    groups = group_by_variant(results)
    base = base_variant(groups)
    summary = {variant: variant_summary(group, results, base, variant) for variant, group in groups.items()}
    figures = [
        save_figure(bar_figure({v: s["median_test_ece"] for v, s in summary.items()}, "test ECE (10 bins)",
                               "Expected calibration error (lower is better)"), images, "calibration_pair1"),
        save_figure(bar_figure({v: s["median_test_accuracy"] for v, s in summary.items()}, "test accuracy",
                               "Test accuracy of the best-validation model"), images, "calibration_pair2"),
        save_figure(bar_figure({v: s["median_test_nll"] for v, s in summary.items()}, "test NLL",
                               "Test negative log-likelihood (lower is better)"), images, "nll"),
        save_figure(curve_figure(groups, "cumulative_epochs", "epochs", "Best test accuracy"), images,
                    "learning_curve"),
    ]
    for variant, group in groups.items():
        figure = reliability_figure(pooled_reliability(group), variant, summary[variant]["median_test_ece"])
        figures.append(save_figure(figure, images, f"reliability_{variant}"))
    not_implemented = sorted({name for r in results for name in r.get("not_implemented", [])})
    return {"base_variant": base, "variants": summary, "figures": figures, "not_implemented": not_implemented}
