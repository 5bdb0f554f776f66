"""Train one tabular configuration and score it on held-out rows (hpogen train contract).

Columns are read by kind (COLUMN_KINDS, from the bundle's spec: numbers, categories,
high-cardinality strings, free text, dates; constants and IDs dropped); preprocessing is fitted
on the fit rows only; the model family comes from `algorithm`; the budget scales each family's
fidelity (iterations, trees, boosting rounds, epochs or training rows). On small data without a
given validation part, the loss is the mean validation error over CV_FOLDS folds.
torch and lightgbm are imported only by the families that use them.
"""

from __future__ import annotations

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
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, LogisticRegression
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
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
    TargetEncoder,
)
from sklearn.svm import SVC, SVR
from threadpoolctl import threadpool_limits

TASK = "classification"
DEFAULTS = {
    "algorithm": "hist_gradient_boosting",
    "scaler": "standard",
    "hgb_learning_rate": 0.175,
    "hgb_max_leaf_nodes": 31,
    "hgb_min_samples_leaf": 20,
    "hgb_l2_regularization": 1e-10,
    "hgb_max_iter": 100,
    "rf_max_features": 0.5,
    "rf_min_samples_leaf": 1,
    "rf_max_samples": 1.0,
    "rf_n_estimators": 800,
    "svm_C": 0.001,
    "svm_gamma": 0.1,
    "linear_alpha": 0.0009765625,
    "linear_l1_ratio": 0.5,
    "lgb_learning_rate": 0.1,
    "lgb_num_leaves": 31,
    "lgb_min_child_samples": 20,
    "lgb_subsample": 1.0,
    "lgb_colsample_bytree": 1.0,
    "lgb_reg_alpha": 0.0009765625,
    "lgb_reg_lambda": 1.0,
}
FIDELITY = {
    "lightgbm": ["rounds", 1000],
    "hist_gradient_boosting": ["max_iter", 512],
    "random_forest": ["n_estimators", 500],
    "svm": ["data_fraction", 1.0],
    "linear": ["data_fraction", 1.0],
}
# Column name -> kind for the columns that are not plain numbers (HPG-COL-*); a column not
# named here is numeric when its values are numbers, else categorical.
COLUMN_KINDS = {}
# k-fold scoring when the data has at most CV_MAX_ROWS rows and no validation part (HPG-TAB-CV)
CV_FOLDS = 5
CV_MAX_ROWS = 5000
TEXT_MAX_FEATURES = 64  # word 1-2-grams per free-text column (HPG-COL-TEXT)

# The space hyperparameter that sets a family's iterations / trees / epochs when budget is None.
COUNT_HYPERPARAMETERS = {
    "hist_gradient_boosting": "hgb_max_iter",
    "random_forest": "rf_n_estimators",
    "mlp": "mlp_epochs",
}
DROPPED_KINDS = ("constant", "id")
SCALERS = {"standard": StandardScaler, "robust": RobustScaler, "minmax": MinMaxScaler}
VALIDATION_FRACTION = 0.2
MAX_ONEHOT_CATEGORIES = 32  # per column; rarer categories share one "infrequent" column
TARGET_ENCODER_FOLDS = 5  # cross-fitting inside the fit rows (scikit-learn's default)
SVM_CACHE_MB = 512
SVM_MAX_ITER = 1_000_000  # libsvm iterations: bounds the time of near hard-margin fits
LINEAR_MAX_ITER = 1000
LIGHTGBM_PATIENCE = 50  # boosting rounds without a better validation loss
THREADED_ROWS = 10_000  # below this, boosting and OpenMP fits use one thread (start-up costs more)
EARLY_STOPPING_PATIENCE = 10  # epochs without a better validation loss
LR_PATIENCE = 4
LR_FACTOR = 0.5
GRADIENT_CLIP_NORM = 5.0
EVALUATION_CHUNK = 8192
TINY = 1e-12
PREDICTION_MARGIN = 10.0  # regression predictions stay within the target range +- 10 spans


class Split(NamedTuple):
    """Training, validation and scoring parts; class targets are indices into `classes`.

    Validation drives early stopping and the LR schedule; scoring gives the returned metrics.
    They are the same part unless the dataset brings both X_val and X_test.
    """

    X_train: pd.DataFrame
    X_val: pd.DataFrame
    X_score: pd.DataFrame
    y_train: np.ndarray
    y_val: np.ndarray
    y_score: np.ndarray
    classes: np.ndarray


