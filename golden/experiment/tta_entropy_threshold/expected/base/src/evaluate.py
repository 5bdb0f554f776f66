"""Compare the runs of the experiment: one JSON comparison on stdout, PDF figures under images/.

Usage: python -m src.evaluate --results-dir DIR [--config CONFIG.yaml]

Reads every {results_dir}/{run_id}/results.json that src/train.py wrote. Figures are PDF only,
written only to {results_dir}/images/, named <topic>[_<condition>][_pairN].pdf; pair1 and
pair2 of one topic are meant to stand side by side.

Family part of evaluate.py: test-time adaptation arms and the method's variants, over seeds.

Per variant: medians over seeds of the online accuracy (after the first k batches and after the
whole pass) per corruption and severity and over all streams, the adaptation overhead and the
share of samples used for updates; a paired Wilcoxon test over seeds of each method variant
(one with catalogue changes; TENT when there is none) against each baseline arm.
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


def paired_test(results: list[dict], treated: str, baseline: str) -> dict:
    """Two-sided Wilcoxon signed-rank test of the mean online accuracy, paired by seed."""
    by_seed = {}
    for result in results:
        by_seed.setdefault(result["seed"], {})[result["variant"]] = result["mean_online_accuracy"]
    pairs = [(s[baseline], s[treated]) for s in by_seed.values() if baseline in s and treated in s]
    test = wilcoxon_pairs(pairs)
    if test["p_value"] is not None and "note" not in test:
        test["median_difference"] = float(np.median([after - before for before, after in pairs]))
    return test


def stream_medians(group: list[dict], key: str) -> dict[str, dict[str, float]]:
    """{corruption: {severity: median over seeds of key}} of one variant's runs."""
    values = {}
    for result in group:
        for stream in result["streams"]:
            values.setdefault(stream["corruption"], {}).setdefault(
                str(stream["severity"]), []
            ).append(stream[key])
    return {
        name: {level: median(found) for level, found in sorted(levels.items())}
        for name, levels in values.items()
    }


def averaged(table: dict[str, dict[str, float]], by: str) -> dict[str, float]:
    """The per-stream medians averaged over severities (by corruption) or over corruptions (by severity)."""
    sums = {}
    for corruption, levels in table.items():
        for level, value in levels.items():
            sums.setdefault(corruption if by == "corruption" else level, []).append(value)
    return {key: float(np.mean(found)) for key, found in sums.items()}


def summarise(group: list[dict]) -> dict:
    full, first_k = (
        stream_medians(group, "online_accuracy"),
        stream_medians(group, "online_accuracy_first_k"),
    )
    return {
        "runs": len(group),
        "adapt": group[0]["adapt"],
        "changes": group[0]["changes"],
        "median_mean_online_accuracy": median([r["mean_online_accuracy"] for r in group]),
        "median_mean_online_accuracy_first_k": median(
            [r["mean_online_accuracy_first_k"] for r in group]
        ),
        "median_source_clean_test_accuracy": median(
            [r["source_clean_test_accuracy"] for r in group]
        ),
        "median_adaptation_overhead": median([r["adaptation_overhead"] for r in group]),
        "median_update_share": median([r["update_share"] for r in group]),
        "first_k_batches": group[0]["first_k_batches"],
        "online_accuracy": full,
        "online_accuracy_first_k": first_k,
        "by_corruption": averaged(full, "corruption"),
        "by_severity": averaged(full, "severity"),
        "by_corruption_first_k": averaged(first_k, "corruption"),
    }


def treated_variants(summary: dict) -> list[str]:
    """The method's variants: those with catalogue changes, else TENT (the method's arm)."""
    changed = [name for name, s in summary.items() if s["changes"]]
    return changed or [name for name, s in summary.items() if s["adapt"] == "tent"]


def grouped_bar_figure(summary: dict, key: str, title: str):
    """Accuracy per corruption, one group per corruption and one bar per variant."""
    figure, axis = plt.subplots(figsize=(7.5, 4))
    variants = list(summary)
    corruptions = sorted({c for s in summary.values() for c in s[key]})
    width = 0.8 / max(len(variants), 1)
    for index, variant in enumerate(variants):
        axis.bar(
            [i + index * width for i in range(len(corruptions))],
            [summary[variant][key].get(c, 0.0) for c in corruptions],
            width,
            label=variant,
        )
    axis.set_xticks(
        [i + 0.4 - width / 2 for i in range(len(corruptions))], corruptions, rotation=30, ha="right"
    )
    axis.set_ylabel("online accuracy")
    axis.set_title(title)
    axis.legend(fontsize=8)
    return figure


def severity_figure(summary: dict):
    """Online accuracy against severity (mean over corruptions), one line per variant."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    for variant, s in summary.items():
        levels = sorted(s["by_severity"], key=int)
        axis.plot(
            [int(level) for level in levels],
            [s["by_severity"][level] for level in levels],
            marker="o",
            label=variant,
        )
    axis.set_xlabel("corruption severity")
    axis.set_ylabel("online accuracy (mean over corruptions)")
    axis.set_title("Accuracy against severity")
    axis.legend(fontsize=8)
    return figure


def compare(results: list[dict], images: Path) -> dict:
    groups = {}
    for result in results:
        groups.setdefault(result["variant"], []).append(result)
    summary = {variant: summarise(group) for variant, group in sorted(groups.items())}
    tests = {
        treated: {
            baseline: paired_test(results, treated, baseline)
            for baseline in summary
            if baseline != treated and not summary[baseline]["changes"]
        }
        for treated in treated_variants(summary)
    }
    k = max(s["first_k_batches"] for s in summary.values())
    figures = [
        save_figure(
            grouped_bar_figure(
                summary, "by_corruption", "Online accuracy per corruption (whole stream)"
            ),
            images,
            "corruption_accuracy_full_pair1",
        ),
        save_figure(
            grouped_bar_figure(
                summary, "by_corruption_first_k", f"Online accuracy, first {k} batches"
            ),
            images,
            "corruption_accuracy_first_k_pair2",
        ),
        save_figure(severity_figure(summary), images, "severity_accuracy"),
        save_figure(
            bar_figure(
                {v: s["median_adaptation_overhead"] or 0.0 for v, s in summary.items()},
                "adaptation time / inference time",
                "Adaptation overhead",
            ),
            images,
            "adaptation_overhead",
        ),
    ]
    not_implemented = sorted({name for r in results for name in r.get("not_implemented", [])})
    return {
        "variants": summary,
        "wilcoxon": tests,
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
