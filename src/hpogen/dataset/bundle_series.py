"""Reading time series for whole-series classification and regression: the .ts format of the
UCR/UEA archives and aeon, an .npz, or a folder of .npy arrays.

hpogen reads series with this module, and copies it unchanged into every time-series bundle as
bundle_series.py beside the standalone run_hpo.py, so both read the same arrays from the same
file. It must never import hpogen, aeon or pandas: the standard library and numpy only.

A dataset is a dict: "X", float32 (n_series, n_channels, max_length), NaN after a series' end
and where a value is missing; "lengths", int64 (n_series,), each series' length as written (its
longest channel, missing values included); "y", str labels (classification) or float64 targets
(regression), in file order; "task"; "class_labels", the .ts header's declared labels or None.
Data that cannot be read, or cannot be learnt from, raises SeriesDataError with one line.
"""

from __future__ import annotations

import importlib.util
import io
from collections import Counter
from pathlib import Path

import numpy as np

# Up to this many bytes of data, ts_facts scans every line (cheaply: no value is converted).
FULL_SCAN_BYTES = 50 << 20
# A float y with more distinct values than this, or a non-integer one, is a regression target.
MAX_CLASS_VALUES = 20
ARRAY_KEYS = ("X", "y", "X_test", "y_test")
_FLAGS = ("timestamps", "missing", "univariate", "equallength", "targetlabel", "classlabel")
_COUNTS = ("serieslength", "dimensions")


class SeriesDataError(ValueError):
    """Series that cannot be read, or cannot be learnt from: a one-line message."""


def _fail(where, message):
    raise SeriesDataError(f"{where}: {message}".replace("\n", " "))


def _read_header(handle, path) -> dict:
    """The header tags up to @data, keys lower-cased (handle: text or binary, left at the first
    data line); "data_line" is the 1-based line number of @data."""
    head = dict.fromkeys(_FLAGS + _COUNTS + ("problemname", "labels"))
    number = 0
    while line := handle.readline():
        number += 1
        text = (line.decode("utf-8", "replace") if isinstance(line, bytes) else line).strip()
        if not text or text[0] in "#%":
            continue
        if text[0] != "@":
            _fail(f"{path}, line {number}", "a data line before the @data tag")
        tokens = text.split()
        key = tokens[0][1:].lower()
        if key == "data":
            if head["timestamps"]:
                _fail(path, "@timeStamps true is not supported: write the values without times")
            if head["classlabel"] is False and not head["targetlabel"]:
                _fail(path, "@classLabel false and no @targetLabel true: the data has no labels")
            return {**head, "data_line": number}
        _header_tag(head, key, tokens, f"{path}, line {number}")
    _fail(path, "no @data tag: not a .ts file")


def _header_tag(head, key, tokens, where):
    """Store one header tag; a malformed value of a known tag is an error."""
    if key in _FLAGS:
        if len(tokens) < 2 or tokens[1].lower() not in ("true", "false"):
            _fail(where, f"{tokens[0]} needs the value true or false")
        head[key] = tokens[1].lower() == "true"
        if key == "classlabel" and head[key] and len(tokens) < 3:
            _fail(where, "@classLabel true needs the class labels after it")
        if key == "classlabel":
            head["labels"] = tokens[2:] or None
    elif key in _COUNTS:
        if len(tokens) != 2 or not tokens[1].isdigit() or int(tokens[1]) < 1:
            _fail(where, f"{tokens[0]} needs a positive whole number")
        head[key] = int(tokens[1])
    elif key == "problemname" and len(tokens) > 1:
        head[key] = tokens[1]


def _name(head, path) -> str:
    stem = Path(path).stem
    return head["problemname"] or (stem[:-6] if stem.lower().endswith("_train") else stem)


def _number(text, where) -> float:
    try:
        return float(text)
    except ValueError:
        _fail(where, f"target {text!r} is not a number (@targetLabel true)")


