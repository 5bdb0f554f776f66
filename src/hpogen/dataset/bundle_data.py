"""Reading a bundle's data: an .npz, a CSV with a label column, a folder of class subfolders of
images, or an embedded scikit-learn set; then the seeded test hold-out.

hpogen reads data with this module, and copies it unchanged into every bundle as bundle_data.py
for the standalone run_hpo.py, so `hpogen run` and the driver load the same arrays from the same
file and hold out the same rows. It must never import hpogen: it imports numpy and scikit-learn,
and pandas or Pillow only for the formats that need them.

A reader returns a dict: X, y and, when the data brings its own test split, X_test and y_test,
plus "kind" ("image", "tabular" or "time_series") and "image_shape" ((C, H, W), or None). Time
series are float32 (n, channels, length) arrays, NaN after a series' end and where a value is
missing (bundle_series). Data that cannot be read, or does not fit a bundle, raises DataError
with one line for the user.
"""

import math
import time
from pathlib import Path

try:  # hpogen.dataset.bundle_data
    from . import bundle_images as images
    from . import bundle_rows as row_views
    from . import bundle_tables as tables
except ImportError:  # a bundle's bundle_data.py, beside its other bundle_*.py readers
    import bundle_images as images
    import bundle_rows as row_views
    import bundle_tables as tables

ARRAY_KEYS = ("X", "y", "X_test", "y_test")
# Array files at least this large are memory-mapped rather than read into memory.
MMAP_BYTES = 1 << 30


DataError = images.DataError


def is_array_folder(path) -> bool:
    """Whether `path` is a folder of .npy arrays (X.npy beside y.npy), not of images."""
    return Path(path).is_dir() and (Path(path) / "X.npy").is_file()


def bundle_cache(bundle) -> Path:
    """Where a bundle's image folders are decoded once, for `hpogen run` and run_hpo.py alike."""
    return Path(bundle) / "runs" / "data-cache"