class Arrays(NamedTuple):
    """Preprocessed float matrices and targets handed to a model family."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_score: np.ndarray
    n_outputs: int


class Fit(NamedTuple):
    """Predictions on the scoring part (class indices or target values) and what the fit did."""

    predictions: np.ndarray
    epochs_completed: int
    best_epoch: int
    model: Any


def train(cfg, dataset, seed, budget=None, model_dir=None) -> dict:
    """Fit one configuration on the training part and return validation metrics.

    Small data without X_val / X_test is scored by k-fold cross-validation (the loss is the
    mean validation error of the folds); a call that saves its model uses the 80/20 split.
    """
    seed = int(seed)
    _seed_everything(seed)
    algorithm = _hp(cfg, "algorithm", str, next(iter(FIDELITY)))
    fraction, count = _fidelity(cfg, algorithm, budget)
    started = time.perf_counter()
    folds = _folds(dataset, seed) if model_dir is None else []
    if folds:
        results = [_fit_and_score(cfg, algorithm, part, fraction, count, seed)[0] for part in folds]
        result = _mean_metrics(results)
    else:
        checkpoint = _checkpoint_path(dataset, cfg, seed, FIDELITY[algorithm][0])
        whole = _split(dataset, seed)
        result, fitted = _fit_and_score(cfg, algorithm, whole, fraction, count, seed, checkpoint)
    result["training_time"] = float(time.perf_counter() - started)
    if model_dir is not None:
        share = None if budget is None else float(budget)
        run = {"algorithm": algorithm, "seed": seed, "budget": share, "row_fraction": fraction}
        split, arrays, fit, preprocessor = fitted
        metadata = _metadata(split, arrays, {**run, "count": count}, result)
        _save_model(Path(model_dir), cfg, fit, preprocessor, metadata)
    return result


def _fit_and_score(
    cfg, algorithm: str, whole, fraction: float, count: int, seed: int, checkpoint=None
):
    """(metrics, (split, arrays, fit, preprocessor)) of one fit on one split's training part."""
    split = _subsample(whole, fraction, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Found unknown categories")
        preprocessor = _preprocessor(cfg, split, seed)
        arrays = _preprocessed(preprocessor, split)
        if algorithm == "mlp":
            fit = _fit_mlp(cfg, arrays, count, seed, checkpoint)
        elif algorithm == "lightgbm":
            fit = _fit_lightgbm(cfg, count, arrays, seed)
        else:
            fit = _fit_sklearn(cfg, algorithm, count, arrays, seed)
    # Regression loss is scaled by the whole training part, so every budget shares one scale.
    result = _metrics(split, fit.predictions, whole.y_train)
    result["epochs_completed"] = int(fit.epochs_completed)
    result["best_epoch"] = int(fit.best_epoch)
    return result, (split, arrays, fit, preprocessor)


def _mean_metrics(results: list) -> dict:
    """The folds' metrics averaged; best_epoch is their median, epochs_completed their sum."""
    mean = {key: float(np.mean([r[key] for r in results])) for key in results[0]}
    mean["epochs_completed"] = int(sum(r["epochs_completed"] for r in results))
    mean["best_epoch"] = int(np.median([r["best_epoch"] for r in results]))
    mean["loss_std"] = float(np.std([r["loss"] for r in results]))
    mean["cv_folds"] = len(results)
    return mean


def refit_budget(cfg, best_epoch: int) -> float | None:
    """The budget at which train() trains best_epoch epochs or boosting rounds.

    After the search, the incumbent is refit on every training row: families that stop early
    (epochs, boosting rounds) for the length early stopping chose on held-out rows, the others
    (None) at the run's final budget.
    """
    kind, full = FIDELITY[_hp(cfg, "algorithm", str, next(iter(FIDELITY)))]
    if kind not in ("epochs", "rounds"):
        return None
    return min(1.0, max(1, int(best_epoch)) / float(full))


def _seed_everything(seed: int) -> None:
    """torch is seeded by the MLP itself, so families without it never import it."""
    random.seed(seed)
    np.random.seed(seed % 2**32)


def _hp(cfg, name: str, cast, fallback):
    """The configuration's value as a native type; `fallback` when the space lacks `name`."""
    if name not in DEFAULTS:
        return fallback
    return cast(cfg.get(name, DEFAULTS[name]))


def _native(value):
    return value.item() if isinstance(value, np.generic) else value


def _config_items(cfg) -> list:
    return sorted((str(name), _native(value)) for name, value in dict(cfg).items())


def _fidelity(cfg, algorithm: str, budget) -> tuple[float, int]:
    """(fraction of training rows, iterations / trees / epochs; 0 for families without one)."""
    kind, full = FIDELITY[algorithm]
    share = 1.0 if budget is None else min(max(float(budget), 0.0), 1.0)
    count_name = COUNT_HYPERPARAMETERS.get(algorithm, "")
    if kind == "data_fraction":
        return min(1.0, share * float(full)), _hp(cfg, count_name, int, 100 if count_name else 0)
    if budget is None:  # boosting rounds: the full count, early stopping ends them
        return 1.0, _hp(cfg, count_name, int, int(full))
    return 1.0, max(1, round(share * float(full)))


# ----------------------------------------------------------------------------- data


def _has_part(dataset, name: str) -> bool:
    """Whether dataset holds X_<name> and y_<name> (name: "val" or "test")."""
    return dataset.get(f"X_{name}") is not None and dataset.get(f"y_{name}") is not None


def _split(dataset, seed: int) -> Split:
    """Fit on all of X when X_val or X_test is given, else on a seeded 80/20 split of it.

    Validation uses X_val, else X_test, else the held-out 20%; scoring uses X_test, else the
    validation part.
    """
    X, kinds = _frame(dataset["X"])
    y = np.asarray(dataset["y"]).ravel()
    given = [name for name in ("val", "test") if _has_part(dataset, name)]
    if not given:
        train_rows, val_rows = _split_rows(y, seed)
        X_val, y_val = X.iloc[val_rows], y[val_rows]
        return _encode(X.iloc[train_rows], y[train_rows], (X_val, y_val), (X_val, y_val))
    parts = {
        name: (_frame(dataset[f"X_{name}"], kinds)[0], np.asarray(dataset[f"y_{name}"]).ravel())
        for name in given
    }
    return _encode(X, y, parts[given[0]], parts[given[-1]])


def _folds(dataset, seed: int) -> list:
    """k seeded folds (stratified where every class can be) of small data without X_val /
    X_test; none for larger data, where one 20% split is large enough to judge by."""
    y = np.asarray(dataset["y"]).ravel()
    if (
        CV_FOLDS < 2
        or len(y) > CV_MAX_ROWS
        or _has_part(dataset, "val")
        or _has_part(dataset, "test")
    ):
        return []
    X = _frame(dataset["X"])[0]
    counts = np.unique(y, return_counts=True)[1]
    if TASK == "classification" and counts.min() >= CV_FOLDS:
        folds = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=seed % 2**32).split(X, y)
    elif len(y) >= 2 * CV_FOLDS:
        folds = KFold(CV_FOLDS, shuffle=True, random_state=seed % 2**32).split(X)
    else:
        return []
    splits = []
    for train_rows, val_rows in folds:
        part = (X.iloc[val_rows], y[val_rows])
        splits.append(_encode(X.iloc[train_rows], y[train_rows], part, part))
    return splits