def read_ts(path) -> dict:
    """A .ts file as a series dict (see the module docstring) plus "name" (@problemName, else
    the file's stem without _TRAIN); header/body contradictions name the file line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            head = _read_header(handle, path)
            rows, labels = _read_body(handle, head, path)
    except UnicodeDecodeError:
        _fail(path, "not a UTF-8 text file")
    except OSError as exc:
        _fail(path, f"cannot read the file ({exc.strerror or exc})")
    if not rows:
        _fail(path, "the @data section holds no series")
    lengths = np.array([max(len(v) for v in channels) for channels in rows], dtype=np.int64)
    X = np.full((len(rows), len(rows[0]), int(lengths.max())), np.nan, dtype=np.float32)
    for i, channels in enumerate(rows):
        for c, values in enumerate(channels):
            X[i, c, : len(values)] = values
    regression = bool(head["targetlabel"])
    y = np.array(labels, dtype=np.float64 if regression else str)
    declared = None if regression or not head["labels"] else list(head["labels"])
    return {
        "X": X,
        "lengths": lengths,
        "y": y,
        "class_labels": declared,
        "name": _name(head, path),
        "task": "regression" if regression else "classification",
    }


def _read_body(handle, head, path):
    """Each data line's channels (float64 arrays) and label, checked as they are read."""
    rows, labels = [], []
    for number, line in enumerate(handle, head["data_line"] + 1):
        text = line.strip()
        if not text or text[0] == "#":
            continue
        where = f"{path}, line {number}"
        body, colon, label = text.rpartition(":")
        if not colon:
            _fail(where, "no ':' before the label (the last ':'-field is the label or target)")
        try:
            channels = [
                np.array(part.split(","), dtype=np.float64)
                for part in body.replace("?", "nan").split(":")
            ]
        except ValueError as exc:
            _fail(where, f"a value is not a number ({exc})")
        _check_row(channels, label.strip(), rows[0] if rows else channels, head, where)
        rows.append(channels)
        labels.append(label.strip())
    return rows, labels


def _check_row(channels, label, first, head, where):
    """Refuse a data line that contradicts the header or the first data line."""
    _check_sizes(
        [len(values) for values in channels], [len(values) for values in first], head, where
    )
    if not all(np.isfinite(values).all() for values in channels):
        if any(np.isinf(values).any() for values in channels):
            _fail(where, "an infinite value")
        if head["missing"] is False:
            _fail(where, "a missing value ('?' or NaN), but the header says @missing false")
    _check_label(label, head, where)


def _check_sizes(sizes, first, head, where):
    """Refuse channel counts and lengths (one per channel) that contradict the header or the
    first data line's."""
    count = len(sizes)
    if head["dimensions"] is not None and count != head["dimensions"]:
        _fail(where, f"{count} channels, but the header says @dimensions {head['dimensions']}")
    if head["univariate"] and count > 1:
        _fail(where, f"{count} channels, but the header says @univariate true")
    if count != len(first):
        _fail(where, f"{count} channels, but the first series has {len(first)}")
    expected = head["serieslength"] or first[0]
    if head["equallength"] and set(sizes) != {expected}:
        tag = "@seriesLength" if head["serieslength"] else "the first series' length"
        _fail(
            where,
            f"length {max(set(sizes) - {expected})} with @equalLength true, but {tag} is "
            f"{expected}",
        )


def _check_label(label, head, where):
    if head["targetlabel"]:
        if not np.isfinite(_number(label, where)):
            _fail(where, f"target {label!r} is missing or infinite")
    elif not label:
        _fail(where, "an empty class label")
    elif head["labels"] and label not in head["labels"]:
        _fail(where, f"class label {label!r} is not among the declared @classLabel labels")


