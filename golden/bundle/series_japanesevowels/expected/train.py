"""Train one time-series configuration and score it on held-out series (hpogen train contract).

Whole series in, one label or value out (rules/bundle/time_series.toml). Series arrive as float32
(n_series, n_channels, length) with NaN after a series' end and where a value is missing; every
part is made one length, the fit rows' longest, by the searched length rule: padded with zeros or
with the last value, or resampled (HPG-TS-LENGTH, HPG-TS-MISSING: equalise, resample), and
optionally z-normalised per series and channel (HPG-TS-NORMALISE). The model family comes from
`algorithm`: MiniRocket / MultiRocket features with a ridge head, interval statistics with
gradient boosting, or a 1-D CNN (ResNet, InceptionTime); the budget scales each family's
fidelity (kernels, boosting rounds, epochs). On small data without a given validation part, the
loss is the mean validation error over the k folds of HPG-TS-CV. A search's end,
dataset["deadline"] (seconds since the epoch), stops a trial early: no new fold, no new epoch.
aeon and torch are imported only by the families that use them.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import math
import os
import random
import time
import warnings
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeClassifierCV, RidgeCV
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_fscore_support,
    r2_score,
)
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

TASK = "classification"
# Default of every hyperparameter in the search space; a name missing here is not in the space.
DEFAULTS = {
    "algorithm": "rocket",
    "normalise": False,
    "length_rule": "pad_zero",
    "rocket_transform": "minirocket",
    "rocket_max_dilations": 32,
    "intervals_n_intervals": 16,
    "intervals_use_diff": True,
    "intervals_learning_rate": 0.1,
    "intervals_max_leaf_nodes": 31,
    "intervals_l2_regularization": 1e-06,
    "cnn_architecture": "resnet",
    "cnn_filters": 64,
    "cnn_depth": 3,
    "cnn_dropout": 0.1,
    "cnn_learning_rate": 0.001,
    "cnn_batch_size": 16,
    "cnn_weight_decay": 0.0001,
}
# family -> [kind, full value]: n_kernels (rocket), max_iter (intervals), epochs (cnn).
FIDELITY = {"rocket": ["n_kernels", 10000], "intervals": ["max_iter", 500], "cnn": ["epochs", 200]}
# k-fold scoring of at most max_series training series without a validation part (HPG-TS-CV)
VALIDATION = {"folds": 5, "max_series": 2000}
# Series are padded to at least this length: MiniRocket's kernels span 9 points (HPG-TS-LENGTH).
MIN_LENGTH = 9
# How series are made one length when the space has no length_rule (equal-length data): a
# series shorter than MIN_LENGTH is padded with its last value.
LENGTH_RULE = "pad_last"
LENGTH_RULES = ("pad_zero", "pad_last", "resample")

CV_FOLDS = int(VALIDATION["folds"])
CV_MAX_SERIES = int(VALIDATION["max_series"])
# The CNN is scored on at most 3 folds: every training series is still scored once (a 20% split
# of 50 series ranks configurations on 10 of them), at 3 fits per trial instead of 5.
CNN_MAX_FOLDS = 3
VALIDATION_FRACTION = 0.2
TINY = 1e-12
STD_FLOOR = 1e-8  # z-normalisation of a constant series
PREDICTION_MARGIN = 10.0  # regression predictions stay within the target range +- 10 spans
THREADED_SERIES = 10_000  # below this, numba and OpenMP fits use one thread (start-up costs more)
# MiniRocket's 84 base kernels: kernel counts are multiples of it, at least one of each.
ROCKET_BASE_KERNELS = 84
# MultiRocket's kernels per n_kernels of the fidelity: its published 6,250 kernels (50,000
# features) at the full 10,000 of MiniRocket's (each MultiRocket kernel gives 8 features).
MULTIROCKET_SHARE = 0.625
ROCKET_ALPHAS = (-3.0, 3.0, 10)  # the ridge head's alphas: numpy.logspace(-3, 3, 10)
MIN_INTERVAL_LENGTH = 3
INTERVALS_EARLY_STOPPING_SERIES = 1000  # boosting stops early on an internal split from here on
INTERVALS_PATIENCE = 20
INTERVALS_MAX_BINS = 64
INTERVALS_MIN_LEAF = 20  # scikit-learn's default; a tenth of the fit series when fewer
CNN_PATIENCE = 20  # epochs without a better validation loss
CNN_LR_PATIENCE = 10
CNN_LR_FACTOR = 0.5
CNN_MAX_FILTERS = 128  # ResNet doubles its filters after the first block, up to this
INCEPTION_MAX_FILTERS = 32  # filters per Inception branch (InceptionTime's 32), so it trains on CPU
INCEPTION_BOTTLENECK = 32
INCEPTION_KERNELS = (39, 19, 9)  # InceptionTime's 40, 20, 10, odd so that padding keeps the length
RESNET_KERNELS = (8, 5, 3)
GRADIENT_CLIP_NORM = 5.0
EVALUATION_BATCH = 256
TRUSTED_MODULES = ("sklearn.", "aeon.", "numpy.", "builtins.")


class Part(NamedTuple):
    """Fit, validation and scored series as given (NaN-padded) with targets: class indices into
    `classes`, or float targets. Validation drives early stopping and the LR schedule; scoring
    gives the returned metrics. They are one part unless the dataset brings X_val and X_test.
    `key` names the split for checkpoints ("split", "fold2of3")."""

    X_fit: np.ndarray
    y_fit: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_score: np.ndarray
    y_score: np.ndarray
    classes: np.ndarray
    key: str


class Prepared(NamedTuple):
    """The part's series at one length (and z-normalised when asked), float32."""

    X_fit: np.ndarray
    X_val: np.ndarray
    X_score: np.ndarray
    length: int
    n_outputs: int