def _frame(X, kinds: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """X as one column per feature, named "<kind>__x<i>": numbers and date parts as float,
    categories as str-or-NaN, text as str; constant and ID columns dropped. Returns the kinds."""
    from_numpy = not isinstance(X, pd.DataFrame)
    if from_numpy:
        array = np.asarray(X)
        frame = pd.DataFrame(array.reshape(len(array), -1))
    else:
        frame = X.reset_index(drop=True)
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    if kinds is None:
        names = [None if from_numpy else str(name) for name in frame.columns]
        kinds = [
            _kind(name, column, from_numpy) for name, column in zip(names, columns, strict=True)
        ]
    values: dict[str, Any] = {}
    for i, (column, kind) in enumerate(zip(columns, kinds, strict=True)):
        if kind == "datetime":
            values.update(_date_parts(f"numeric__x{i}", column))
        elif kind == "numeric":
            values[f"numeric__x{i}"] = _as_float(column)
        elif kind == "text":
            values[f"text__x{i}"] = _as_strings(column, "")
        elif kind == "high_cardinality":
            values[f"high_cardinality__x{i}"] = _as_strings(column, np.nan)
        elif kind not in DROPPED_KINDS:  # categorical and boolean
            values[f"categorical__x{i}"] = _as_strings(column, np.nan)
    return pd.DataFrame(values, index=pd.RangeIndex(len(frame))), kinds


def _kind(name: str | None, column: pd.Series, from_numpy: bool) -> str:
    """The spec's kind for a named column, else numeric or categorical by its values."""
    if name is not None and name in COLUMN_KINDS:
        return COLUMN_KINDS[name]
    return "numeric" if _is_numeric(column, from_numpy) else "categorical"


def _is_numeric(column: pd.Series, from_numpy: bool) -> bool:
    """pandas: numeric non-bool dtypes; numpy: every present value converts to float."""
    kind = column.dtype.kind
    if kind in "iuf" or (from_numpy and kind == "b"):
        return True
    if not from_numpy:
        return False
    converted = pd.to_numeric(column, errors="coerce")
    return bool(converted.notna().sum() == column.notna().sum())


def _date_parts(prefix: str, column: pd.Series) -> dict:
    """A date as year, month, day, weekday, day of year and days since 1970 (NaN if unparsed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if column.dtype.kind == "M":
            stamps = pd.to_datetime(column, utc=True)
        else:
            stamps = pd.to_datetime(
                column.astype(object), errors="coerce", utc=True, format="mixed"
            )
    days = (stamps - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(days=1)
    parts = {
        "year": stamps.dt.year,
        "month": stamps.dt.month,
        "day": stamps.dt.day,
        "weekday": stamps.dt.dayofweek,
        "dayofyear": stamps.dt.dayofyear,
        "days": days,
    }
    return {f"{prefix}_{name}": _as_float(part) for name, part in parts.items()}


def _as_float(column: pd.Series) -> np.ndarray:
    """Floats with every missing, unparsable or infinite entry as NaN (imputed later)."""
    converted = pd.to_numeric(column, errors="coerce")
    values = converted.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    values[~np.isfinite(values)] = np.nan
    return values


def _as_strings(column: pd.Series, missing_value) -> np.ndarray:
    """Values as str, missing entries as `missing_value`: NaN for categories (imputed later),
    "" for text (it adds no n-grams)."""
    missing = column.isna().to_numpy()
    text = column.astype(object).astype(str).to_numpy(dtype=object, copy=True)
    text[missing] = missing_value
    return text


def _split_rows(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified when every class can be, else plain (rare classes then kept in training)."""
    rows = np.arange(len(y))
    stratify = y if TASK == "classification" and _can_stratify(y) else None
    train_rows, val_rows = train_test_split(
        rows, test_size=VALIDATION_FRACTION, random_state=seed, stratify=stratify
    )
    if TASK != "classification":
        return train_rows, val_rows
    unseen = ~np.isin(y[val_rows], y[train_rows])
    return np.concatenate([train_rows, val_rows[unseen]]), val_rows[~unseen]


def _can_stratify(y: np.ndarray) -> bool:
    counts = np.unique(y, return_counts=True)[1]
    n_val = math.ceil(VALIDATION_FRACTION * len(y))
    return bool(counts.min() >= 2 and len(counts) <= min(n_val, len(y) - n_val))


def _encode(X_train, y_train, val: tuple, score: tuple) -> Split:
    """Classification labels become indices into the sorted labels of every part."""
    (X_val, y_val), (X_score, y_score) = val, score
    if TASK == "classification":
        classes = np.unique(np.concatenate([y_train, y_val, y_score]))
        codes = [np.searchsorted(classes, part) for part in (y_train, y_val, y_score)]
    else:
        classes = np.array([])
        codes = [part.astype(np.float64) for part in (y_train, y_val, y_score)]
    return Split(X_train, X_val, X_score, codes[0], codes[1], codes[2], classes)


def _preprocessed(preprocessor, split: Split) -> Arrays:
    """Fit the preprocessing on the training part only (target encoding learns from its
    targets, cross-fitted); transform every part once."""
    X_train = preprocessor.fit_transform(split.X_train, split.y_train).astype(np.float64)
    X_val = preprocessor.transform(split.X_val).astype(np.float64)
    X_score = X_val
    if split.X_score is not split.X_val:
        X_score = preprocessor.transform(split.X_score).astype(np.float64)
    n_outputs = max(len(split.classes), 1)
    return Arrays(X_train, split.y_train, X_val, split.y_val, X_score, n_outputs)


def _subsample(split: Split, fraction: float, seed: int) -> Split:
    """Keep round(fraction * n) training rows: every class, and at least 2 per class."""
    n_rows = len(split.y_train)
    classification = TASK == "classification"
    floor = 2 * len(np.unique(split.y_train)) if classification else 2
    keep = min(n_rows, max(round(fraction * n_rows), floor))
    if keep >= n_rows:
        return split
    order = np.random.default_rng(seed).permutation(n_rows)
    first = np.unique(split.y_train[order], return_index=True)[1] if classification else []
    chosen = order[np.asarray(first, dtype=np.int64)]
    rest = order[~np.isin(order, chosen)][: keep - len(chosen)]
    rows = np.sort(np.concatenate([chosen, rest]))
    return split._replace(X_train=split.X_train.iloc[rows], y_train=split.y_train[rows])


def _preprocessor(cfg, split: Split, seed: int) -> ColumnTransformer:
    """One part per column kind (columns empty in the fit rows are dropped): numbers imputed and
    scaled, categories imputed and encoded, high-cardinality strings target- or frequency-
    encoded, each free-text column as word n-grams."""
    frame = split.X_train
    present = [name for name in frame.columns if frame[name].notna().any()]
    kinds = {name: name.split("__", 1)[0] for name in present}
    scaler = _hp(cfg, "scaler", str, "standard")
    numeric_steps = Pipeline(
        [
            ("impute", SimpleImputer(strategy=_hp(cfg, "imputer", str, "median"))),
            ("scale", "passthrough" if scaler == "none" else SCALERS[scaler]()),
        ]
    )
    categorical_steps = Pipeline(
        [("impute", SimpleImputer(strategy="most_frequent")), ("encode", _encoder(cfg))]
    )
    many_steps = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="(missing)")),
            ("encode", _many_encoder(cfg, split, seed)),
        ]
    )
    parts = [
        ("numeric", numeric_steps, [n for n in present if kinds[n] == "numeric"]),
        ("categorical", categorical_steps, [n for n in present if kinds[n] == "categorical"]),
        ("high_cardinality", many_steps, [n for n in present if kinds[n] == "high_cardinality"]),
    ]
    parts += [
        (f"ngrams_{name.split('__', 1)[1]}", TextNgrams(), name)
        for name in present
        if kinds[name] == "text"
    ]
    return ColumnTransformer([part for part in parts if len(part[2])], sparse_threshold=0.0)