def ts_facts(path, sample=512, scan_bytes=FULL_SCAN_BYTES) -> dict:
    """The facts of a .ts file without converting a value (a file may hold a million series).

    Data of at most `scan_bytes` is scanned line by line (lengths counted by commas, labels read
    as the last ':'-field): every fact is exact. Larger data has its lines counted as b"\\n" in
    binary chunks (blank or comment lines inside it count too) and the other facts taken from
    its first `sample` series: "sampled" (lengths), "class_counts_sampled" and
    "target_range_sampled" are then True. `@equalLength true` with `@seriesLength N` gives the
    lengths exactly; a sample's equal_length is the header's where declared, and its has_missing
    is also true where the header says `@missing true`.

    Keys: name, task, n_series, n_channels, min_length, max_length, equal_length, has_missing,
    sampled, class_counts_sampled, target_range_sampled; n_classes (the declared labels' count,
    else the labels seen), class_labels (declared, or None), class_counts ({label: count}) for
    classification, else None; target_range ([min, max]) for regression, else None.
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = _read_header(handle, path)
            offset = handle.tell()
            full = path.stat().st_size - offset <= scan_bytes
            text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace")
            seen = _scan_lines(text, head, path, None if full else sample)
            text.detach()
        n_series = seen["n"] if full else _count_lines(path, offset)
    except OSError as exc:
        _fail(path, f"cannot read the file ({exc.strerror or exc})")
    if not seen["n"]:
        _fail(path, "the @data section holds no series")
    return _facts(head, seen, n_series, not full, path)


def _scan_lines(handle, head, path, limit) -> dict:
    """Channels, shortest and longest length, missing values and labels (or the target range)
    of every data line, or of the first `limit`, without converting a value."""
    seen = {
        "n": 0,
        "channels": None,
        "min": None,
        "max": 0,
        "missing": False,
        "counts": Counter(),
        "low": np.inf,
        "high": -np.inf,
    }
    for number, line in enumerate(handle, head["data_line"] + 1):
        text = line.strip()
        if not text or text[0] == "#":
            continue
        where = f"{path}, line {number}"
        body, colon, label = text.rpartition(":")
        if not colon:
            _fail(where, "no ':' before the label (the last ':'-field is the label or target)")
        sizes = [part.count(",") + 1 for part in body.split(":")]
        seen["first"] = seen.get("first") or sizes
        seen["channels"] = len(seen["first"])
        _check_sizes(sizes, seen["first"], head, where)
        missing = "?" in body or "nan" in body.lower()
        if missing and head["missing"] is False:
            _fail(where, "a missing value ('?' or NaN), but the header says @missing false")
        seen["n"] += 1
        seen["min"] = min(sizes) if seen["min"] is None else min(seen["min"], min(sizes))
        seen["max"] = max(seen["max"], max(sizes))
        seen["missing"] = seen["missing"] or missing
        _check_label(label.strip(), head, where)
        if head["targetlabel"]:
            target = _number(label.strip(), where)
            seen["low"], seen["high"] = min(seen["low"], target), max(seen["high"], target)
        else:
            seen["counts"][label.strip()] += 1
        if limit is not None and seen["n"] >= limit:
            break
    return seen


def _count_lines(path, offset) -> int:
    """The lines after `offset`, counted as b"\\n" in 1 MiB chunks; trailing blank lines left
    out."""
    newlines, trailing, content = 0, 0, False
    with open(path, "rb") as handle:
        handle.seek(offset)
        while chunk := handle.read(1 << 20):
            newlines += chunk.count(b"\n")
            kept = chunk.rstrip()
            if kept:
                content, trailing = True, chunk[len(kept) :].count(b"\n")
            else:
                trailing += chunk.count(b"\n")
    return newlines - trailing + 1 if content else 0


def _facts(head, seen, n_series, sampled, path) -> dict:
    """The facts dict of ts_facts from the header and the scanned lines."""
    exact = bool(head["equallength"] and head["serieslength"])
    low, high = (head["serieslength"],) * 2 if exact else (seen["min"], seen["max"])
    equal = head["equallength"] if sampled and head["equallength"] is not None else low == high
    facts = {
        "name": _name(head, path),
        "n_series": n_series,
        "n_channels": seen["channels"],
        "min_length": low,
        "max_length": high,
        "equal_length": bool(equal or exact),
        "has_missing": seen["missing"] or bool(sampled and head["missing"]),
        "sampled": sampled and not exact,
        "class_counts_sampled": sampled,
        "target_range_sampled": sampled,
        "task": "classification",
        "n_classes": None,
        "class_labels": None,
        "class_counts": None,
        "target_range": None,
    }
    if head["targetlabel"]:
        facts["task"] = "regression"
        facts["target_range"] = [float(seen["low"]), float(seen["high"])]
    else:
        declared = head["labels"]
        facts["class_counts"] = dict(sorted(seen["counts"].items()))
        facts["class_labels"] = list(declared) if declared else None
        facts["n_classes"] = len(declared) if declared else len(seen["counts"])
    return facts


def read_arrays(path) -> dict:
    """An .npz (X, y, optionally X_test, y_test) or a folder of X.npy, y.npy (X_test.npy,
    y_test.npy) as a series dict plus "test": X (n, c, L), or (n, L) for one channel, NaN after
    a series' end; never unpickled. The train y decides the task (see _infer_task)."""
    path = Path(path)
    arrays = _load_arrays(path)
    if "X" not in arrays or "y" not in arrays:
        _fail(path, "an .npz or .npy folder needs the arrays X and y")
    if ("X_test" in arrays) != ("y_test" in arrays):
        _fail(path, "X_test and y_test come together: one of them is missing")
    task = _infer_task(arrays["y"], path)
    test = None
    if "X_test" in arrays:
        test = _array_part(arrays["X_test"], arrays["y_test"], task, path, "_test")
    return {**_array_part(arrays["X"], arrays["y"], task, path, ""), "test": test}


