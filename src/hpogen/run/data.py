"""The data of a run: loaded as `hpogen generate` loads it, checked against the bundle, split.

The optimisation only ever sees the train+validation part; the test part is kept for the final
evaluation of the incumbent.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dataset.embedded import embedded_names, load_embedded
from ..dataset.loaded import LoadedData
from ..dataset.loaders import load_path
from ..dataset.spec import DatasetSpec
from ..errors import HpogenError

TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.2


@dataclass
class RunData:
    """Train+validation rows for the optimisation, test rows for the end, and where they came from."""

    source: str
    X: Any
    y: Any
    X_test: Any
    y_test: Any
    test_from_data: bool
    fingerprint: str

    def describe(self, seed: int) -> dict[str, Any]:
        how = (
            "the data's own test split"
            if self.test_from_data
            else f"{TEST_FRACTION:.0%} held out (seed {seed})"
        )
        return {
            "source": self.source,
            "n_trainval": len(self.X),
            "n_test": len(self.X_test),
            "test_split": how,
        }


def load_run_data(
    spec: DatasetSpec, data: Path | None, dataset: str | None, target: str | None, seed: int
) -> RunData:
    """The run's data, refused with one line when it does not fit the bundle's spec."""
    if data is not None and dataset is not None:
        raise HpogenError("give only one of --data and --dataset")
    if data is not None:
        data = data.expanduser().resolve()
        loaded = _load_file(data, spec, target)
        source, where = str(data), str(data)
    else:
        name = dataset or spec.name
        if dataset is None and name not in embedded_names():
            raise HpogenError(
                f"bundle {spec.name!r} was made for data that is not embedded: pass --data PATH"
            )
        loaded = load_embedded(name)
        source, where = f"embedded:{name}", f"embedded dataset {name!r}"
    check_against_spec(loaded, spec, where)
    fingerprint = data_fingerprint(loaded)
    if loaded.X_test is not None:
        return RunData(source, loaded.X, loaded.y, loaded.X_test, loaded.y_test, True, fingerprint)
    fit_rows, test_rows = split_rows(loaded.y, spec.task, seed, TEST_FRACTION)
    return RunData(
        source,
        take(loaded.X, fit_rows),
        take(loaded.y, fit_rows),
        take(loaded.X, test_rows),
        take(loaded.y, test_rows),
        False,
        fingerprint,
    )


def _load_file(path: Path, spec: DatasetSpec, target: str | None) -> LoadedData:
    """Read a data file; an .npz is read as the bundle's data type, as `generate` reads it."""
    if path.suffix.lower() != ".npz":
        return load_path(path, None, target)
    if spec.type != "image":
        return load_path(path, spec.type, target)
    try:
        # The layout comes from the array itself, so a mismatch names both shapes.
        return load_path(path, "image", target)
    except HpogenError:
        # Flattened rows that are not square images: the bundle's shape says how to read them.
        return load_path(path, "image", target, spec.image_shape)


def check_against_spec(data: LoadedData, spec: DatasetSpec, where: str) -> None:
    """Type, image shape, feature count and classes must be what the bundle was made for."""
    import numpy as np

    bundle = f"bundle {spec.name!r}"
    if data.type != spec.type:
        raise HpogenError(
            f"{where} holds {data.type} data, but {bundle} was made for {spec.type} data"
        )
    if spec.type == "image":
        shape = tuple(data.image_shape or ())
        if shape != tuple(spec.image_shape):
            raise HpogenError(
                f"{where}: images are {_shape(shape)}, but {bundle} expects {_shape(spec.image_shape)}"
            )
        for label, X in (("X", data.X), ("X_test", data.X_test)):
            if (
                X is not None
                and np.asarray(X).ndim == 2
                and np.asarray(X).shape[1] != math.prod(shape)
            ):
                raise HpogenError(
                    f"{where}: {label} rows have {np.asarray(X).shape[1]} values, "
                    f"not {math.prod(shape)} ({_shape(shape)})"
                )
    else:
        for label, X in (("X", data.X), ("X_test", data.X_test)):
            if X is not None and _n_columns(X) != spec.n_features:
                raise HpogenError(
                    f"{where}: {label} has {_n_columns(X)} features, "
                    f"but {bundle} expects {spec.n_features}"
                )
    labels = [np.asarray(y).ravel() for y in (data.y, data.y_test) if y is not None]
    if spec.task == "classification":
        found = len(np.unique(np.concatenate([v.astype(str) for v in labels])))
        if found != spec.n_classes:
            raise HpogenError(
                f"{where}: y has {found} classes, but {bundle} was made for {spec.n_classes}"
            )
    elif any(v.dtype.kind not in "biuf" for v in labels):
        raise HpogenError(f"{where}: y is not numeric, but {bundle} is a regression bundle")


def _shape(shape: Any) -> str:
    return "x".join(str(v) for v in shape)


def _n_columns(X: Any) -> int:
    shape = getattr(X, "shape", None)
    return int(shape[1]) if shape is not None and len(shape) == 2 else -1


def split_rows(y: Any, task: str, seed: int, fraction: float) -> tuple[Any, Any]:
    """Row indices (keep, held out): stratified for classification unless a class is too small."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    labels = np.asarray(y).ravel()
    rows = np.arange(len(labels))
    stratify = None
    if task == "classification":
        _, codes = np.unique(labels.astype(str), return_inverse=True)
        counts = np.bincount(codes)
        n_out = math.ceil(fraction * len(labels))
        if counts.min() >= 2 and min(n_out, len(labels) - n_out) >= len(counts):
            stratify = codes
    return train_test_split(rows, test_size=fraction, random_state=seed % 2**32, stratify=stratify)


def take(values: Any, rows: Any) -> Any:
    """The given rows of a numpy array or a pandas object, index reset."""
    if hasattr(values, "iloc"):
        return values.iloc[rows].reset_index(drop=True)
    return values[rows]


def data_fingerprint(data: LoadedData) -> str:
    """A digest of the arrays' contents, so a resumed run can tell that its data changed."""
    digest = hashlib.sha256()
    for part in (data.X, data.y, data.X_test, data.y_test):
        digest.update(_array_bytes(part))
        digest.update(b"\0")
    return digest.hexdigest()


def _array_bytes(values: Any) -> bytes:
    import numpy as np
    import pandas as pd

    if values is None:
        return b"none"
    if isinstance(values, pd.DataFrame | pd.Series):
        names = repr(
            list(values.columns) if isinstance(values, pd.DataFrame) else values.name
        ).encode()
        return names + pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes()
    array = np.asarray(values)
    if array.dtype.kind == "O":
        array = array.astype(str)
    return repr((array.shape, array.dtype.str)).encode() + np.ascontiguousarray(array).tobytes()