def _encoder(cfg):
    if _hp(cfg, "categorical_encoding", str, "onehot") == "ordinal":
        return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    return OneHotEncoder(
        handle_unknown="ignore", max_categories=MAX_ONEHOT_CATEGORIES, sparse_output=False
    )


def _many_encoder(cfg, split: Split, seed: int):
    """Target encoding, cross-fitted inside the fit rows, or each value's share of them."""
    if _hp(cfg, "high_cardinality_encoding", str, "target") == "frequency":
        return FrequencyEncoder()
    y = split.y_train
    if TASK == "classification":
        target_type = "binary" if len(np.unique(y)) <= 2 else "multiclass"
        smallest = int(np.unique(y, return_counts=True)[1].min())
    else:
        target_type, smallest = "continuous", len(y)
    folds = max(2, min(TARGET_ENCODER_FOLDS, smallest))
    splitter = StratifiedKFold if TASK == "classification" else KFold
    cv = splitter(folds, shuffle=True, random_state=seed % 2**32)
    return TargetEncoder(target_type=target_type, cv=cv)


class FrequencyEncoder(TransformerMixin, BaseEstimator):
    """Each value as its share of the fit rows; values unseen there are 0."""

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=object)
        self.shares_ = []
        for i in range(X.shape[1]):
            values, counts = np.unique(X[:, i].astype(str), return_counts=True)
            self.shares_.append(dict(zip(values.tolist(), (counts / len(X)).tolist(), strict=True)))
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=object)
        columns = [
            [shares.get(value, 0.0) for value in X[:, i].astype(str)]
            for i, shares in enumerate(self.shares_)
        ]
        return np.asarray(columns, dtype=np.float64).T.reshape(len(X), len(self.shares_))