def read_data(path, kind=None, target=None, image_shape=None, cache_dir=None) -> dict:
    """Read a .npz, a .csv (with its label column `target`), a folder of class subfolders of
    images (decoded once into `cache_dir` when given, see read_image_folder) or a folder of .npy
    arrays (X.npy, y.npy, optionally X_test.npy and y_test.npy).

    `kind` reads an .npz as image or tabular data (else: 3-D or more is images; other formats
    have their own kind, which the caller checks with check_fits); `image_shape`
    (C, H, W) says how to read flattened image rows, and the size a folder's images are decoded at.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"data file not found: {path}")
    if is_series_file(path) or (
        kind == "time_series" and (is_array_folder(path) or path.suffix.lower() == ".npz")
    ):
        data = read_series_data(path)
    elif is_array_folder(path):
        data = read_npy_folder(path, kind, image_shape)
    elif path.is_dir():
        data = images.read_image_folder(path, image_shape, cache_dir)
    elif path.suffix.lower() == ".npz":
        data = read_npz(path, kind, image_shape)
    elif path.suffix.lower() == ".csv":
        data = read_csv(path, target)
    else:
        raise DataError(
            f"{path}: unsupported data file (use .npz, .csv, .ts or a folder of class subfolders)"
        )
    check_learnable(data, str(path))
    return data


def is_series_file(path) -> bool:
    """A .ts file, or a folder holding a NAME_TRAIN.ts (the UCR/UEA archives' layout)."""
    path = Path(path)
    if path.is_dir():
        return any(p.name.lower().endswith("_train.ts") for p in path.iterdir())
    return path.suffix.lower() == ".ts"


def _series():
    """bundle_series, imported when series are read (image and table runs never need it)."""
    try:
        from . import bundle_series
    except ImportError:
        import bundle_series
    return bundle_series


def _forecast():
    """bundle_forecast, imported when forecasting data is read (other runs never need it)."""
    try:
        from . import bundle_forecast
    except ImportError:
        import bundle_forecast
    return bundle_forecast


def read_forecast_data(path, facts: dict) -> dict:
    """A forecasting bundle's series from a long-format CSV or a .tsf file, read by the columns
    and covariates its facts name."""
    forecast = _forecast()
    covariates = facts.get("covariates")
    try:
        return forecast.read_forecast(
            path,
            facts.get("time_column"),
            facts.get("target_column"),
            facts.get("id_column"),
            None
            if covariates is None
            else [[name, kind] for name, kind in dict(covariates).items()],
        )
    except forecast.ForecastDataError as exc:
        raise DataError(str(exc)) from None


def read_embedded_forecast(loader: str) -> dict:
    """One of aeon's shipped forecasting sets ("aeon-forecast:NAME")."""
    forecast = _forecast()
    try:
        return forecast.embedded_forecast(loader.split(":", 1)[1])
    except forecast.ForecastDataError as exc:
        raise DataError(str(exc)) from None


def read_series_data(path) -> dict:
    """Series of a .ts file (its _TEST sibling as the test split), an .npz or an .npy folder."""
    series = _series()
    try:
        found = series.read_series(path)
    except series.SeriesDataError as exc:
        raise DataError(str(exc)) from None
    data = {"X": found["X"], "y": found["y"], "kind": "time_series", "image_shape": None}
    if found.get("test") is not None:
        data.update(X_test=found["test"]["X"], y_test=found["test"]["y"])
    return data


def read_for_bundle(path, facts: dict, target=None, cache_dir=None) -> dict:
    """Read data for a bundle and check that it fits (see check_fits for `facts`).

    An .npz is read as the bundle's kind of data, a folder's images are decoded at the bundle's
    image shape, and flattened image rows that are not square take the bundle's shape.
    """
    path = Path(path)
    if facts.get("task") == "forecasting":
        data = read_forecast_data(path, facts)
        check_fits(data, facts, str(path))
        return data
    shape = tuple(facts["image_shape"]) if facts["type"] == "image" else None
    arrays = path.suffix.lower() == ".npz" or is_array_folder(path)
    if facts["type"] == "time_series" or is_series_file(path):
        data = read_data(path, "time_series" if arrays else None, target)
        check_fits(data, facts, str(path))
        return data
    if path.is_dir() and not arrays and facts["type"] != "image":  # refused before any decoding
        check_fits({"kind": "image"}, facts, str(path))
    if arrays and shape is not None:
        try:
            # the layout comes from the array itself, so a mismatch names both shapes
            data = read_data(path, "image", target)
        except DataError:
            data = read_data(path, "image", target, shape)
    else:
        kind = facts["type"] if arrays else None
        data = read_data(path, kind, target, shape if path.is_dir() else None, cache_dir)
    check_fits(data, facts, str(path))
    return data


def read_npz(path, kind=None, image_shape=None) -> dict:
    """X and y (X_test and y_test optional) of an .npz, never unpickled."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {}
            for key in (key for key in archive.files if key in ARRAY_KEYS):
                mapped = _npz_member_memmap(path, key)
                arrays[key] = archive[key] if mapped is None else mapped
    except (ValueError, OSError) as exc:
        raise DataError(f"{path}: not a readable .npz file ({exc})") from None
    return _arrays(arrays, path, kind, image_shape)


def read_npy_folder(path, kind=None, image_shape=None) -> dict:
    """X.npy and y.npy (X_test.npy and y_test.npy optional) of a folder; X memory-mapped."""
    import numpy as np

    arrays = {}
    for key in ARRAY_KEYS:
        if (Path(path) / f"{key}.npy").is_file():
            mmap = "r" if key.startswith("X") else None
            try:
                arrays[key] = np.load(Path(path) / f"{key}.npy", mmap_mode=mmap, allow_pickle=False)
            except (ValueError, OSError) as exc:
                raise DataError(f"{path}/{key}.npy: not a readable .npy file ({exc})") from None
    return _arrays(arrays, path, kind, image_shape)


def _npz_member_memmap(path, key):
    """A memory map of an .npz member of at least MMAP_BYTES stored uncompressed, else None."""
    import struct
    import zipfile

    import numpy as np

    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(f"{key}.npy")
    if info.compress_type != zipfile.ZIP_STORED or info.file_size < MMAP_BYTES:
        return None
    with open(path, "rb") as handle:
        handle.seek(info.header_offset)
        name_length, extra_length = struct.unpack("<HH", handle.read(30)[26:30])
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        version = np.lib.format.read_magic(handle)
        read_header = getattr(np.lib.format, f"read_array_header_{version[0]}_0")
        shape, fortran, dtype = read_header(handle)
        offset = handle.tell()
    if dtype.hasobject:
        return None
    order = "F" if fortran else "C"
    return np.memmap(path, dtype=dtype, mode="r", shape=shape, offset=offset, order=order)


def _arrays(arrays: dict, path, kind, image_shape) -> dict:
    """The data dict of X and y (X_test and y_test optional) read from arrays."""
    for key in ("X", "y"):
        if key not in arrays:
            raise DataError(
                f"{path}: missing array {key!r} (needs X and y; X_test and y_test optional)"
            )
    if ("X_test" in arrays) != ("y_test" in arrays):
        raise DataError(f"{path}: X_test and y_test must come together")
    X = arrays["X"]
    kind = kind or ("image" if X.ndim >= 3 else "tabular")
    if kind == "tabular" and X.ndim != 2:
        raise DataError(f"{path}: tabular X must be 2-D (rows x features), not {X.ndim}-D")
    shape = image_layout(X.shape, image_shape, str(path)) if kind == "image" else None
    return {**arrays, "kind": kind, "image_shape": shape}


def image_layout(shape, given, where: str) -> tuple:
    """(C, H, W) of image rows from an array shape: NCHW, NHWC, NHW, or flattened N x D."""
    if len(shape) == 4:
        if shape[-1] in (1, 3) and shape[1] not in (1, 3):
            found = (shape[3], shape[1], shape[2])
        else:
            found = (shape[1], shape[2], shape[3])
    elif len(shape) == 3:
        found = (1, shape[1], shape[2])
    elif len(shape) == 2:
        found = tuple(given) if given else _square_shape(shape[1], where)
    else:
        raise DataError(f"{where}: image X must be 2-D to 4-D, not {len(shape)}-D")
    found = tuple(int(v) for v in found)
    if given is not None and tuple(given) != found:
        raise DataError(f"{where}: images are {found}, not the given image shape {tuple(given)}")
    if found[0] not in (1, 3):
        raise DataError(f"{where}: images must have 1 or 3 channels, not {found[0]}")
    return found


def _square_shape(features: int, where: str) -> tuple:
    for channels in (1, 3):
        side = math.isqrt(features // channels)
        if features % channels == 0 and side * side * channels == features:
            return (channels, side, side)
    raise DataError(
        f"{where}: flattened images of {features} values are not square: give --image-shape C,H,W"
    )


def read_csv(path, target) -> dict:
    """The label column `target` as y, every other column as X (a pandas DataFrame); rows
    whose label is missing are dropped, with a note."""
    if not target:
        raise DataError(f"{path}: a CSV needs --target COLUMN to name the label column")
    import pandas as pd

    try:
        frame = pd.read_csv(path, low_memory=False)  # one type per column, not per chunk
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: malformed CSV ({str(exc).splitlines()[0]})") from None
    if target not in frame.columns:
        columns = ", ".join(map(str, frame.columns[:10]))
        raise DataError(f"{path}: no column {target!r} (columns: {columns})")
    missing = frame[target].isna()
    notes = []
    if len(frame) and missing.all():
        raise DataError(
            f"{path}: target column {target!r} is empty (all {len(frame)} values are missing)"
        )
    if missing.any():
        notes.append(f"{path}: dropped {missing.sum()} of {len(frame)} rows: target missing")
        frame = frame[~missing].reset_index(drop=True)
    return {
        "X": frame.drop(columns=[target]),
        "y": frame[target],
        "kind": "tabular",
        "image_shape": None,
        "notes": notes,
    }


def read_embedded(loader: str, image_shape=None) -> dict:
    """An embedded scikit-learn set by its loader name; image rows as float32 (N, C, H, W).
    "aeon:NAME" is a time-series set shipped inside aeon's wheel, with its given test split."""
    if loader.startswith("aeon-forecast:"):
        return read_embedded_forecast(loader)
    if loader.startswith("aeon:"):
        series = _series()
        try:
            path = series.embedded_series(loader.split(":", 1)[1])
        except series.SeriesDataError as exc:
            raise DataError(str(exc)) from None
        return read_series_data(path)
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader)()
    X = bunch.data
    if image_shape is not None:
        X = X.reshape(len(X), *image_shape).astype("float32")
    kind = "tabular" if image_shape is None else "image"
    return {
        "X": X,
        "y": bunch.target,
        "kind": kind,
        "image_shape": None if image_shape is None else tuple(image_shape),
    }


