"""Train one tabular configuration and score it on held-out rows (hpogen train contract).

Preprocessing is fitted on the training part only; the model family comes from `algorithm`;
the budget scales each family's fidelity (iterations, trees, epochs or training rows).
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
import torch
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import ConvergenceWarning
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
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)
from sklearn.svm import SVC, SVR

TASK = "classification"
DEFAULTS = {
    "algorithm": "hist_gradient_boosting",
    "scaler": "standard",
    "hgb_learning_rate": 0.175,
    "hgb_max_leaf_nodes": 63,
    "hgb_min_samples_leaf": 20,
    "hgb_l2_regularization": 1e-05,
    "hgb_max_iter": 175,
    "rf_max_features": 0.5,
    "rf_min_samples_leaf": 2,
    "rf_max_samples": 1.0,
    "rf_n_estimators": 500,
    "svm_C": 5.0,
    "svm_gamma": 0.01,
    "linear_alpha": 0.01,
    "linear_l1_ratio": 0.5,
}
FIDELITY = {
    "hist_gradient_boosting": ["max_iter", 512],
    "random_forest": ["n_estimators", 500],
    "svm": ["data_fraction", 1.0],
    "linear": ["data_fraction", 1.0],
}

# The space hyperparameter that sets a family's iterations / trees / epochs when budget is None.
COUNT_HYPERPARAMETERS = {
    "hist_gradient_boosting": "hgb_max_iter",
    "random_forest": "rf_n_estimators",
    "mlp": "mlp_epochs",
}
SCALERS = {"standard": StandardScaler, "robust": RobustScaler, "minmax": MinMaxScaler}
VALIDATION_FRACTION = 0.2
MAX_ONEHOT_CATEGORIES = 32  # per column; rarer categories share one "infrequent" column
SVM_CACHE_MB = 512
SVM_MAX_ITER = 1_000_000  # libsvm iterations: bounds the time of near hard-margin fits
LINEAR_MAX_ITER = 1000
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
    """Fit one configuration on the training part and return validation metrics."""
    seed = int(seed)
    _seed_everything(seed)
    algorithm = _hp(cfg, "algorithm", str, next(iter(FIDELITY)))
    fraction, count = _fidelity(cfg, algorithm, budget)
    whole = _split(dataset, seed)
    split = _subsample(whole, fraction, seed)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Found unknown categories")
        preprocessor = _preprocessor(cfg, split.X_train)
        arrays = _preprocessed(preprocessor, split)
        if algorithm == "mlp":
            checkpoint = _checkpoint_path(dataset, cfg, seed, FIDELITY[algorithm][0])
            fit = _fit_mlp(cfg, arrays, count, seed, checkpoint)
        else:
            fit = _fit_sklearn(cfg, algorithm, count, arrays, seed)
    elapsed = time.perf_counter() - started
    # Regression loss is scaled by the whole training part, so every budget shares one scale.
    result = _metrics(split, fit.predictions, whole.y_train)
    result["training_time"] = float(elapsed)
    result["epochs_completed"] = int(fit.epochs_completed)
    result["best_epoch"] = int(fit.best_epoch)
    if model_dir is not None:
        share = None if budget is None else float(budget)
        run = {"algorithm": algorithm, "seed": seed, "budget": share, "row_fraction": fraction}
        metadata = _metadata(split, arrays, {**run, "count": count}, result)
        _save_model(Path(model_dir), cfg, fit, preprocessor, metadata)
    return result


def refit_budget(cfg, best_epoch: int) -> float | None:
    """The budget at which train() trains best_epoch epochs, for families trained in epochs.

    After the search, the incumbent is refit on every training row: epoch-trained families for
    the epochs early stopping chose on held-out rows, the others (None) at the run's final
    budget, since they never stop early.
    """
    kind, full = FIDELITY[_hp(cfg, "algorithm", str, next(iter(FIDELITY)))]
    if kind != "epochs":
        return None
    return min(1.0, max(1, int(best_epoch)) / float(full))


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


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
    if budget is None:
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
    X, numeric = _frame(dataset["X"])
    y = np.asarray(dataset["y"]).ravel()
    given = [name for name in ("val", "test") if _has_part(dataset, name)]
    if not given:
        train_rows, val_rows = _split_rows(y, seed)
        X_val, y_val = X.iloc[val_rows], y[val_rows]
        return _encode(X.iloc[train_rows], y[train_rows], (X_val, y_val), (X_val, y_val))
    parts = {
        name: (_frame(dataset[f"X_{name}"], numeric)[0], np.asarray(dataset[f"y_{name}"]).ravel())
        for name in given
    }
    return _encode(X, y, parts[given[0]], parts[given[-1]])


def _frame(X, numeric: list[bool] | None = None) -> tuple[pd.DataFrame, list[bool]]:
    """X as float (numeric) and str-or-NaN (categorical) columns, plus which are numeric."""
    from_numpy = not isinstance(X, pd.DataFrame)
    if from_numpy:
        array = np.asarray(X)
        frame = pd.DataFrame(array.reshape(len(array), -1))
    else:
        frame = X.reset_index(drop=True)
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    if numeric is None:
        numeric = [_is_numeric(column, from_numpy) for column in columns]
    values = {
        f"x{i}": _as_float(column) if is_numeric else _as_category(column)
        for i, (column, is_numeric) in enumerate(zip(columns, numeric, strict=True))
    }
    return pd.DataFrame(values), numeric


def _is_numeric(column: pd.Series, from_numpy: bool) -> bool:
    """pandas: numeric non-bool dtypes; numpy: every present value converts to float."""
    kind = column.dtype.kind
    if kind in "iuf" or (from_numpy and kind == "b"):
        return True
    if not from_numpy:
        return False
    converted = pd.to_numeric(column, errors="coerce")
    return bool(converted.notna().sum() == column.notna().sum())


def _as_float(column: pd.Series) -> np.ndarray:
    """Floats with every missing, unparsable or infinite entry as NaN (imputed later)."""
    converted = pd.to_numeric(column, errors="coerce")
    values = converted.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    values[~np.isfinite(values)] = np.nan
    return values


def _as_category(column: pd.Series) -> np.ndarray:
    missing = column.isna().to_numpy()
    text = column.astype(object).astype(str).to_numpy(dtype=object, copy=True)
    text[missing] = np.nan
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
    """Fit the preprocessing on the training part only; transform every part once."""
    X_train = preprocessor.fit_transform(split.X_train).astype(np.float64)
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


def _preprocessor(cfg, frame: pd.DataFrame) -> ColumnTransformer:
    """Impute + scale numeric columns, impute + encode categorical ones (empty ones dropped)."""
    present = [name for name in frame.columns if frame[name].notna().any()]
    numeric = [name for name in present if frame[name].dtype.kind == "f"]
    categorical = [name for name in present if frame[name].dtype.kind != "f"]
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
    parts = [("numeric", numeric_steps, numeric), ("categorical", categorical_steps, categorical)]
    return ColumnTransformer([part for part in parts if part[2]], sparse_threshold=0.0)


def _encoder(cfg):
    if _hp(cfg, "categorical_encoding", str, "onehot") == "ordinal":
        return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    return OneHotEncoder(
        handle_unknown="ignore", max_categories=MAX_ONEHOT_CATEGORIES, sparse_output=False
    )


# ----------------------------------------------------------------------------- sklearn


def _fit_sklearn(cfg, algorithm: str, count: int, arrays: Arrays, seed: int) -> Fit:
    """Fit one scikit-learn family; regression targets are standardised for the fit."""
    estimator = ESTIMATORS[algorithm](cfg, count, seed, len(arrays.y_train))
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


# ----------------------------------------------------------------------------- torch MLP


class Tensors(NamedTuple):
    """The MLP's data, moved to the training device once."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor


