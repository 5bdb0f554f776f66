"""Read the user's data files (.npz, .csv, a folder of class subfolders) into LoadedData.

Shared by `hpogen generate --data` (facts only) and `hpogen run` (the arrays). The user's files
are only ever read.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from ..errors import HpogenError
from .loaded import LoadedData, validate

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}



def load_path(path: Path, dataset_type: str | None, target: str | None, image_shape: tuple | None = None) -> LoadedData:
    """Read a .npz, a .csv (with target) or a folder of class subfolders of images."""
    if not path.exists():
        raise HpogenError(f"data file not found: {path}")
    if path.is_dir():
        data = _load_image_folder(path)
    elif path.suffix.lower() == ".npz":
        data = _load_npz(path, dataset_type, image_shape)
    elif path.suffix.lower() == ".csv":
        data = _load_csv(path, target)
    else:
        raise HpogenError(f"{path}: unsupported data file (use .npz, .csv or a folder of class subfolders)")
    if dataset_type is not None and data.type != dataset_type:
        raise HpogenError(f"{path}: holds {data.type} data, but --dataset-type is {dataset_type}")
    validate(data, str(path))
    return data


def _load_npz(path: Path, dataset_type: str | None, image_shape: tuple | None) -> LoadedData:
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (ValueError, OSError) as exc:
        raise HpogenError(f"{path}: not a readable .npz file ({exc})") from None
    for key in ("X", "y"):
        if key not in arrays:
            raise HpogenError(f"{path}: missing array {key!r} (needs X and y; X_test and y_test optional)")
    if ("X_test" in arrays) != ("y_test" in arrays):
        raise HpogenError(f"{path}: X_test and y_test must come together")
    X = arrays["X"]
    kind = dataset_type or ("image" if X.ndim >= 3 else "tabular")
    shape = image_layout(X.shape, image_shape, str(path)) if kind == "image" else None
    if kind == "tabular" and X.ndim != 2:
        raise HpogenError(f"{path}: tabular X must be 2-D (rows x features), not {X.ndim}-D")
    return LoadedData(path.stem, kind, X, arrays["y"], arrays.get("X_test"), arrays.get("y_test"), shape)


def image_layout(shape: tuple[int, ...], given: tuple | None, where: str) -> tuple[int, int, int]:
    """(C, H, W) from an array shape: NCHW, NHWC, NHW, or flattened N x D."""
    if len(shape) == 4:
        if shape[-1] in (1, 3) and shape[1] not in (1, 3):
            found = (shape[3], shape[1], shape[2])
        else:
            found = (shape[1], shape[2], shape[3])
    elif len(shape) == 3:
        found = (1, shape[1], shape[2])
    elif len(shape) == 2:
        found = given or _square_shape(shape[1], where)
    else:
        raise HpogenError(f"{where}: image X must be 2-D to 4-D, not {len(shape)}-D")
    if given is not None and tuple(given) != found:
        raise HpogenError(f"{where}: images are {found}, not the given image shape {tuple(given)}")
    if found[0] not in (1, 3):
        raise HpogenError(f"{where}: images must have 1 or 3 channels, not {found[0]}")
    return found


def _square_shape(features: int, where: str) -> tuple[int, int, int]:
    for channels in (1, 3):
        side = math.isqrt(features // channels)
        if features % channels == 0 and side * side * channels == features:
            return (channels, side, side)
    raise HpogenError(f"{where}: flattened images of {features} values are not square: give --image-shape C,H,W")


def _load_csv(path: Path, target: str | None) -> LoadedData:
    if not target:
        raise HpogenError(f"{path}: a CSV needs --target COLUMN to name the label column")
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise HpogenError(f"{path}: malformed CSV ({str(exc).splitlines()[0]})") from None
    if target not in frame.columns:
        raise HpogenError(f"{path}: no column {target!r} (columns: {', '.join(map(str, frame.columns[:10]))})")
    X = frame.drop(columns=[target])
    categorical = sum(1 for column in X.columns if not pd.api.types.is_numeric_dtype(X[column]))
    return LoadedData(path.stem, "tabular", X, frame[target], n_categorical=categorical)


def _load_image_folder(path: Path) -> LoadedData:
    import numpy as np
    from PIL import Image

    classes = sorted(p for p in path.iterdir() if p.is_dir())
    files = [(f, c.name) for c in classes for f in sorted(c.iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES]
    if not files:
        raise HpogenError(f"{path}: no images found (expected one subfolder of images per class)")
    images = [Image.open(f) for f, _ in files]
    mode = "L" if all(im.mode in ("L", "1", "I;16") for im in images) else "RGB"
    size = Counter(im.size for im in images).most_common(1)[0][0]
    arrays = [np.asarray(im.convert(mode).resize(size) if im.size != size else im.convert(mode)) for im in images]
    X = np.stack(arrays).astype("uint8")
    X = X[:, None, :, :] if mode == "L" else X.transpose(0, 3, 1, 2)
    y = np.array([label for _, label in files])
    return LoadedData(path.name, "image", X, y, image_shape=tuple(int(v) for v in X.shape[1:]))