class Fit(NamedTuple):
    """Predictions on the scored series (class indices or target values) and what the fit did."""

    predictions: np.ndarray
    epochs_completed: int
    best_epoch: int
    model: Any
    details: dict


def train(cfg, dataset, seed, budget=None, model_dir=None) -> dict:
    """Fit one configuration on the fit series and return validation metrics.

    Small data without X_val / X_test is scored by k-fold cross-validation (the loss is the
    mean validation error of the folds); a call that saves its model uses the 80/20 split.
    """
    seed = int(seed)
    _seed_everything(seed)
    algorithm = _hp(cfg, "algorithm", str, next(iter(FIDELITY)))
    if algorithm not in FIDELITY:
        raise ValueError(f"algorithm {algorithm!r} is not one of {sorted(FIDELITY)}")
    count = _fidelity(algorithm, budget)
    started = time.perf_counter()
    deadline = None if model_dir is not None else dataset.get("deadline")
    data = _read(dataset)
    folds = _folds(data, algorithm, seed) if model_dir is None else []
    if folds:
        results = []
        for part in folds:
            if results and _past(deadline):
                break
            checkpoint = _checkpoint_path(dataset, cfg, seed, algorithm, part)
            results.append(
                _fit_and_score(cfg, algorithm, part, count, seed, checkpoint, deadline)[0]
            )
        result = _mean_metrics(results)
    else:
        part = _split(data, seed)
        checkpoint = _checkpoint_path(dataset, cfg, seed, algorithm, part)
        result, fitted = _fit_and_score(cfg, algorithm, part, count, seed, checkpoint, deadline)
    result["training_time"] = float(time.perf_counter() - started)
    result["past_deadline"] = int(_past(deadline))  # 1: folds or epochs may have been skipped
    if model_dir is not None:
        share = None if budget is None else float(budget)
        run = {"algorithm": algorithm, "seed": seed, "budget": share, "count": count}
        _save_model(Path(model_dir), cfg, *fitted, run, result)
    return result


def refit_budget(cfg, best_epoch: int) -> float | None:
    """The budget at which train() trains best_epoch epochs (the CNN); None for the families
    that never stop early on the validation rows, which are refit at the search's top budget."""
    kind, full = FIDELITY[_hp(cfg, "algorithm", str, next(iter(FIDELITY)))]
    if kind != "epochs":
        return None
    return min(1.0, max(1, int(best_epoch)) / float(full))


def predict(model_dir, X) -> np.ndarray:
    """Predictions for series X (NaN-padded, like train's) from a model that train() saved in
    model_dir: class labels as str, or target values."""
    folder = Path(model_dir)
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    rule = metadata.get("length_rule", LENGTH_RULE)
    series = _ready(_series(X), metadata["series_length"], metadata["normalise"], rule)
    algorithm = metadata["algorithm"]
    if algorithm == "cnn":
        import torch

        network = _network(metadata["architecture"])
        network.load_state_dict(
            torch.load(folder / "model.pt", map_location="cpu", weights_only=True)
        )
        outputs = _forward(network, torch.from_numpy(series)).numpy()
        values = outputs.argmax(axis=1) if TASK == "classification" else outputs[:, 0]
    else:
        estimator = _load_skops(folder / "estimator.skops")
        if algorithm == "intervals":
            series = interval_features(series, metadata["n_intervals"], metadata["use_diff"])
        values = np.asarray(estimator.predict(series))
    if TASK == "classification":
        return np.asarray(metadata["classes"], dtype=object)[values.astype(np.int64)].astype(str)
    return values.astype(np.float64) * metadata["target_scale"] + metadata["target_center"]


