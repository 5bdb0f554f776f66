"""Decisions for image data: seed 000's tiers, facade, budgets, trials and CNN space; hpogen's resolutions."""

from __future__ import annotations

from typing import Any

from ..dataset.spec import DatasetSpec
from ..tables import table
from .bands import banded, pick_int, position
from .decisions import Decision, Decisions, Hyperparameter
from .insights import Insights, apply_insights


def decide_image(spec: DatasetSpec, insights: Insights | None = None) -> Decisions:
    rules = table("image")
    tier, tier_reason = complexity_tier(spec, rules["tier"])
    pos = rules["position"]
    t = position(spec.n_samples, pos["log10_low"], pos["log10_high"])
    where = f"n_samples={spec.n_samples} sits at {t:.2f} of the range ({pos['id']})"

    facade_rule = rules["facade"]
    facade = facade_rule["below"] if spec.n_samples < facade_rule["threshold"] else facade_rule["at_or_above"]
    budget = rules["budget"][tier]
    min_budget = max(rules["budget"]["floor"], pick_int(budget["min_budget"], t))
    max_budget = pick_int(budget["max_budget"], t)
    n_trials = pick_int(rules["trials"]["range"], t)
    hours = rules["walltime"]["hours"][tier]
    scenario = rules["scenario"]
    side = "below" if spec.n_samples < facade_rule["threshold"] else "at or above"
    res = rules["resolution"]
    search_hw, final_hw, search_reason, final_reason = resolutions(spec, res)
    steps = (
        Decision("tier", tier, rules["tier"]["id"], tier_reason),
        Decision("final_resolution", list(final_hw), res["id"], final_reason),
        Decision("search_resolution", list(search_hw), res["id"], search_reason),
        Decision("facade", facade, facade_rule["id"],
                 f"image data is always multi-fidelity over epochs; {spec.n_samples} samples is {side} {facade_rule['threshold']}"),
        Decision("fidelity", "epochs", facade_rule["id"], "epochs give CNN training a smooth cost/quality trade-off"),
        Decision("min_budget", min_budget, budget["id"],
                 f"{tier} tier: {budget['min_budget'][0]}-{budget['min_budget'][1]} epochs, never below {rules['budget']['floor']}; {where}"),
        Decision("max_budget", max_budget, budget["id"],
                 f"{tier} tier: {budget['max_budget'][0]}-{budget['max_budget'][1]} epochs for convergence; {where}"),
        Decision("eta", facade_rule["eta"], facade_rule["id"], "Hyperband's reduction factor: each rung keeps the best third"),
        Decision("n_trials", n_trials, rules["trials"]["id"], f"300-600 trials for thorough exploration; {where}"),
        Decision("walltime_limit", float(hours * 3600), rules["walltime"]["id"], f"{hours} h cap for a {tier} dataset, so the run always ends"),
        Decision("deterministic", scenario["deterministic"], scenario["id"], "training is stochastic; judge configurations across seeds"),
        Decision("n_workers", scenario["n_workers"], scenario["id"], "one worker unless parallel execution is asked for (hpogen run --n-workers)"),
        Decision("crash_cost", scenario["crash_cost"], scenario["id"], "the worst error rate, finite so a crash never breaks the surrogate model"),
        Decision("objective", scenario["objective"], scenario["id"], "validation error rate, 1 - accuracy"),
    )
    hyperparameters = tuple(image_space(spec, tier, rules))
    hyperparameters, records = apply_insights(hyperparameters, insights, "image")
    return Decisions.from_steps(
        spec, steps, hyperparameters, multi_fidelity=True, seed=scenario["seed"], insights=records,
        extra={"tier": tier, "max_filters": rules["space"]["max_filters"], "full_epochs": max_budget,
               "search_size": search_hw, "final_size": final_hw},
    )


def complexity_tier(spec: DatasetSpec, rule: dict[str, Any]) -> tuple[str, str]:
    channels, height, width = spec.image_shape
    points = {
        f"{height}x{width} px": banded(height * width, rule["pixel_points"], rule["pixel_points_above"]),
        "colour" if channels == 3 else "grayscale": rule["colour_points"] if channels == 3 else 0,
        f"{spec.n_classes} classes": banded(spec.n_classes, rule["class_points"], rule["class_points_above"]),
        f"{spec.n_samples} samples": banded(spec.n_samples, rule["sample_points"], rule["sample_points_above"]),
    }
    score = sum(points.values())
    tier = banded(score, rule["tiers"], rule["tier_above"])
    parts = ", ".join(f"{label} {value}" for label, value in points.items())
    return tier, f"complexity score {score} ({parts}) -> {tier}"