class TextNgrams(TransformerMixin, BaseEstimator):
    """Word 1-2-gram tf-idf of one text column, vocabulary from the fit rows (at most
    TEXT_MAX_FEATURES, each in 2 rows); one zero column when the fit rows hold no words."""

    def fit(self, X, y=None):
        texts = np.asarray(X, dtype=object).ravel().astype(str)
        self.vectorizer_ = None
        for min_df in (2, 1):
            vectorizer = TfidfVectorizer(
                ngram_range=(1, 2), min_df=min_df, max_features=TEXT_MAX_FEATURES, dtype=np.float64
            )
            try:
                self.vectorizer_ = vectorizer.fit(texts)
                break
            except ValueError:  # an empty vocabulary
                continue
        return self

    def transform(self, X):
        texts = np.asarray(X, dtype=object).ravel().astype(str)
        if self.vectorizer_ is None:
            return np.zeros((len(texts), 1))
        return self.vectorizer_.transform(texts).toarray()


# ----------------------------------------------------------------------------- sklearn


def _fit_sklearn(cfg, algorithm: str, count: int, arrays: Arrays, seed: int) -> Fit:
    """Fit one scikit-learn family; regression targets are standardised for the fit."""
    estimator = ESTIMATORS[algorithm](cfg, count, seed, len(arrays.y_train))
    # OpenMP threads (HistGradientBoosting) on small data cost more than they save, and on a
    # busy machine their spin-waits made one 5-fold trial take minutes instead of seconds.
    threads = 1 if len(arrays.y_train) < THREADED_ROWS else None
    with threadpool_limits(limits=threads, user_api="openmp"):
        if TASK == "classification":
            estimator.fit(arrays.X_train, arrays.y_train)
            predictions = estimator.predict(arrays.X_score)
        else:
            center, scale = _target_scale(arrays.y_train)
            estimator.fit(arrays.X_train, (arrays.y_train - center) / scale)
            predictions = estimator.predict(arrays.X_score) * scale + center
    done = _iterations(estimator)
    return Fit(predictions, done, done, estimator)


def _iterations(estimator) -> int:
    """Trees grown, or boosting / solver iterations actually run."""
    if hasattr(estimator, "estimators_"):
        return len(estimator.estimators_)
    return int(np.max(estimator.n_iter_))


def _target_scale(y: np.ndarray) -> tuple[float, float]:
    return float(np.mean(y)), max(float(np.std(y)), TINY)


def _hist_gradient_boosting(cfg, count: int, seed: int, n_rows: int):
    """Early stopping stays off so that `max_iter` (the fidelity) is the iterations run."""
    classification = TASK == "classification"
    model = HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
    return model(
        learning_rate=_hp(cfg, "hgb_learning_rate", float, 0.1),
        max_iter=count,
        max_leaf_nodes=_hp(cfg, "hgb_max_leaf_nodes", int, 31),
        min_samples_leaf=_hp(cfg, "hgb_min_samples_leaf", int, 20),
        l2_regularization=_hp(cfg, "hgb_l2_regularization", float, 0.0),
        early_stopping=False,
        random_state=seed,
    )