def _load_arrays(path) -> dict:
    """The arrays of an .npz or an .npy folder; an object array is refused, never unpickled."""
    arrays, current = {}, None
    try:
        if path.is_dir():
            for current in (key for key in ARRAY_KEYS if (path / f"{key}.npy").is_file()):
                arrays[current] = np.load(path / f"{current}.npy", allow_pickle=False)
        else:
            with np.load(path, allow_pickle=False) as archive:
                for current in (key for key in ARRAY_KEYS if key in archive.files):
                    arrays[current] = archive[current]
    except ValueError as exc:
        if current is None or "Object arrays" not in str(exc):
            _fail(path, f"not a readable array file ({exc})")
        if current.startswith("X"):
            _fail(
                path,
                f"ragged array: {current} is an object array; save equal-length series "
                "padded with NaN, or use the .ts format",
            )
        _fail(path, f"{current} is an object array: save the labels as strings or numbers")
    except (OSError, EOFError) as exc:
        _fail(path, f"not a readable array file ({exc})")
    return arrays


def _infer_task(y, path) -> str:
    """Strings, bools and integers are classes; floats are targets unless they are whole
    numbers with at most MAX_CLASS_VALUES distinct values."""
    y = np.asarray(y)
    if y.dtype.kind in "USbiu":
        return "classification"
    if y.dtype.kind != "f" or not np.isfinite(y).all():
        _fail(path, f"y ({y.dtype}) is neither labels nor finite numeric targets")
    whole = bool(np.all(y == np.round(y)))
    return "classification" if whole and len(np.unique(y)) <= MAX_CLASS_VALUES else "regression"


def _array_part(X, y, task, path, suffix) -> dict:
    """One split of arrays as a series dict; a series ends at its last observed value."""
    X, y = np.asarray(X), np.asarray(y)
    X = X[:, None, :] if X.ndim == 2 else X
    if X.ndim != 3 or y.ndim != 1 or len(X) != len(y) or X.shape[2] == 0:
        _fail(
            path,
            f"X{suffix} {X.shape} and y{suffix} {y.shape} are not (n, c, L) or (n, L) "
            "series with one label each",
        )
    if X.dtype.kind not in "biuf":
        _fail(path, f"X{suffix} of dtype {X.dtype} is not numeric")
    X = X.astype(np.float32)
    if np.isinf(X).any():
        _fail(path, f"X{suffix} holds an infinite value")
    observed = ~np.isnan(X).all(axis=1)
    last = X.shape[2] - np.argmax(observed[:, ::-1], axis=1)
    lengths = np.where(observed.any(axis=1), last, 0).astype(np.int64)
    if task == "regression":
        if y.dtype.kind not in "biuf" or not np.isfinite(y).all():
            _fail(path, f"y{suffix} ({y.dtype}) is not finite numeric targets, unlike y")
        y = y.astype(np.float64)
    elif y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64).astype(str)
    else:
        y = y.astype(str)
    return {"X": X, "lengths": lengths, "y": y, "task": task, "class_labels": None}


def series_pair(path) -> tuple[Path, Path | None]:
    """The train .ts file and its NAME_TEST.ts sibling (None when absent) of a folder holding
    one NAME_TRAIN.ts, of a NAME_TRAIN.ts file, or of any other .ts file (no test)."""
    path = Path(path)
    if path.is_dir():
        trains = sorted(p for p in path.iterdir() if p.name.lower().endswith("_train.ts"))
        if len(trains) != 1:
            found = ", ".join(p.name for p in trains) or "none"
            _fail(path, f"needs exactly one NAME_TRAIN.ts file (found: {found})")
        path = trains[0]
    elif not path.is_file():
        _fail(path, "no such file or folder")
    if not path.name.lower().endswith("_train.ts"):
        return path, None
    prefix = path.name[: -len("_train.ts")]
    for sibling in sorted(path.parent.iterdir()):
        if (
            sibling.name[: len(prefix)] == prefix
            and sibling.name[len(prefix) :].lower() == "_test.ts"
        ):
            return path, sibling
    return path, None


def read_series(path) -> dict:
    """The train part as a series dict plus "test" (a dict or None) and "name", of a .ts file
    or folder (see series_pair), an .npz or a folder of .npy arrays; checked by check_series."""
    path = Path(path)
    if not path.exists():
        _fail(path, "no such file or folder")
    if path.suffix.lower() == ".npz" or (path.is_dir() and (path / "X.npy").is_file()):
        data = {**read_arrays(path), "name": path.stem if path.is_file() else path.name}
    elif path.is_dir() or path.suffix.lower() == ".ts":
        train, test = series_pair(path)
        data = {**read_ts(train), "test": read_ts(test) if test is not None else None}
    else:
        _fail(path, "unsupported series file (use .ts, .npz or a folder of .npy arrays)")
    check_series(data, str(path))
    return data