def check_learnable(data: dict, where: str) -> None:
    """Refuse data that cannot be learnt from: NaN labels, too few rows, mismatched lengths, and
    tables that check_table refuses."""
    import numpy as np

    if len(data["X"]) != len(data["y"]):
        raise DataError(f"{where}: X has {len(data['X'])} rows but y has {len(data['y'])}")
    if len(data["X"]) < 2:
        raise DataError(f"{where}: needs at least 2 rows (samples), found {len(data['X'])}")
    for label in ("y", "y_test"):
        if data.get(label) is not None and _has_nan(np.asarray(data[label])):
            raise DataError(f"{where}: {label} contains NaN labels")
    if data["kind"] == "time_series":
        return  # NaN marks a missing value or a series' end; bundle_series checked the rest
    if data["kind"] == "image" and _has_nan(np.asarray(data["X"])):
        raise DataError(f"{where}: image X contains NaN values")
    if hasattr(data["X"], "columns"):
        tables.check_table(data["X"], where)


def _has_nan(values) -> bool:
    import numpy as np

    if values.dtype.kind in "fc":  # in blocks of rows: a memory-mapped X is never read whole
        step = max(1, (64 << 20) // max(1, values[:1].nbytes))
        return any(bool(np.isnan(values[i : i + step]).any()) for i in range(0, len(values), step))
    if values.dtype.kind == "O":
        return any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values.ravel())
    return False