def _random_forest(cfg, count: int, seed: int, n_rows: int):
    """Bootstrap forests, so `rf_max_samples` (a row fraction per tree) always applies.

    One thread per trial: parallelism comes from SMAC workers, and joblib threads inside a
    trial would race with the warning filters set around the fit.
    """
    model = RandomForestClassifier if TASK == "classification" else RandomForestRegressor
    return model(
        n_estimators=count,
        max_features=_hp(cfg, "rf_max_features", float, 0.5),
        min_samples_leaf=_hp(cfg, "rf_min_samples_leaf", int, 1),
        bootstrap=True,
        max_samples=_hp(cfg, "rf_max_samples", float, None),
        random_state=seed,
    )


def _svm(cfg, count: int, seed: int, n_rows: int):
    C = _hp(cfg, "svm_C", float, 1.0)
    gamma = _hp(cfg, "svm_gamma", float, "scale")
    if TASK == "classification":
        return SVC(
            C=C,
            kernel="rbf",
            gamma=gamma,
            cache_size=SVM_CACHE_MB,
            max_iter=SVM_MAX_ITER,
            random_state=seed,
        )
    return SVR(C=C, kernel="rbf", gamma=gamma, cache_size=SVM_CACHE_MB, max_iter=SVM_MAX_ITER)


def _linear(cfg, count: int, seed: int, n_rows: int):
    """glmnet-style elastic net: lambda = linear_alpha, mixing = linear_l1_ratio.

    LogisticRegression minimises C * sum(loss) + penalty, glmnet mean(loss) + lambda * penalty;
    both agree when C = 1 / (lambda * n_train).
    """
    alpha = max(_hp(cfg, "linear_alpha", float, 1e-3), TINY)
    l1_ratio = _hp(cfg, "linear_l1_ratio", float, 0.5)
    if TASK == "classification":
        return LogisticRegression(
            C=1.0 / (alpha * max(n_rows, 1)),
            l1_ratio=l1_ratio,
            solver="saga",
            max_iter=LINEAR_MAX_ITER,
            random_state=seed,
        )
    return ElasticNet(alpha=alpha, l1_ratio=l1_ratio, max_iter=LINEAR_MAX_ITER, random_state=seed)


ESTIMATORS = {
    "hist_gradient_boosting": _hist_gradient_boosting,
    "random_forest": _random_forest,
    "svm": _svm,
    "linear": _linear,
}


# ----------------------------------------------------------------------------- LightGBM


def _fit_lightgbm(cfg, count: int, arrays: Arrays, seed: int) -> Fit:
    """Up to `count` boosting rounds, stopped early on the validation rows; predictions use the
    best round. Regression targets are standardised for the fit."""
    import lightgbm

    subsample = _hp(cfg, "lgb_subsample", float, 1.0)
    threads = 1 if len(arrays.y_train) < THREADED_ROWS else (os.cpu_count() or 1)
    params = {
        "n_estimators": count,
        "learning_rate": _hp(cfg, "lgb_learning_rate", float, 0.1),
        "num_leaves": _hp(cfg, "lgb_num_leaves", int, 31),
        "min_child_samples": _hp(cfg, "lgb_min_child_samples", int, 20),
        "subsample": subsample,
        "subsample_freq": 1 if subsample < 1.0 else 0,
        "colsample_bytree": _hp(cfg, "lgb_colsample_bytree", float, 1.0),
        "reg_alpha": _hp(cfg, "lgb_reg_alpha", float, 0.0),
        "reg_lambda": _hp(cfg, "lgb_reg_lambda", float, 0.0),
        "random_state": seed % 2**31,
        "n_jobs": threads,
        "verbose": -1,
    }
    y_fit, y_val, center, scale = arrays.y_train, arrays.y_val, 0.0, 1.0
    if TASK == "classification":
        model = lightgbm.LGBMClassifier(**params)
        known = np.isin(y_val, np.unique(y_fit))  # LightGBM cannot score a class it never saw
    else:
        model = lightgbm.LGBMRegressor(**params)
        center, scale = _target_scale(y_fit)
        y_fit, y_val = (y_fit - center) / scale, (y_val - center) / scale
        known = np.ones(len(y_val), dtype=bool)
    stopping = {}
    if known.any():
        stopping = {
            "eval_X": arrays.X_val[known],
            "eval_y": y_val[known],
            "callbacks": [lightgbm.early_stopping(LIGHTGBM_PATIENCE, verbose=False)],
        }
    model.fit(arrays.X_train, y_fit, **stopping)
    predictions = model.predict(arrays.X_score)
    if TASK != "classification":
        predictions = predictions * scale + center
    done = int(model.booster_.current_iteration())
    return Fit(predictions, done, int(model.best_iteration_ or done), model)