def check_series(data, where) -> None:
    """Refuse series no model can learn from: shorter than 3 values, all missing, a single
    class; and a test part (data["test"]) with other channels or another task."""
    test = data.get("test")
    if test is not None and test["X"].shape[1] != data["X"].shape[1]:
        _fail(
            where,
            f"the test series have {test['X'].shape[1]} channels, the training series "
            f"{data['X'].shape[1]}",
        )
    if test is not None and test["task"] != data["task"]:
        _fail(where, f"the test part is {test['task']}, the training part {data['task']}")
    for part, series in (("", data), ("test ", test)):
        if series is None:
            continue
        short = np.flatnonzero(series["lengths"] < 3)
        if short.size:
            _fail(
                where,
                f"{part}series {short[0] + 1} has {series['lengths'][short[0]]} "
                "values; at least 3 are needed",
            )
        empty = np.flatnonzero(np.isnan(series["X"]).all(axis=(1, 2)))
        if empty.size:
            _fail(where, f"{part}series {empty[0] + 1} has only missing values")
    if data["task"] == "classification" and len(np.unique(data["y"])) < 2:
        _fail(where, f"a single class ({str(data['y'][0])!r}): classification needs two or more")


def aeon_data_dir() -> Path:
    """The datasets shipped inside the installed aeon package, found without importing aeon."""
    spec = importlib.util.find_spec("aeon")
    if spec is None or not spec.submodule_search_locations:
        raise SeriesDataError("aeon is not installed: its shipped datasets are not available")
    folder = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
    if not folder.is_dir():
        raise SeriesDataError(f"aeon is installed but has no dataset folder at {folder}")
    return folder


def embedded_series(name) -> Path:
    """The NAME_TRAIN.ts file of a dataset shipped with aeon (name case-insensitive)."""
    folder = aeon_data_dir()
    shipped = sorted(s for s in folder.iterdir() if (s / f"{s.name}_TRAIN.ts").is_file())
    for sub in shipped:
        if sub.name.lower() == str(name).lower():
            return sub / f"{sub.name}_TRAIN.ts"
    names = ", ".join(sub.name for sub in shipped)
    raise SeriesDataError(f"aeon ships no series dataset {name!r} (shipped: {names})")


def equalise(X, lengths, target_length) -> np.ndarray:
    """A new float32 (n, c, target_length) array (rules HPG-TS-MISSING and HPG-TS-LENGTH).

    Per channel, on the observed (non-NaN) values before the series' length: a missing value
    between two observed ones is interpolated linearly, one before the first observed value takes
    that value, and every later position (a missing tail, and the pad after the series' end up
    to target_length) takes the last observed value; a series longer than target_length is cut
    after filling. A channel with no observed value becomes zeros. X is never modified.
    """
    X = np.asarray(X)
    n, c, width = X.shape
    target_length = int(target_length)
    if target_length < 1:
        raise SeriesDataError(f"equalise: target length {target_length} is not positive")
    out = np.empty((n, c, target_length), dtype=np.float32)
    step = max(1, (1 << 20) // max(1, c * max(width, target_length)))  # bounds the temporaries
    for start in range(0, n, step):
        stop = min(n, start + step)
        values = X[start:stop].astype(np.float64).reshape(-1, width)
        ends = np.repeat(np.asarray(lengths[start:stop], dtype=np.int64), c)
        out[start:stop] = _fill_rows(values, ends, target_length).reshape(-1, c, target_length)
    return out


def _fill_rows(values, ends, target_length) -> np.ndarray:
    """Rows of `values` (float64) filled as equalise says, padded or cut to target_length."""
    width = values.shape[1]
    positions = np.arange(width)
    observed = ~np.isnan(values) & (positions < ends[:, None])
    previous = np.maximum.accumulate(np.where(observed, positions, -1), axis=1)
    following = np.minimum.accumulate(np.where(observed, positions, width)[:, ::-1], axis=1)
    following = following[:, ::-1]
    none = previous[:, -1] < 0
    left = np.where(previous < 0, following[:, :1], previous)
    right = np.where(following >= width, previous[:, -1:], following)
    left[none], right[none] = 0, 0
    left_value = np.take_along_axis(values, left, axis=1)
    right_value = np.take_along_axis(values, right, axis=1)
    share = np.where(right > left, (positions - left) / np.maximum(right - left, 1), 0.0)
    filled = left_value + (right_value - left_value) * share
    filled[none] = 0.0
    if target_length <= width:
        return filled[:, :target_length]
    return np.concatenate([filled, np.repeat(filled[:, -1:], target_length - width, 1)], axis=1)