def capped(height: int, width: int, max_side: int) -> tuple[int, int]:
    """(height, width) scaled down, aspect ratio kept, so the longer side is at most max_side; each
    side rounded half up to the nearest int (integer arithmetic, so exact) and at least 1."""
    longer = max(height, width)
    if longer <= max_side:
        return height, width

    def scale(side: int) -> int:
        return max(1, (2 * side * max_side + longer) // (2 * longer))

    return scale(height), scale(width)


def resolutions(spec: DatasetSpec, rule: dict[str, Any]) -> tuple[tuple[int, int], tuple[int, int], str, str]:
    """(search_hw, final_hw, search reason, final reason) by IMG-RESOLUTION: the final model trains at
    the images' own size capped at final_max_side, the search at that capped at search_max_side."""
    _, height, width = spec.image_shape
    final_cap, search_cap = rule["final_max_side"], rule["search_max_side"]
    final_hw = capped(height, width, final_cap)
    search_hw = capped(*final_hw, search_cap)
    own, final, search = f"{height}x{width}", _hw(final_hw), _hw(search_hw)
    if final_hw == (height, width):
        final_reason = f"images are {own}; the final model trains at their own resolution, within the {final_cap} cap on the longer side"
    else:
        final_reason = f"images are {own}; the final model trains at {final}, the longer side capped at {final_cap}"
    if search_hw == (height, width):
        search_reason = f"{own} images are searched at their own resolution (longer side within {search_cap})"
    elif search_hw == final_hw:
        search_reason = f"the search trains at the final {final}, whose longer side is within {search_cap}"
    else:
        search_reason = (f"the search trains at {search}, the longer side capped at {search_cap} as in downsampled "
                         f"ImageNet; the refit trains at {final}")
    return search_hw, final_hw, search_reason, final_reason


def _hw(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def image_space(spec: DatasetSpec, tier: str, rules: dict[str, Any]) -> list[Hyperparameter]:
    space = rules["space"]
    channels = spec.image_shape[0]
    hps = []
    for name, entry in space.items():
        if not isinstance(entry, dict):
            continue
        if entry.get("only_colour") and channels != 3:
            continue
        hps.append(_image_hyperparameter(name, entry, spec, tier))
    return hps


def _image_hyperparameter(name: str, entry: dict[str, Any], spec: DatasetSpec, tier: str) -> Hyperparameter:
    rule = entry["id"]
    condition = {}
    if "when" in entry:
        parent, value = entry["when"]
        condition = {"parent": parent, "values": (value,)}
    if name == "n_conv_layers":
        lo, hi = entry["by_tier"][tier]
        return Hyperparameter(name, "int", lo + (hi - lo) // 2, rule, f"{tier} tier: {lo}-{hi} conv layers", lower=lo, upper=hi)
    if name == "batch_size":
        return _batch_size(entry, spec)
    if "choices" in entry:
        return Hyperparameter(name, "categorical", entry["default"], rule, "seed 000 choices", choices=tuple(entry["choices"]), **condition)
    lo, hi = entry["range"]
    kind = "int" if isinstance(lo, int) and isinstance(hi, int) else "float"
    if kind == "float":
        lo, hi = float(lo), float(hi)
    reason = "seed 000 range" + (" (log scale)" if entry.get("log") else "")
    if name == "color_jitter":
        reason = "colour images only: brightness/contrast/saturation jitter"
    return Hyperparameter(name, kind, entry["default"], rule, reason, lower=lo, upper=hi, log=entry.get("log", False), **condition)


def _batch_size(entry: dict[str, Any], spec: DatasetSpec) -> Hyperparameter:
    large = spec.n_samples >= entry["large_threshold"]
    candidates = entry["candidates"] if large else entry["small_candidates"]
    limit = entry["max_fraction_of_train"] * entry["train_fraction"] * spec.n_samples
    kept = [c for c in candidates if c <= limit] or candidates[:1]
    if len(kept) < 2:
        kept = candidates[:2]
    default = entry["default"] if entry["default"] in kept else kept[-1]
    reason = f"powers of two up to {kept[-1]}: at most a quarter of the ~{int(entry['train_fraction'] * spec.n_samples)} training images"
    return Hyperparameter("batch_size", "ordinal", default, entry["id"], reason, choices=tuple(kept))