# ----------------------------------------------------------------------------- torch MLP


class Tensors(NamedTuple):
    """The MLP's data (torch tensors), moved to the training device once."""

    X_train: Any
    y_train: Any
    X_val: Any
    y_val: Any


def _fit_mlp(cfg, arrays: Arrays, epochs: int, seed: int, checkpoint: Path | None) -> Fit:
    """Train (or resume) the MLP up to `epochs`, then predict with its best weights."""
    import torch

    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    center, scale = _target_scale(arrays.y_train) if TASK == "regression" else (0.0, 1.0)
    tensors = _mlp_tensors(arrays, center, scale, device)
    network = _mlp_network(cfg, arrays.X_train.shape[1], arrays.n_outputs).to(device)
    optimizer = torch.optim.AdamW(
        network.parameters(),
        lr=_hp(cfg, "mlp_learning_rate", float, 1e-3),
        weight_decay=_hp(cfg, "mlp_weight_decay", float, 1e-4),
    )
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=LR_FACTOR, patience=LR_PATIENCE
    )
    state = {"epoch": 0, "best_loss": math.inf, "best_epoch": 0, "bad_epochs": 0}
    state["best_weights"] = _copy_weights(network)
    saved, may_save = _load_checkpoint(checkpoint, epochs, device)
    if saved is not None:
        network.load_state_dict(saved["network"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        state = saved["state"]
    start = state["epoch"]
    batch_size = min(_hp(cfg, "mlp_batch_size", int, 128), len(arrays.y_train))
    while state["epoch"] < epochs and state["bad_epochs"] < EARLY_STOPPING_PATIENCE:
        # Per-epoch seeding: a resumed run draws the same shuffles and dropout masks.
        torch.manual_seed(seed * 1_000_003 + state["epoch"])
        _train_epoch(network, optimizer, tensors, batch_size)
        val_loss = _validation_loss(network, tensors)
        scheduler.step(val_loss)
        _track_best(state, network, val_loss)
    if checkpoint is not None and may_save:
        parts = {"network": network.state_dict(), "optimizer": optimizer.state_dict()}
        _save_checkpoint(checkpoint, {**parts, "scheduler": scheduler.state_dict(), "state": state})
    network.load_state_dict(state["best_weights"])
    scoring = tensors.X_val
    if arrays.X_score is not arrays.X_val:
        scoring = torch.as_tensor(arrays.X_score, dtype=torch.float32, device=device)
    outputs = _forward(network, scoring)
    if TASK == "classification":
        predictions = outputs.argmax(dim=1).cpu().numpy()
    else:
        predictions = outputs[:, 0].double().cpu().numpy() * scale + center
    return Fit(predictions, state["epoch"] - start, state["best_epoch"], network)


def _mlp_tensors(arrays: Arrays, center: float, scale: float, device) -> Tensors:
    """All data moves to the device once; regression targets are standardised."""
    import torch

    def features(X):
        return torch.as_tensor(X, dtype=torch.float32, device=device)

    def target(y):
        if TASK == "classification":
            return torch.as_tensor(y, dtype=torch.long, device=device)
        return features((y - center) / scale)

    X_train, X_val = features(arrays.X_train), features(arrays.X_val)
    return Tensors(X_train, target(arrays.y_train), X_val, target(arrays.y_val))


def _mlp_network(cfg, n_inputs: int, n_outputs: int):
    import torch

    units = _hp(cfg, "mlp_units", int, 256)
    dropout = _hp(cfg, "mlp_dropout", float, 0.1)
    layers: list = []
    width = n_inputs
    for _ in range(_hp(cfg, "mlp_n_layers", int, 2)):
        layers += [torch.nn.Linear(width, units), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
        width = units
    layers.append(torch.nn.Linear(width, n_outputs))
    return torch.nn.Sequential(*layers)


def _mlp_loss(outputs, targets):
    import torch

    if TASK == "classification":
        return torch.nn.functional.cross_entropy(outputs, targets)
    return torch.nn.functional.mse_loss(outputs[:, 0], targets)


def _train_epoch(network, optimizer, tensors: Tensors, batch_size: int) -> None:
    """One shuffled pass; a trailing batch of a single row is skipped."""
    import torch

    network.train()
    order = torch.randperm(len(tensors.y_train), device=tensors.y_train.device)
    for batch in torch.split(order, batch_size):
        if len(batch) == 1 and len(order) > 1:
            continue
        optimizer.zero_grad(set_to_none=True)
        loss = _mlp_loss(network(tensors.X_train[batch]), tensors.y_train[batch])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(network.parameters(), GRADIENT_CLIP_NORM)
        optimizer.step()


def _forward(network, X):
    import torch

    network.eval()
    with torch.no_grad():
        return torch.cat([network(chunk) for chunk in torch.split(X, EVALUATION_CHUNK)])


def _validation_loss(network, tensors: Tensors) -> float:
    return float(_mlp_loss(_forward(network, tensors.X_val), tensors.y_val))


def _track_best(state: dict, network, val_loss: float) -> None:
    """Count the epoch and keep the best weights; a NaN loss never counts as better."""
    state["epoch"] += 1
    if val_loss < state["best_loss"]:
        state.update(best_loss=val_loss, best_epoch=state["epoch"], bad_epochs=0)
        state["best_weights"] = _copy_weights(network)
    else:
        state["bad_epochs"] += 1


def _copy_weights(network) -> dict:
    return {name: tensor.detach().clone() for name, tensor in network.state_dict().items()}


def _checkpoint_path(dataset, cfg, seed: int, kind: str) -> Path | None:
    """Checkpoints exist only for epoch fidelities; the key is the configuration and seed."""
    folder = dataset.get("checkpoint_dir")
    if folder is None or kind != "epochs":
        return None
    key = hashlib.sha256(json.dumps([_config_items(cfg), seed]).encode()).hexdigest()
    return Path(folder) / f"mlp_{key}.pt"


def _load_checkpoint(path: Path | None, epochs: int, device) -> tuple[dict | None, bool]:
    """(state to resume from, whether this run may overwrite the file).

    A checkpoint that already went past `epochs` is neither used nor overwritten.
    """
    import torch

    if path is None or not path.exists():
        return None, True
    saved = torch.load(path, map_location=device, weights_only=True)
    if saved["state"]["epoch"] > epochs:
        return None, False
    return saved, True


def _save_checkpoint(path: Path, payload: dict) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    torch.save(payload, partial)
    partial.replace(path)


# ----------------------------------------------------------------------------- metrics


def _metrics(split: Split, predictions: np.ndarray, y_reference: np.ndarray) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if TASK == "classification":
            return _classification_metrics(split.y_score, predictions, split.classes)
        return _regression_metrics(y_reference, split.y_score, predictions)


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


def _regression_metrics(y_train: np.ndarray, truth: np.ndarray, predicted) -> dict:
    """Loss is RMSE over the training target's standard deviation (floored, so finite)."""
    predicted = _bounded(np.asarray(predicted, dtype=np.float64), y_train)
    rmse = float(np.sqrt(mean_squared_error(truth, predicted)))
    result = {"loss": rmse / max(float(np.std(y_train)), TINY), "rmse": rmse}
    result["mae"] = float(mean_absolute_error(truth, predicted))
    result["r2"] = float(r2_score(truth, predicted)) if len(truth) > 1 else 0.0
    return result


def _bounded(predicted: np.ndarray, y_train: np.ndarray) -> np.ndarray:
    """Non-finite or wild predictions are clipped to a wide band around the training target."""
    low, high = float(np.min(y_train)), float(np.max(y_train))
    margin = PREDICTION_MARGIN * max(high - low, TINY)
    low, high = low - margin, high + margin
    filled = np.nan_to_num(predicted, nan=(low + high) / 2, posinf=high, neginf=low)
    return np.clip(filled, low, high)


# ----------------------------------------------------------------------------- saving


def _metadata(split: Split, arrays: Arrays, run: dict, result: dict) -> dict:
    """What a reader needs to rebuild and judge the saved model (n_train_rows: rows fitted)."""
    center, scale = _target_scale(split.y_train) if TASK == "regression" else (0.0, 1.0)
    return {
        "task": TASK,
        **run,
        "fidelity": list(FIDELITY[run["algorithm"]]),
        "n_train_rows": int(len(split.y_train)),
        "n_validation_rows": int(len(split.y_val)),
        "n_scored_rows": int(len(split.y_score)),
        "n_input_columns": int(split.X_train.shape[1]),
        "n_features": int(arrays.X_train.shape[1]),
        "n_outputs": int(arrays.n_outputs),
        "classes": [str(label) for label in split.classes],
        "target_center": center,
        "target_scale": scale,
        "metrics": result,
    }


def _save_model(model_dir: Path, cfg, fit: Fit, preprocessor, metadata: dict) -> None:
    """JSON always; torch weights as a state_dict, LightGBM's booster as its text model;
    sklearn objects only through skops."""
    model_dir.mkdir(parents=True, exist_ok=True)
    config = dict(_config_items(cfg))
    (model_dir / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    objects = {"preprocessor": preprocessor}
    if metadata["algorithm"] == "mlp":
        import torch

        weights = {name: value.cpu() for name, value in fit.model.state_dict().items()}
        torch.save(weights, model_dir / "model.pt")
    elif metadata["algorithm"] == "lightgbm":
        fit.model.booster_.save_model(str(model_dir / "model.txt"))
    else:
        objects["estimator"] = fit.model
    if importlib.util.find_spec("skops") is not None:
        import skops.io

        for name, value in objects.items():
            skops.io.dump(value, model_dir / f"{name}.skops")
