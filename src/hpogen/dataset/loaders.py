"""Read the user's data files (.npz, .csv, a folder of class subfolders) into LoadedData.

Shared by `hpogen generate --data` (facts only) and `hpogen run` (the arrays). The reading itself
is bundle_data's, the module every bundle carries for its standalone driver, so both read a file
alike. The user's files are only ever read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import HpogenError
from . import bundle_data
from .loaded import LoadedData

T = TypeVar("T")


def reading(call: Callable[..., T], *args: Any) -> T:
    """bundle_data's call, its one-line DataError turned into hpogen's error (exit 2)."""
    try:
        return call(*args)
    except bundle_data.DataError as exc:
        raise HpogenError(str(exc)) from None


def load_path(path: Path, dataset_type: str | None, target: str | None,
              image_shape: tuple | None = None) -> LoadedData:
    """Read a .npz, a .csv (with target), a folder of .npy arrays or of class subfolders of images.

    `image_shape` reads flattened .npz rows, and decodes a folder's images at that shape.
    """
    data = reading(bundle_data.read_data, path, dataset_type, target, image_shape)
    warn(data)
    if dataset_type is not None and data["kind"] != dataset_type:
        raise HpogenError(f"{path}: holds {data['kind']} data, but --dataset-type is {dataset_type}")
    return as_loaded(data, path.stem if path.is_file() else path.name)


def warn(data: dict[str, Any]) -> None:
    """The notes reading made (skipped files, mixed sizes, empty classes), one line each."""
    for note in data.get("notes", ()):
        print(f"hpogen: warning: {note}", file=sys.stderr)


def as_loaded(data: dict[str, Any], name: str) -> LoadedData:
    """bundle_data's dict as LoadedData, with the count of non-numeric columns of a table."""
    X = data["X"]
    categorical = 0
    if hasattr(X, "dtypes"):
        import pandas as pd

        categorical = sum(1 for column in X.columns if not pd.api.types.is_numeric_dtype(X[column]))
    return LoadedData(name, data["kind"], X, data["y"], data.get("X_test"), data.get("y_test"),
                      data["image_shape"], categorical, data.get("fingerprint"))
