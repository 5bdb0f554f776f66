"""Compare the runs of the experiment: one JSON comparison on stdout, PDF figures under images/.

Usage: python -m src.evaluate --results-dir DIR [--config CONFIG.yaml]

Reads every {results_dir}/{run_id}/results.json that src/train.py wrote. Figures are PDF only,
written only to {results_dir}/images/, named <topic>[_<condition>][_pairN].pdf; pair1 and
pair2 of one topic are meant to stand side by side.

Family part of evaluate.py: the loss variants against plain cross-entropy, for accuracy and
calibration (test NLL, Brier score, ECE; reliability diagrams of the best-validation models).
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


METRICS = ("test_accuracy", "test_nll", "test_brier", "test_ece", "test_perplexity")


def group_by_variant(results: list[dict]) -> dict[str, list[dict]]:
    groups = {}
    for result in results:
        groups.setdefault(result["variant"], []).append(result)
    return dict(sorted(groups.items()))


def base_variant(groups: dict[str, list[dict]]) -> str | None:
    """The plain cross-entropy arm: the variant whose runs switch on no change ("ce" first)."""
    plain = [
        variant for variant, group in groups.items() if not any(r.get("changes") for r in group)
    ]
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
        mean = {
            key: sum(b[key] * b["count"] for b in bins if b["count"]) / count if count else None
            for key in ("confidence", "accuracy")
        }
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
    axis.bar(
        centres, [b["accuracy"] for b in filled], width * 0.9, edgecolor="black", label="accuracy"
    )
    axis.vlines(
        centres,
        [b["accuracy"] for b in filled],
        [b["confidence"] for b in filled],
        colors="tab:red",
    )
    axis.plot(
        centres,
        [b["confidence"] for b in filled],
        "o",
        color="tab:red",
        markersize=4,
        label="mean confidence",
    )
    axis.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect calibration")
    total = max(sum(b["count"] for b in bins), 1)
    for centre, b in zip(centres, filled, strict=True):
        axis.annotate(
            f"{b['count'] / total:.0%}",
            (centre, max(b["accuracy"], b["confidence"]) + 0.02),
            ha="center",
            fontsize=6,
        )
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.set_xlabel("confidence")
    axis.set_ylabel("accuracy")
    axis.set_title(
        f"{variant}: reliability (ECE {ece:.3f})" if ece is not None else f"{variant}: reliability"
    )
    axis.legend(fontsize=7, loc="upper left")
    return figure


def variant_summary(group: list[dict], results: list[dict], base: str | None, variant: str) -> dict:
    summary = {"runs": len(group), "changes": group[0].get("changes", [])}
    for metric in METRICS:
        if any(r.get(metric) is not None for r in group):
            summary[f"median_{metric}"] = median([r.get(metric) for r in group])
    summary["median_best_val_accuracy"] = median([r["best_val_accuracy"] for r in group])
    summary["median_epochs_to_target"] = median(
        [time_to_target(r, "cumulative_epochs") for r in group]
    )
    if base is not None and variant != base:
        summary["wilcoxon_vs_base"] = {
            metric: paired_test(results, base, variant, metric)
            for metric in METRICS
            if f"median_{metric}" in summary
        }
    return summary


def compare(results: list[dict], images: Path) -> dict:
    groups = group_by_variant(results)
    base = base_variant(groups)
    summary = {
        variant: variant_summary(group, results, base, variant) for variant, group in groups.items()
    }
    figures = [
        save_figure(
            bar_figure(
                {v: s["median_test_ece"] for v, s in summary.items()},
                "test ECE (10 bins)",
                "Expected calibration error (lower is better)",
            ),
            images,
            "calibration_pair1",
        ),
        save_figure(
            bar_figure(
                {v: s["median_test_accuracy"] for v, s in summary.items()},
                "test accuracy",
                "Test accuracy of the best-validation model",
            ),
            images,
            "calibration_pair2",
        ),
        save_figure(
            bar_figure(
                {v: s["median_test_nll"] for v, s in summary.items()},
                "test NLL",
                "Test negative log-likelihood (lower is better)",
            ),
            images,
            "nll",
        ),
        save_figure(
            curve_figure(groups, "cumulative_epochs", "epochs", "Best test accuracy"),
            images,
            "learning_curve",
        ),
    ]
    for variant, group in groups.items():
        figure = reliability_figure(
            pooled_reliability(group), variant, summary[variant]["median_test_ece"]
        )
        figures.append(save_figure(figure, images, f"reliability_{variant}"))
    not_implemented = sorted({name for r in results for name in r.get("not_implemented", [])})
    return {
        "base_variant": base,
        "variants": summary,
        "figures": figures,
        "not_implemented": not_implemented,
    }


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