def _fit_and_score(
    cfg, algorithm: str, part: Part, count: int, seed: int, checkpoint=None, deadline=None
):
    """(metrics, (part, prepared, fit, shaping)) of one fit on one split's fit series."""
    shaping = {
        "normalise": _flag(cfg, "normalise"),
        "length_rule": _hp(cfg, "length_rule", str, LENGTH_RULE),
    }
    length = max(_min_length(cfg, algorithm), int(series_lengths(part.X_fit).max(initial=0)))

    def ready(X):
        return _ready(X, length, shaping["normalise"], shaping["length_rule"])

    X_fit, X_val = ready(part.X_fit), ready(part.X_val)
    X_score = X_val if part.X_score is part.X_val else ready(part.X_score)
    prepared = Prepared(X_fit, X_val, X_score, length, max(len(part.classes), 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if algorithm == "rocket":
            fit = _fit_rocket(cfg, prepared, part, count, seed)
        elif algorithm == "intervals":
            fit = _fit_intervals(cfg, prepared, part, count, seed)
        elif algorithm == "cnn":
            fit = _fit_cnn(cfg, prepared, part, count, seed, checkpoint, deadline)
        else:
            raise ValueError(f"unknown algorithm {algorithm!r}")
    # Regression loss is scaled by the fit series' target, so every family shares one scale.
    result = _metrics(part, fit.predictions)
    result["epochs_completed"] = int(fit.epochs_completed)
    result["best_epoch"] = int(fit.best_epoch)
    return result, (part, prepared, fit, shaping)


def _mean_metrics(results: list) -> dict:
    """The folds' metrics averaged; best_epoch is their median, epochs_completed their sum."""
    mean = {key: float(np.mean([r[key] for r in results])) for key in results[0]}
    mean["epochs_completed"] = int(sum(r["epochs_completed"] for r in results))
    mean["best_epoch"] = int(np.median([r["best_epoch"] for r in results]))
    mean["loss_std"] = float(np.std([r["loss"] for r in results]))
    mean["cv_folds"] = len(results)
    return mean


# ----------------------------------------------------------------------------- settings


def _seed_everything(seed: int) -> None:
    """torch is seeded by the CNN itself, so families without it never import it."""
    random.seed(seed)
    np.random.seed(seed % 2**32)


def _hp(cfg, name: str, cast, fallback):
    """The configuration's value as a native type; `fallback` when the space lacks `name`."""
    if name not in DEFAULTS:
        return fallback
    return cast(cfg.get(name, DEFAULTS[name]))


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _flag(cfg, name: str) -> bool:
    """A boolean hyperparameter; off when the space lacks it."""
    return _hp(cfg, name, _as_bool, False)


def _native(value):
    return value.item() if isinstance(value, np.generic) else value


def _config_items(cfg) -> list:
    return sorted((str(name), _native(value)) for name, value in dict(cfg).items())


def _past(deadline) -> bool:
    """Whether the search's end (seconds since the epoch, None for none) has come."""
    return deadline is not None and time.time() >= float(deadline)


def _fidelity(algorithm: str, budget) -> int:
    """Kernels, boosting rounds or epochs: max(1, round(budget * full)), the full value without
    a budget; kernel counts are rounded to MiniRocket's multiples of 84 (at least 84)."""
    kind, full = FIDELITY[algorithm]
    count = int(full)
    if budget is not None:
        count = max(1, round(min(max(float(budget), 0.0), 1.0) * float(full)))
    if kind == "n_kernels":
        count = ROCKET_BASE_KERNELS * max(1, round(count / ROCKET_BASE_KERNELS))
    return count


def _min_length(cfg, algorithm: str) -> int:
    """MIN_LENGTH; one more for MultiRocket, whose first differences must still span a kernel."""
    multirocket = (
        algorithm == "rocket" and _hp(cfg, "rocket_transform", str, "minirocket") == "multirocket"
    )
    return MIN_LENGTH + int(multirocket)


# ----------------------------------------------------------------------------- series


def _series(values) -> np.ndarray:
    """(n_series, n_channels, length) float32; the caller's array itself when it is one already
    (nothing here writes to it). A 2-D array is one channel per series."""
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    array = np.asarray(values, dtype=np.float32)
    if array.ndim == 2:
        array = array[:, None, :]
    if array.ndim != 3:
        raise ValueError(
            f"expected series of shape (n_series, n_channels, length), got {array.shape}"
        )
    return array


def series_lengths(X) -> np.ndarray:
    """Each series' length: the position of its last observed (finite) value over the channels,
    plus one; 0 for a series without any."""
    X = _series(X)
    observed = np.isfinite(X).any(axis=1)
    last = X.shape[2] - np.argmax(observed[:, ::-1], axis=1)
    return np.where(observed.any(axis=1), last, 0).astype(np.int64)


def equalise(X, target_length: int) -> np.ndarray:
    """A new float32 array (n_series, n_channels, target_length) of the series in X.

    Per channel, missing (non-finite) values inside a series are interpolated linearly between
    their observed neighbours, with the first observed value before it and the last one after
    it; positions after the series' end take the channel's last observed value, so shorter
    series are padded with it; longer series are cut (after interpolating, so a missing value
    just inside the cut still sees its neighbour beyond it). A channel without any observed
    value is zeros. X itself is never written to.
    """
    X = _series(X)
    n_series, n_channels, length = X.shape
    target_length = int(target_length)
    out = np.zeros((n_series, n_channels, target_length), dtype=np.float32)
    keep = min(length, target_length)
    if keep > 0:
        out[:, :, :keep] = X[:, :, :keep]
        out[:, :, keep:] = X[:, :, keep - 1 : keep]
    positions = np.arange(target_length, dtype=np.float64)
    for row, channel in zip(*np.nonzero(~np.isfinite(X).all(axis=2)), strict=True):
        values = X[row, channel].astype(np.float64)
        seen = np.flatnonzero(np.isfinite(values))
        if len(seen) == 0:
            out[row, channel] = 0.0
        else:
            out[row, channel] = np.interp(positions, seen, values[seen])
    return out


def _znormalise(X: np.ndarray, observed: np.ndarray | None = None) -> np.ndarray:
    """Each series, per channel, to mean 0 and standard deviation 1 (in place); with `observed`
    ((n_series, 1, length) booleans) the statistics are those of the observed points only."""
    if observed is None:
        X -= X.mean(axis=2, keepdims=True)
        X /= np.maximum(X.std(axis=2, keepdims=True), STD_FLOOR)
        return X
    count = np.maximum(observed.sum(axis=2, keepdims=True), 1)
    X -= np.where(observed, X, 0.0).sum(axis=2, keepdims=True) / count
    X /= np.maximum(
        np.sqrt(np.where(observed, X * X, 0.0).sum(axis=2, keepdims=True) / count), STD_FLOOR
    )
    return X


def resample(X, target_length: int) -> np.ndarray:
    """A new float32 array (n_series, n_channels, target_length): each series stretched or
    squeezed from its own length to target_length by linear interpolation (uniform scaling),
    after equalise has filled its missing values. A series without any value is zeros."""
    X = _series(X)
    filled = equalise(X, max(X.shape[2], 1))
    n_series, n_channels = filled.shape[:2]
    target_length = int(target_length)
    last = np.maximum(series_lengths(X), 1) - 1
    source = np.linspace(0.0, 1.0, target_length)[None, :] * last[:, None]
    low = np.floor(source).astype(np.int64)
    high = np.minimum(low + 1, last[:, None])
    share = (source - low).astype(np.float32)[:, None, :]
    shape = (n_series, n_channels, target_length)
    below = np.take_along_axis(filled, np.broadcast_to(low[:, None, :], shape), axis=2)
    above = np.take_along_axis(filled, np.broadcast_to(high[:, None, :], shape), axis=2)
    return below + (above - below) * share


def _ready(X, length: int, normalise: bool, rule: str = LENGTH_RULE) -> np.ndarray:
    """X at one length by the length rule (HPG-TS-LENGTH), z-normalised per series and channel
    when normalise; with pad_zero the statistics are those of the observed points and the pad
    stays 0 (the series' mean once normalised)."""
    if rule not in LENGTH_RULES:
        raise ValueError(f"length_rule {rule!r} is not one of {LENGTH_RULES}")
    out = resample(X, length) if rule == "resample" else equalise(X, length)
    observed = None
    if rule == "pad_zero":
        observed = (np.arange(length)[None, :] < series_lengths(X)[:, None])[:, None, :]
    if normalise:
        _znormalise(out, observed)
    return out if observed is None else np.where(observed, out, np.float32(0.0))


# ----------------------------------------------------------------------------- data


def _has_part(dataset, name: str) -> bool:
    """Whether dataset holds X_<name> and y_<name> (name: "val" or "test")."""
    return dataset.get(f"X_{name}") is not None and dataset.get(f"y_{name}") is not None


def _targets(values, classes: np.ndarray | None) -> np.ndarray:
    y = np.asarray(values).ravel()
    if TASK == "classification":
        return np.searchsorted(classes, y.astype(str)).astype(np.int64)
    return y.astype(np.float64)


def _read(dataset) -> dict:
    """X, y and the given parts as arrays; class labels (str, sorted) of every part, coded."""
    given = [name for name in ("val", "test") if _has_part(dataset, name)]
    classes = np.array([], dtype=str)
    if TASK == "classification":
        labels = [
            np.asarray(dataset[key]).ravel().astype(str)
            for key in ("y", *(f"y_{n}" for n in given))
        ]
        classes = np.unique(np.concatenate(labels))
    data = {"X": _series(dataset["X"]), "y": _targets(dataset["y"], classes), "classes": classes}
    data["given"] = {
        name: (_series(dataset[f"X_{name}"]), _targets(dataset[f"y_{name}"], classes))
        for name in given
    }
    return data


def _split(data: dict, seed: int) -> Part:
    """Fit on all of X when X_val or X_test is given, else on a seeded 80/20 split of it.

    Validation uses X_val, else X_test, else the held-out 20%; scoring uses X_test, else the
    validation part.
    """
    X, y, classes, given = data["X"], data["y"], data["classes"], data["given"]
    if not given:
        fit_rows, val_rows = _split_rows(y, seed)
        X_val, y_val = X[val_rows], y[val_rows]
        return Part(X[fit_rows], y[fit_rows], X_val, y_val, X_val, y_val, classes, "split")
    names = list(given)
    (X_val, y_val), (X_score, y_score) = given[names[0]], given[names[-1]]
    return Part(X, y, X_val, y_val, X_score, y_score, classes, "given")


def _split_rows(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified when every class can be, else plain (rare classes then kept in training)."""
    rows = np.arange(len(y))
    stratify = y if TASK == "classification" and _can_stratify(y) else None
    fit_rows, val_rows = train_test_split(
        rows, test_size=VALIDATION_FRACTION, random_state=seed % 2**32, stratify=stratify
    )
    if TASK != "classification":
        return fit_rows, val_rows
    unseen = ~np.isin(y[val_rows], y[fit_rows])
    return np.concatenate([fit_rows, val_rows[unseen]]), val_rows[~unseen]


def _can_stratify(y: np.ndarray) -> bool:
    counts = np.unique(y, return_counts=True)[1]
    n_val = math.ceil(VALIDATION_FRACTION * len(y))
    return bool(counts.min() >= 2 and len(counts) <= min(n_val, len(y) - n_val))


def _folds(data: dict, algorithm: str, seed: int) -> list:
    """k seeded folds (stratified where every class can be) of at most CV_MAX_SERIES series
    without X_val / X_test; none for more, where one 20% split is large enough to judge by.
    The CNN uses at most CNN_MAX_FOLDS folds."""
    X, y, classes = data["X"], data["y"], data["classes"]
    folds = min(CV_FOLDS, CNN_MAX_FOLDS) if algorithm == "cnn" else CV_FOLDS
    if folds < 2 or len(y) > CV_MAX_SERIES or data["given"]:
        return []
    if TASK == "classification" and np.unique(y, return_counts=True)[1].min() >= folds:
        splits = StratifiedKFold(folds, shuffle=True, random_state=seed % 2**32).split(y, y)
    elif len(y) >= 2 * folds:
        splits = KFold(folds, shuffle=True, random_state=seed % 2**32).split(y)
    else:
        return []
    parts = []
    for index, (fit_rows, val_rows) in enumerate(splits):
        X_val, y_val = X[val_rows], y[val_rows]
        parts.append(
            Part(
                X[fit_rows],
                y[fit_rows],
                X_val,
                y_val,
                X_val,
                y_val,
                classes,
                f"fold{index}of{folds}",
            )
        )
    return parts


def _target_scale(y: np.ndarray) -> tuple[float, float]:
    if TASK != "regression":
        return 0.0, 1.0
    return float(np.mean(y)), max(float(np.std(y)), TINY)


def _openmp_threads(n_series: int):
    """One OpenMP thread on small data (start-up costs more than it saves); all from THREADED_SERIES."""
    return 1 if n_series < THREADED_SERIES else None


# ----------------------------------------------------------------------------- rocket


def _fit_rocket(cfg, prepared: Prepared, part: Part, count: int, seed: int) -> Fit:
    """MiniRocket or MultiRocket features, standardised, then a ridge head whose alpha is chosen
    by leave-one-out cross-validation, as aeon's MiniRocket estimators do (regression on the
    standardised target). aeon is imported here only: its numba kernels compile on first use."""
    from aeon.transformations.collection.convolution_based import MiniRocket, MultiRocket

    transform_name = _hp(cfg, "rocket_transform", str, "minirocket")
    dilations = _hp(cfg, "rocket_max_dilations", int, 32)
    jobs = 1 if len(part.y_fit) < THREADED_SERIES else -1
    if transform_name == "multirocket":
        kernels = ROCKET_BASE_KERNELS * max(
            1, round(count * MULTIROCKET_SHARE / ROCKET_BASE_KERNELS)
        )
        transform = MultiRocket(
            n_kernels=kernels,
            max_dilations_per_kernel=dilations,
            n_jobs=jobs,
            random_state=seed % 2**31,
        )
    else:
        kernels = count
        transform = MiniRocket(
            n_kernels=kernels,
            max_dilations_per_kernel=dilations,
            n_jobs=jobs,
            random_state=seed % 2**31,
        )
    alphas = np.logspace(
        *ROCKET_ALPHAS
    )  # chosen by leave-one-out in every fit (HPG-TS-ROCKET-HEAD)
    head = RidgeClassifierCV(alphas=alphas) if TASK == "classification" else RidgeCV(alphas=alphas)
    model = Pipeline([("transform", transform), ("scale", StandardScaler()), ("ridge", head)])
    center, scale = _target_scale(part.y_fit)
    model.fit(prepared.X_fit, (part.y_fit - center) / scale if TASK == "regression" else part.y_fit)
    predictions = np.asarray(model.predict(prepared.X_score))
    if TASK == "regression":
        predictions = predictions * scale + center
    details = {"rocket_transform": transform_name, "n_kernels": int(kernels)}
    return Fit(predictions, 1, 1, model, details)  # one pass over the data, as a non-iterative fit


# ----------------------------------------------------------------------------- intervals


def interval_pyramid(length: int, n_intervals: int) -> list[tuple[int, int]]:
    """(start, stop) of equal-width intervals: the whole series, halves, quarters, ... until
    n_intervals in total or intervals shorter than MIN_INTERVAL_LENGTH; a level that does not
    fit whole contributes evenly spaced intervals."""
    intervals = [(0, int(length))]
    level = 1
    while len(intervals) < n_intervals and length // 2**level >= MIN_INTERVAL_LENGTH:
        pieces = 2**level
        edges = np.round(np.linspace(0, length, pieces + 1)).astype(int)
        chosen = range(pieces)
        room = n_intervals - len(intervals)
        if room < pieces:
            chosen = np.round(np.linspace(0, pieces - 1, room)).astype(int)
        intervals += [(int(edges[i]), int(edges[i + 1])) for i in chosen]
        level += 1
    return intervals


def _interval_statistics(X: np.ndarray, n_intervals: int) -> np.ndarray:
    """Per interval and channel: mean, std, least-squares slope, min, max, median and IQR."""
    blocks = []
    for start, stop in interval_pyramid(X.shape[2], n_intervals):
        segment = X[:, :, start:stop].astype(np.float64)
        mean = segment.mean(axis=2)
        steps = np.arange(stop - start, dtype=np.float64) - (stop - start - 1) / 2.0
        slope = (segment * steps).sum(axis=2) / max(float((steps**2).sum()), TINY)
        low, median, high = np.percentile(segment, [25.0, 50.0, 75.0], axis=2)
        stats = [
            mean,
            segment.std(axis=2),
            slope,
            segment.min(axis=2),
            segment.max(axis=2),
            median,
            high - low,
        ]
        blocks.append(np.stack(stats, axis=2).reshape(len(X), -1))
    return np.concatenate(blocks, axis=1)


def interval_features(X: np.ndarray, n_intervals: int, use_diff: bool) -> np.ndarray:
    """Interval statistics of the series (and of their first differences with use_diff), then
    each channel's count of crossings of its whole-series mean; float32 (n_series, n_features)."""
    blocks = [_interval_statistics(X, n_intervals)]
    if use_diff:
        blocks.append(_interval_statistics(np.diff(X, axis=2), n_intervals))
    above = X > X.mean(axis=2, keepdims=True)
    blocks.append((above[:, :, 1:] != above[:, :, :-1]).sum(axis=2).astype(np.float64))
    return np.concatenate(blocks, axis=1).astype(np.float32)


def _fit_intervals(cfg, prepared: Prepared, part: Part, count: int, seed: int) -> Fit:
    """Gradient boosting on interval features: `count` rounds, stopped early on an internal 10%
    of the fit series from INTERVALS_EARLY_STOPPING_SERIES on (fixed rounds below)."""
    n_intervals = max(1, _hp(cfg, "intervals_n_intervals", int, 16))
    use_diff = _hp(cfg, "intervals_use_diff", _as_bool, False)
    X_fit = interval_features(prepared.X_fit, n_intervals, use_diff)
    X_score = interval_features(prepared.X_score, n_intervals, use_diff)
    n_fit = len(part.y_fit)
    classification = TASK == "classification"
    model_class = (
        HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
    )
    model = model_class(
        learning_rate=_hp(cfg, "intervals_learning_rate", float, 0.1),
        max_iter=count,
        max_leaf_nodes=_hp(cfg, "intervals_max_leaf_nodes", int, 31),
        l2_regularization=_hp(cfg, "intervals_l2_regularization", float, 0.0),
        # scikit-learn's 20 series per leaf would keep a tree on 40 series from splitting at all
        min_samples_leaf=max(1, min(INTERVALS_MIN_LEAF, n_fit // 10)),
        # Split finding over thousands of interval features dominates the fit: 64 quantile bins
        # per feature cost a quarter of scikit-learn's 255.
        max_bins=INTERVALS_MAX_BINS,
        early_stopping=n_fit >= INTERVALS_EARLY_STOPPING_SERIES,
        n_iter_no_change=INTERVALS_PATIENCE,
        random_state=seed % 2**32,
    )
    center, scale = _target_scale(part.y_fit)
    with threadpool_limits(limits=_openmp_threads(n_fit), user_api="openmp"):
        model.fit(X_fit, (part.y_fit - center) / scale if not classification else part.y_fit)
        predictions = np.asarray(model.predict(X_score))
    if not classification:
        predictions = predictions * scale + center
    done = int(model.n_iter_)
    details = {"n_intervals": n_intervals, "use_diff": use_diff, "n_features": int(X_fit.shape[1])}
    return Fit(predictions, done, done, model, details)


# ----------------------------------------------------------------------------- cnn


def _cnn_architecture(cfg, n_channels: int, length: int, n_outputs: int) -> dict:
    """Everything _network needs, as plain data (saved in metadata.json)."""
    kind = _hp(cfg, "cnn_architecture", str, "resnet")
    filters = max(1, _hp(cfg, "cnn_filters", int, 64))
    largest_odd = max(1, length if length % 2 else length - 1)
    return {
        "kind": kind,
        "in_channels": int(n_channels),
        "n_outputs": int(n_outputs),
        "depth": max(1, _hp(cfg, "cnn_depth", int, 3)),
        "filters": min(filters, INCEPTION_MAX_FILTERS if kind == "inception" else CNN_MAX_FILTERS),
        "kernels": [min(k, largest_odd) for k in INCEPTION_KERNELS]
        if kind == "inception"
        else list(RESNET_KERNELS),
        "dropout": min(max(_hp(cfg, "cnn_dropout", float, 0.0), 0.0), 0.95),
    }


@functools.cache
def _torch_modules() -> dict:
    """The CNN's module classes, defined on first use so that other families never import torch."""
    import torch
    from torch import nn

    class ResNetBlock(nn.Module):
        """Wang et al. 2017: three convolutions (kernels 8, 5, 3) with batch norm, a shortcut."""

        def __init__(self, c_in: int, c_out: int, kernels: list):
            super().__init__()
            layers: list = []
            for index, kernel in enumerate(kernels):
                # "same" padding, the extra zero of an even kernel at the end (torch's padding="same"
                # would copy the input for it, and warn)
                layers += [
                    nn.ConstantPad1d(((kernel - 1) // 2, kernel // 2), 0.0),
                    nn.Conv1d(c_in if index == 0 else c_out, c_out, kernel),
                    nn.BatchNorm1d(c_out),
                ]
                if index < len(kernels) - 1:
                    layers.append(nn.ReLU())
            self.body = nn.Sequential(*layers)
            if c_in == c_out:
                self.shortcut = nn.BatchNorm1d(c_out)
            else:
                self.shortcut = nn.Sequential(nn.Conv1d(c_in, c_out, 1), nn.BatchNorm1d(c_out))

        def forward(self, x):
            return torch.relu(self.body(x) + self.shortcut(x))

    class InceptionModule(nn.Module):
        """A bottleneck, three convolutions and a max-pool branch, concatenated, BN + ReLU."""

        def __init__(self, c_in: int, filters: int, kernels: list):
            super().__init__()
            width = INCEPTION_BOTTLENECK if c_in > 1 else c_in
            self.bottleneck = nn.Conv1d(c_in, width, 1, bias=False) if c_in > 1 else nn.Identity()
            self.convs = nn.ModuleList(
                nn.Conv1d(width, filters, k, padding=k // 2, bias=False) for k in kernels
            )
            self.pool = nn.Sequential(
                nn.MaxPool1d(3, stride=1, padding=1), nn.Conv1d(c_in, filters, 1, bias=False)
            )
            self.norm = nn.BatchNorm1d(filters * (len(kernels) + 1))

        def forward(self, x):
            z = self.bottleneck(x)
            return torch.relu(
                self.norm(torch.cat([conv(z) for conv in self.convs] + [self.pool(x)], dim=1))
            )

    class InceptionStack(nn.Module):
        """Inception modules with a residual connection every third module (and the last)."""

        def __init__(self, c_in: int, filters: int, kernels: list, n_modules: int):
            super().__init__()
            width = filters * (len(kernels) + 1)
            self.blocks = nn.ModuleList(
                InceptionModule(c_in if i == 0 else width, filters, kernels)
                for i in range(n_modules)
            )
            self.ends = [i for i in range(n_modules) if i % 3 == 2 or i == n_modules - 1]
            starts = [c_in] + [width] * (len(self.ends) - 1)
            self.shortcuts = nn.ModuleList(
                nn.Sequential(nn.Conv1d(s, width, 1, bias=False), nn.BatchNorm1d(width))
                for s in starts
            )

        def forward(self, x):
            residual, shortcut = x, 0
            for index, block in enumerate(self.blocks):
                x = block(x)
                if index in self.ends:
                    x = torch.relu(x + self.shortcuts[shortcut](residual))
                    residual, shortcut = x, shortcut + 1
            return x

    class SeriesNetwork(nn.Module):
        """Convolutional body, global average pooling over time, dropout, linear head."""

        def __init__(self, architecture: dict):
            super().__init__()
            filters, depth, kernels = (
                architecture["filters"],
                architecture["depth"],
                architecture["kernels"],
            )
            c_in = architecture["in_channels"]
            if architecture["kind"] == "inception":
                self.body = InceptionStack(c_in, filters, kernels, 2 * depth)
                width = filters * (len(kernels) + 1)
            else:
                blocks, width = [], c_in
                for index in range(depth):
                    c_out = (
                        filters if index == 0 else max(filters, min(2 * filters, CNN_MAX_FILTERS))
                    )
                    blocks.append(ResNetBlock(width, c_out, kernels))
                    width = c_out
                self.body = nn.Sequential(*blocks)
            self.dropout = nn.Dropout(architecture["dropout"])
            self.head = nn.Linear(width, architecture["n_outputs"])

        def forward(self, x):
            return self.head(self.dropout(self.body(x).mean(dim=2)))

    return {"SeriesNetwork": SeriesNetwork}


def _network(architecture: dict):
    return _torch_modules()["SeriesNetwork"](architecture)


def _cnn_loss(outputs, targets):
    import torch

    if TASK == "classification":
        return torch.nn.functional.cross_entropy(outputs, targets)
    return torch.nn.functional.mse_loss(outputs[:, 0], targets)


def _forward(network, X):
    """Outputs for X (a tensor on the network's device), EVALUATION_BATCH series at a time."""
    import torch

    network.eval()
    with torch.no_grad():
        return torch.cat([network(chunk) for chunk in torch.split(X, EVALUATION_BATCH)])


def _epoch_seed(seed: int, epoch: int) -> int:
    """A seed per (seed, epoch), so a resumed run draws what a straight run draws."""
    return (seed * 1_000_003 + epoch) % 2**63


def _train_epoch(network, optimizer, X, y, batch_size: int) -> None:
    """One pass over a shuffled order of the fit series."""
    import torch

    network.train()
    for rows in torch.split(torch.randperm(len(y), device=y.device), batch_size):
        optimizer.zero_grad(set_to_none=True)
        loss = _cnn_loss(network(X[rows]), y[rows])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(network.parameters(), GRADIENT_CLIP_NORM)
        optimizer.step()


def _copy_weights(network) -> dict:
    return {name: tensor.detach().clone() for name, tensor in network.state_dict().items()}


def _fresh_progress(network) -> dict:
    return {
        "epochs_done": 0,
        "stopped": False,
        "best_loss": math.inf,
        "best_epoch": 0,
        "epochs_since_best": 0,
        "best_model": _copy_weights(network),
    }


def _record_epoch(progress: dict, network, val_loss: float) -> None:
    """Count the epoch and keep the best weights; a NaN loss never counts as better and stops."""
    progress["epochs_done"] += 1
    if val_loss < progress["best_loss"]:
        progress.update(best_loss=val_loss, best_epoch=progress["epochs_done"], epochs_since_best=0)
        progress["best_model"] = _copy_weights(network)
    else:
        progress["epochs_since_best"] += 1
    progress["stopped"] = progress["epochs_since_best"] >= CNN_PATIENCE or not math.isfinite(
        val_loss
    )


def _fit_cnn(
    cfg,
    prepared: Prepared,
    part: Part,
    epochs: int,
    seed: int,
    checkpoint: Path | None,
    deadline=None,
) -> Fit:
    """Train (or resume) the network up to `epochs` epochs with early stopping on the validation
    series (and no new epoch after the deadline), then predict the scored series with its best
    weights."""
    import torch

    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    center, scale = _target_scale(part.y_fit)

    def series(X):
        return torch.from_numpy(np.ascontiguousarray(X)).to(device)

    def target(y):
        if TASK == "classification":
            return torch.as_tensor(y, dtype=torch.long, device=device)
        return torch.as_tensor((y - center) / scale, dtype=torch.float32, device=device)

    X_fit, y_fit, X_val, y_val = (
        series(prepared.X_fit),
        target(part.y_fit),
        series(prepared.X_val),
        target(part.y_val),
    )
    architecture = _cnn_architecture(
        cfg, prepared.X_fit.shape[1], prepared.length, prepared.n_outputs
    )
    network = _network(architecture).to(device)
    optimizer = torch.optim.AdamW(
        network.parameters(),
        lr=_hp(cfg, "cnn_learning_rate", float, 1e-3),
        weight_decay=_hp(cfg, "cnn_weight_decay", float, 1e-4),
    )
    # A plateau schedule: it never depends on the total epochs, so a resumed run equals a straight one.
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=CNN_LR_FACTOR, patience=CNN_LR_PATIENCE
    )
    progress, stored_epochs = _restore_progress(checkpoint, epochs, network, optimizer, scheduler)
    batch_size = max(1, min(_hp(cfg, "cnn_batch_size", int, 16), len(part.y_fit)))
    trained = 0
    while (
        progress["epochs_done"] < epochs
        and not progress["stopped"]
        and not (trained and _past(deadline))
    ):
        torch.manual_seed(_epoch_seed(seed, progress["epochs_done"] + 1))
        _train_epoch(network, optimizer, X_fit, y_fit, batch_size)
        val_loss = float(_cnn_loss(_forward(network, X_val), y_val))
        scheduler.step(val_loss)
        _record_epoch(progress, network, val_loss)
        trained += 1
    if checkpoint is not None and trained > 0 and stored_epochs <= progress["epochs_done"]:
        _save_checkpoint(checkpoint, network, optimizer, scheduler, progress)
    network.load_state_dict(progress["best_model"])
    scoring = X_val if prepared.X_score is prepared.X_val else series(prepared.X_score)
    outputs = _forward(network, scoring)
    if TASK == "classification":
        predictions = outputs.argmax(dim=1).cpu().numpy()
    else:
        predictions = outputs[:, 0].double().cpu().numpy() * scale + center
    details = {"architecture": architecture}
    return Fit(predictions, trained, int(progress["best_epoch"]), network, details)


def _checkpoint_path(dataset, cfg, seed: int, algorithm: str, part: Part) -> Path | None:
    """The CNN's checkpoint of this configuration, seed and split (a fold, the 80/20 split or
    the given parts, and their sizes), when dataset["checkpoint_dir"] is set."""
    folder = dataset.get("checkpoint_dir")
    if folder is None or FIDELITY[algorithm][0] != "epochs":
        return None
    shape = [len(part.y_fit), len(part.y_val), *part.X_fit.shape[1:]]
    key = hashlib.sha256(
        json.dumps([_config_items(cfg), seed, part.key, shape]).encode("utf-8")
    ).hexdigest()
    return Path(folder) / f"cnn_{key}.pt"


def _restore_progress(path: Path | None, epochs: int, network, optimizer, scheduler):
    """Resume from a checkpoint that trained at most `epochs` epochs.

    Returns the progress to continue from and the epochs stored in the checkpoint (0 if none);
    a checkpoint that went past `epochs` is neither used nor overwritten.
    """
    import torch

    if path is None or not path.exists():
        return _fresh_progress(network), 0
    device = next(network.parameters()).device
    stored = torch.load(path, map_location=device, weights_only=True)
    stored_epochs = int(stored["progress"]["epochs_done"])
    if stored_epochs > epochs:
        return _fresh_progress(network), stored_epochs
    network.load_state_dict(stored["model"])
    optimizer.load_state_dict(stored["optimizer"])
    scheduler.load_state_dict(stored["scheduler"])
    return stored["progress"], stored_epochs


def _save_checkpoint(path: Path, network, optimizer, scheduler, progress: dict) -> None:
    """Weights, optimiser, schedule and early-stopping state (plain tensors and numbers)."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "model": network.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "progress": progress,
    }
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    torch.save(state, partial)
    os.replace(partial, path)


# ----------------------------------------------------------------------------- metrics


def _metrics(part: Part, predictions: np.ndarray) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if TASK == "classification":
            return _classification_metrics(part.y_score, predictions, part.classes)
        return _regression_metrics(part.y_fit, part.y_score, predictions)


def _classification_metrics(truth: np.ndarray, predicted, classes: np.ndarray) -> dict:
    """Macro scores over the labels seen in validation; per-class scores for every label."""
    predicted = np.asarray(predicted).astype(np.int64)
    accuracy = float(accuracy_score(truth, predicted))
    result = {"loss": 1.0 - accuracy, "accuracy": accuracy}
    result["balanced_accuracy"] = float(balanced_accuracy_score(truth, predicted))
    macro = precision_recall_fscore_support(truth, predicted, average="macro", zero_division=0)
    result.update(precision_macro=float(macro[0]), recall_macro=float(macro[1]))
    result["f1_macro"] = float(macro[2])
    labels = np.arange(len(classes))
    scores = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    for name, values in zip(("precision", "recall", "f1"), scores[:3], strict=True):
        for label, value in zip(classes, values, strict=True):
            result[f"{name}_class_{label}"] = float(value)
    return result


def _regression_metrics(y_fit: np.ndarray, truth: np.ndarray, predicted) -> dict:
    """Loss is RMSE over the fit target's standard deviation (floored, so finite)."""
    predicted = _bounded(np.asarray(predicted, dtype=np.float64), y_fit)
    rmse = float(np.sqrt(mean_squared_error(truth, predicted)))
    result = {"loss": rmse / max(float(np.std(y_fit)), TINY), "rmse": rmse}
    result["mae"] = float(mean_absolute_error(truth, predicted))
    result["r2"] = float(r2_score(truth, predicted)) if len(truth) > 1 else 0.0
    return result


def _bounded(predicted: np.ndarray, y_fit: np.ndarray) -> np.ndarray:
    """Non-finite or wild predictions are clipped to a wide band around the fit target."""
    low, high = float(np.min(y_fit)), float(np.max(y_fit))
    margin = PREDICTION_MARGIN * max(high - low, TINY)
    low, high = low - margin, high + margin
    filled = np.nan_to_num(predicted, nan=(low + high) / 2, posinf=high, neginf=low)
    return np.clip(filled, low, high)


# ----------------------------------------------------------------------------- saving


def _save_model(
    model_dir: Path,
    cfg,
    part: Part,
    prepared: Prepared,
    fit: Fit,
    shaping: dict,
    run: dict,
    result: dict,
) -> None:
    """config.json and metadata.json always; the CNN's weights as a state_dict (model.pt); the
    rocket pipeline or the boosting model through skops (estimator.skops), never pickle."""
    model_dir.mkdir(parents=True, exist_ok=True)
    center, scale = _target_scale(part.y_fit)
    metadata = {
        "task": TASK,
        **run,
        "fidelity": list(FIDELITY[run["algorithm"]]),
        "series_length": int(prepared.length),
        "n_channels": int(prepared.X_fit.shape[1]),
        "normalise": bool(shaping["normalise"]),
        "length_rule": shaping["length_rule"],
        "n_train_series": int(len(part.y_fit)),
        "n_validation_series": int(len(part.y_val)),
        "n_scored_series": int(len(part.y_score)),
        "classes": [str(label) for label in part.classes],
        "target_center": center,
        "target_scale": scale,
        **fit.details,
        "preprocessing": "interpolate missing values, then make every series series_length long by "
        "length_rule (pad_zero / pad_last: pad the end with 0 / the last value, cut longer series; "
        "resample: linear interpolation), then z-normalise each series per channel when normalise",
        "metrics": result,
    }
    config = dict(_config_items(cfg))
    (model_dir / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    if run["algorithm"] == "cnn":
        import torch

        weights = {
            name: value.detach().cpu().contiguous()
            for name, value in fit.model.state_dict().items()
        }
        torch.save(weights, model_dir / "model.pt")
    elif importlib.util.find_spec("skops") is not None:
        import skops.io

        skops.io.dump(fit.model, model_dir / "estimator.skops")


def _load_skops(path: Path):
    """A saved estimator, trusting only scikit-learn, aeon and numpy types."""
    import skops.io

    types = skops.io.get_untrusted_types(file=path)
    unexpected = [name for name in types if not name.startswith(TRUSTED_MODULES)]
    if unexpected:
        raise ValueError(f"{path} holds types that are not trusted: {unexpected}")
    return skops.io.load(path, trusted=types)