def _fit_mlp(cfg, arrays: Arrays, epochs: int, seed: int, checkpoint: Path | None) -> Fit:
    """Train (or resume) the MLP up to `epochs`, then predict with its best weights."""
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

    def features(X):
        return torch.as_tensor(X, dtype=torch.float32, device=device)

    def target(y):
        if TASK == "classification":
            return torch.as_tensor(y, dtype=torch.long, device=device)
        return features((y - center) / scale)

    X_train, X_val = features(arrays.X_train), features(arrays.X_val)
    return Tensors(X_train, target(arrays.y_train), X_val, target(arrays.y_val))


def _mlp_network(cfg, n_inputs: int, n_outputs: int) -> torch.nn.Sequential:
    units = _hp(cfg, "mlp_units", int, 256)
    dropout = _hp(cfg, "mlp_dropout", float, 0.1)
    layers: list[torch.nn.Module] = []
    width = n_inputs
    for _ in range(_hp(cfg, "mlp_n_layers", int, 2)):
        layers += [torch.nn.Linear(width, units), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
        width = units
    layers.append(torch.nn.Linear(width, n_outputs))
    return torch.nn.Sequential(*layers)


def _mlp_loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    if TASK == "classification":
        return torch.nn.functional.cross_entropy(outputs, targets)
    return torch.nn.functional.mse_loss(outputs[:, 0], targets)


def _train_epoch(network, optimizer, tensors: Tensors, batch_size: int) -> None:
    """One shuffled pass; a trailing batch of a single row is skipped."""
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


def _forward(network, X: torch.Tensor) -> torch.Tensor:
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
    if path is None or not path.exists():
        return None, True
    saved = torch.load(path, map_location=device, weights_only=True)
    if saved["state"]["epoch"] > epochs:
        return None, False
    return saved, True


def _save_checkpoint(path: Path, payload: dict) -> None:
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
    """JSON always; torch weights as a state_dict; sklearn objects only through skops."""
    model_dir.mkdir(parents=True, exist_ok=True)
    config = dict(_config_items(cfg))
    (model_dir / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    objects = {"preprocessor": preprocessor}
    if isinstance(fit.model, torch.nn.Module):
        weights = {name: value.cpu() for name, value in fit.model.state_dict().items()}
        torch.save(weights, model_dir / "model.pt")
    else:
        objects["estimator"] = fit.model
    if importlib.util.find_spec("skops") is not None:
        import skops.io

        for name, value in objects.items():
            skops.io.dump(value, model_dir / f"{name}.skops")