def check_fits(data: dict, facts: dict, where: str) -> None:
    """Type, image shape, feature count and classes must be what the bundle was made for.

    `facts` holds the bundle's name, type, task, image_shape, n_features and n_classes, and for a
    table read from a file its column_kinds (column name -> kind): each named column must be there.
    """
    import numpy as np

    bundle = f"bundle {facts['name']!r}"
    if data["kind"] != facts["type"]:
        raise DataError(
            f"{where} holds {data['kind']} data, but {bundle} was made for {facts['type']} data"
        )
    if (data.get("task") == "forecasting") != (facts["task"] == "forecasting"):
        raise DataError(
            f"{where} holds {data.get('task') or 'whole-series'} data, but {bundle} is a {facts['task']} bundle"
        )
    if facts["task"] == "forecasting":
        _check_forecast_fits(data, facts, where, bundle)
        return
    if facts["type"] == "image":
        _check_image_shape(data, tuple(facts["image_shape"]), where, bundle)
    elif facts["type"] == "time_series":
        for label in ("X", "X_test"):
            X = data.get(label)
            if X is not None and X.shape[1] != facts["n_channels"]:
                raise DataError(
                    f"{where}: {label} series have {X.shape[1]} channels, but {bundle} expects {facts['n_channels']}"
                )
    else:
        _check_column_names(data, facts.get("column_kinds"), where, bundle)
        for label in ("X", "X_test"):
            found = _n_columns(data.get(label))
            if data.get(label) is not None and found != facts["n_features"]:
                raise DataError(
                    f"{where}: {label} has {found} features, "
                    f"but {bundle} expects {facts['n_features']}"
                )
    labels = [np.asarray(data[k]).ravel() for k in ("y", "y_test") if data.get(k) is not None]
    if facts["task"] == "classification":
        found = len(np.unique(np.concatenate([v.astype(str) for v in labels])))
        if found != facts["n_classes"]:
            raise DataError(
                f"{where}: y has {found} classes, but {bundle} was made for {facts['n_classes']}"
            )
    elif any(v.dtype.kind not in "biuf" for v in labels):
        raise DataError(f"{where}: y is not numeric, but {bundle} is a regression bundle")


