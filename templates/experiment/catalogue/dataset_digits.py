"""Catalogue dataset: scikit-learn's digits, bundled with the package (derive --dataset digits)."""

import numpy as np


def load_raw(name: str, data_root: str | None, seed: int) -> dict:
    """{"X", "y", "X_test", "y_test"} as numpy arrays (images N x C x H x W, raw pixel scale).

    scikit-learn's 1,797 8x8 grey digits (no files needed); a seeded fifth is the test split.
    """
    if name != "digits":
        raise ValueError(f"this package loads the dataset 'digits', not {name!r}")
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.images.astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(1234).permutation(len(y))
    test, train = order[: len(y) // 5], order[len(y) // 5 :]
    return {"X": X[train], "y": y[train], "X_test": X[test], "y_test": y[test], "num_classes": 10}
