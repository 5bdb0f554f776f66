"""Data of the experiment: load a dataset as tensors, split off validation rows, standardise.

load_dataset(name, data_root, subset, seed) returns a dict of tensors:
X_train, y_train, X_val, y_val, X_test, y_test (float32 images N x C x H x W, int64 labels),
plus num_classes and input_shape. Standardisation statistics come from the training rows only.
"""

from __future__ import annotations

import numpy as np
import torch

# PLACEHOLDER: will be replaced with the loader of the derived dataset (hpogen derive --dataset)
DATASET_PLACEHOLDER = "DATASET_PLACEHOLDER"
VALIDATION_FRACTION = 0.2


def load_raw(name: str, data_root: str | None, seed: int) -> dict:
    """{"X", "y", "X_test", "y_test"} as numpy arrays (images N x C x H x W, raw pixel scale)."""
    # PLACEHOLDER: will be replaced with the real loading code of the derived dataset
    raise NotImplementedError(f"{DATASET_PLACEHOLDER}: no dataset {name!r} in the base package")


def take_subset(
    X: np.ndarray, y: np.ndarray, size: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded, class-stratified subset of at most size rows (all rows when size is None)."""
    if size is None or size >= len(y):
        return X, y
    rng = np.random.default_rng(seed)
    rows = []
    classes = np.unique(y)
    per_class = max(1, size // len(classes))
    for label in classes:
        members = np.flatnonzero(y == label)
        rows.extend(rng.permutation(members)[:per_class].tolist())
    rows = np.sort(np.array(rows[:size]))
    return X[rows], y[rows]


def split_validation(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, ...]:
    """Seeded split of the training rows into fit and validation parts (stratified by class)."""
    rng = np.random.default_rng(seed + 1)
    fit, val = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_val = int(round(len(members) * VALIDATION_FRACTION)) if len(members) > 1 else 0
        val.extend(members[:n_val].tolist())
        fit.extend(members[n_val:].tolist())
    fit, val = np.sort(np.array(fit, dtype=np.int64)), np.sort(np.array(val, dtype=np.int64))
    return X[fit], y[fit], X[val], y[val]


def standardise(train: torch.Tensor, *others: torch.Tensor) -> list[torch.Tensor]:
    """Every tensor scaled by the per-channel mean and std of the training images."""
    mean = train.mean(dim=(0, 2, 3), keepdim=True)
    std = train.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    return [(t - mean) / std for t in (train, *others)]


def load_dataset(name: str, data_root: str | None, subset: int | None, seed: int) -> dict:
    """The dataset as standardised tensors with a validation split, ready for the device."""
    raw = load_raw(name, data_root, seed)
    X, y = take_subset(np.asarray(raw["X"]), np.asarray(raw["y"]), subset, seed)
    X_test, y_test = take_subset(
        np.asarray(raw["X_test"]), np.asarray(raw["y_test"]), subset, seed + 2
    )
    X_fit, y_fit, X_val, y_val = split_validation(X, y, seed)
    images = [torch.as_tensor(a, dtype=torch.float32) for a in (X_fit, X_val, X_test)]
    X_fit_t, X_val_t, X_test_t = standardise(*images)
    labels = np.concatenate([y_fit, y_val, y_test])
    return {
        "X_train": X_fit_t,
        "y_train": torch.as_tensor(y_fit, dtype=torch.int64),
        "X_val": X_val_t,
        "y_val": torch.as_tensor(y_val, dtype=torch.int64),
        "X_test": X_test_t,
        "y_test": torch.as_tensor(y_test, dtype=torch.int64),
        "num_classes": int(raw.get("num_classes", labels.max() + 1)),
        "input_shape": tuple(int(s) for s in X_fit_t.shape[1:]),
    }