def _check_forecast_fits(data: dict, facts: dict, where: str, bundle: str) -> None:
    """The covariates (names and kinds, in order) and a horizon shorter than every series."""
    found = [tuple(pair) for pair in data.get("covariates") or ()]
    expected = [tuple(pair) for pair in dict(facts.get("covariates") or {}).items()]
    if found != expected:
        raise DataError(
            f"{where}: covariates {_pairs(found)}, but {bundle} was made for {_pairs(expected)}"
        )
    shortest = int(min(data["lengths"]))
    if facts.get("horizon") is not None and int(facts["horizon"]) >= shortest:
        raise DataError(
            f"{where}: horizon {facts['horizon']} of {bundle} is not shorter than the shortest series ({shortest} points)"
        )


def _pairs(pairs) -> str:
    return ", ".join(f"{name} ({kind})" for name, kind in pairs) or "none"


def _check_column_names(data: dict, kinds, where: str, bundle: str) -> None:
    for label in ("X", "X_test"):
        if kinds and hasattr(data.get(label), "columns"):
            found = {str(name) for name in data[label].columns}
            missing = next((name for name in kinds if name not in found), None)
            if missing is not None:
                raise DataError(f"{where}: {label} has no column {missing!r}, which {bundle} reads")


def _check_image_shape(data: dict, shape: tuple, where: str, bundle: str) -> None:
    if tuple(data["image_shape"] or ()) != shape:
        raise DataError(
            f"{where}: images are {_shape(data['image_shape'] or ())}, "
            f"but {bundle} expects {_shape(shape)}"
        )
    for label in ("X", "X_test"):
        X = data.get(label)
        if X is not None and X.ndim == 2 and X.shape[1] != math.prod(shape):
            raise DataError(
                f"{where}: {label} rows have {X.shape[1]} values, "
                f"not {math.prod(shape)} ({_shape(shape)})"
            )


def _shape(shape) -> str:
    return "x".join(str(v) for v in shape)


def _n_columns(X) -> int:
    shape = getattr(X, "shape", None)
    return int(shape[1]) if shape is not None and len(shape) == 2 else -1


def split_rows(y, task: str, seed: int, fraction: float) -> tuple:
    """Row indices (kept, held out): stratified for classification unless a class is too small."""
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


def take(values, rows):
    """The given rows of a numpy array or of a pandas object (index reset); of an array mapped
    from a file, a RowView that reads them only when used (nothing is loaded here)."""
    if hasattr(values, "iloc"):
        return values.iloc[rows].reset_index(drop=True)
    if row_views.is_mapped(values):
        return row_views.RowView(values, rows)
    return values[rows]


def for_search(trainval: dict, kind: str, walltime: float | None = None) -> dict:
    """The data of the search's trials: images train at the plan's search resolution (train.py's
    SEARCH_SIZE, dataset["resolution"]), the refit and plain calls at the final one. With a
    finite walltime (seconds from now), dataset["deadline"] is the search's end in seconds since
    the epoch: a train() that reads it starts no new fold or epoch after it."""
    search = {**trainval, "resolution": "search"} if kind == "image" else dict(trainval)
    if walltime is not None and math.isfinite(float(walltime)):
        search["deadline"] = time.time() + float(walltime)
    return search


def hold_out(data: dict, task: str, seed: int, fraction: float, horizon=None) -> tuple:
    """({X, y} to optimise on, {X, y} to test on): the data's own test split, else a seeded
    `fraction` of the rows. Images mapped from a file stay there (take). Forecasting holds out
    the last `horizon` points of every series instead (bundle_forecast.hold_out_horizon)."""
    if task == "forecasting":
        forecast = _forecast()
        try:
            return forecast.hold_out_horizon(data, int(horizon))
        except forecast.ForecastDataError as exc:
            raise DataError(str(exc)) from None
    if data.get("X_test") is not None:
        X, X_test = data["X"], data["X_test"]
        if row_views.is_mapped(X):  # a RowView pickles as its file's name, a memmap whole
            X, X_test = take(X, slice(None)), take(X_test, slice(None))
        return ({"X": X, "y": data["y"]}, {"X": X_test, "y": data["y_test"]})
    keep, test = split_rows(data["y"], task, seed, fraction)
    return (
        {"X": take(data["X"], keep), "y": take(data["y"], keep)},
        {"X": take(data["X"], test), "y": take(data["y"], test)},
    )
