"""Spec facts of time-series data: a .ts file's header and a sample of its lines (a million
series are never parsed to describe them), or the arrays of an .npz / .npy folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import HpogenError
from . import bundle_data, bundle_series
from .spec import MIN_SERIES_LENGTH


def series_facts(path: Path, task: str | None = None) -> dict[str, Any]:
    """The facts of the series at path, refused with one line when they cannot be learnt from."""
    try:
        if bundle_data.is_series_file(path):
            train, test = bundle_series.series_pair(path)
            facts = bundle_series.ts_facts(train)
            name = _problem_name(train)
            has_test = test is not None
        else:
            data = bundle_series.read_series(path)
            facts = array_facts(data)
            name = path.stem if path.is_file() else path.name
            has_test = data.get("test") is not None
    except bundle_series.SeriesDataError as exc:
        raise HpogenError(str(exc)) from None
    return spec_facts(facts, name, has_test, task, str(path))


def spec_facts(facts: dict[str, Any], name: str, has_test: bool, task: str | None, where: str) -> dict[str, Any]:
    """DatasetSpec keys from bundle_series' facts."""
    task = task or facts["task"]
    if facts["min_length"] < MIN_SERIES_LENGTH:
        raise HpogenError(f"{where}: a series of length {facts['min_length']} is too short (at least {MIN_SERIES_LENGTH} points)")
    spec: dict[str, Any] = {
        "name": name, "type": "time_series", "task": task, "n_samples": int(facts["n_series"]),
        "n_channels": int(facts["n_channels"]), "min_length": int(facts["min_length"]),
        "max_length": int(facts["max_length"]), "has_missing": bool(facts["has_missing"]), "has_test_split": has_test,
    }
    if task == "classification":
        counts = facts.get("class_counts") or {}
        if len(counts) < 2 and (facts.get("n_classes") or 0) < 2:
            only = next(iter(counts), "?")
            raise HpogenError(f"{where}: only one class ({only!r}) in the labels: nothing to classify")
        spec["n_classes"] = int(len(counts) or facts["n_classes"])
        if counts and not facts.get("class_counts_sampled") and sum(counts.values()) == spec["n_samples"]:
            spec["class_counts"] = {str(k): int(v) for k, v in counts.items()}
    elif facts.get("target_range") is not None:
        low, high = facts["target_range"]
        if not low < high:
            raise HpogenError(f"{where}: the target is constant ({low:g}): nothing to learn")
        spec["target_range"] = [float(low), float(high)]
    return spec


def array_facts(data: dict[str, Any]) -> dict[str, Any]:
    """bundle_series' facts of arrays already read."""
    import numpy as np

    lengths = np.asarray(data["lengths"])
    X, y = data["X"], np.asarray(data["y"])
    ends = np.arange(X.shape[2])[None, None, :] >= lengths[:, None, None]  # after each series' end
    facts: dict[str, Any] = {
        "n_series": len(X), "n_channels": int(X.shape[1]), "min_length": int(lengths.min()),
        "max_length": int(lengths.max()), "has_missing": bool((np.isnan(X) & ~ends).any()), "task": data["task"],
    }
    if data["task"] == "classification":
        labels, counts = np.unique(y.astype(str), return_counts=True)
        facts.update(n_classes=len(labels), class_counts=dict(zip(labels.tolist(), counts.tolist(), strict=True)))
    else:
        facts["target_range"] = [float(np.nanmin(y)), float(np.nanmax(y))]
    return facts


def _problem_name(train: Path) -> str:
    stem = train.stem
    return stem[: -len("_TRAIN")] if stem.upper().endswith("_TRAIN") else stem
