"""bundle_series: .ts files read as aeon reads them, facts without converting values, arrays,
train/test pairs, bad series refused in one line, and equalise's fill-and-pad rule."""

from __future__ import annotations

import ast
import shutil

import numpy as np
import pytest
from aeon.datasets import load_from_ts_file

from hpogen.dataset import bundle_series as bs
from hpogen.dataset.bundle_series import SeriesDataError

SHIPPED = ["GunPoint", "BasicMotions", "JapaneseVowels", "PickupGestureWiimoteZ", "Covid3Month",
           "CardanoSentiment"]
HEADER = "@problemName Toy\n@timeStamps false\n@univariate true\n@classLabel true a b\n@data\n"


def _ts(folder, text, name="toy.ts"):
    path = folder / name
    path.write_text(text)
    return path


def _refusal(call, *args) -> str:
    """The one-line message of the SeriesDataError that call(*args) raises."""
    with pytest.raises(SeriesDataError) as caught:
        call(*args)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def _copy_pair(name, folder, test_name=None):
    folder.mkdir(parents=True, exist_ok=True)
    train = bs.embedded_series(name)
    shutil.copy(train, folder / train.name)
    shutil.copy(train.with_name(f"{name}_TEST.ts"), folder / (test_name or f"{name}_TEST.ts"))
    return folder / train.name


# --- .ts files against aeon ---------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_read_ts_agrees_with_aeons_loader(name):
    path = bs.embedded_series(name)
    data = bs.read_ts(path)
    X, y, meta = load_from_ts_file(str(path), return_meta_data=True)
    assert data["X"].dtype == np.float32 and data["lengths"].dtype == np.int64
    assert data["name"] == name and len(data["X"]) == len(y) == len(data["lengths"])
    if isinstance(X, list):  # unequal lengths: a (c, L_i) array per series
        assert data["X"].shape[2] == max(series.shape[1] for series in X)
        for i, series in enumerate(X):
            assert data["lengths"][i] == series.shape[1]
            np.testing.assert_allclose(data["X"][i, :, : series.shape[1]], series, rtol=1e-6)
            assert np.isnan(data["X"][i, :, series.shape[1]:]).all()
        assert data["lengths"].min() < data["lengths"].max()
    else:
        assert data["X"].shape == X.shape and (data["lengths"] == X.shape[2]).all()
        np.testing.assert_allclose(data["X"], X, rtol=1e-6)
    if meta["targetlabel"]:
        assert data["task"] == "regression" and data["y"].dtype == np.float64
        assert data["class_labels"] is None
        np.testing.assert_allclose(data["y"], y)
    else:  # aeon lower-cases every line; bundle_series keeps the labels as written
        assert data["task"] == "classification" and data["y"].dtype.kind == "U"
        np.testing.assert_array_equal(np.char.lower(data["y"]), y)
        assert [label.lower() for label in data["class_labels"]] == meta["class_values"]


@pytest.mark.parametrize("name", SHIPPED)
def test_ts_facts_agree_with_the_values_read(name):
    path = bs.embedded_series(name)
    data, facts = bs.read_ts(path), bs.ts_facts(path)
    assert (facts["n_series"], facts["n_channels"]) == data["X"].shape[:2]
    assert (facts["min_length"], facts["max_length"]) == (data["lengths"].min(), data["lengths"].max())
    assert facts["equal_length"] == (facts["min_length"] == facts["max_length"])
    assert facts["task"] == data["task"] and facts["name"] == name
    assert facts["has_missing"] is False and facts["sampled"] is False
    if data["task"] == "classification":
        labels, counts = np.unique(data["y"], return_counts=True)
        assert facts["class_counts"] == dict(zip(labels.tolist(), counts.tolist(), strict=True))
        assert facts["n_classes"] == len(data["class_labels"]) and not facts["class_counts_sampled"]
        assert facts["target_range"] is None
    else:
        assert facts["target_range"] == [data["y"].min(), data["y"].max()]
        assert facts["class_counts"] is None and facts["n_classes"] is None


def test_ts_facts_of_a_large_file_count_its_lines_and_sample_the_rest():
    gunpoint = bs.ts_facts(bs.embedded_series("GunPoint"), sample=10, scan_bytes=0)
    assert gunpoint["n_series"] == 50 and gunpoint["class_counts_sampled"] is True
    assert sum(gunpoint["class_counts"].values()) == 10 and gunpoint["n_classes"] == 2
    assert gunpoint["sampled"] is False  # @equalLength true with @seriesLength 150
    assert (gunpoint["min_length"], gunpoint["max_length"]) == (150, 150)
    vowels = bs.ts_facts(bs.embedded_series("JapaneseVowels"), sample=20, scan_bytes=0)
    lengths = bs.read_ts(bs.embedded_series("JapaneseVowels"))["lengths"][:20]
    assert vowels["n_series"] == 270 and vowels["sampled"] is True
    assert (vowels["min_length"], vowels["max_length"]) == (lengths.min(), lengths.max())
    assert vowels["equal_length"] is False  # the header's @equalLength false
    covid = bs.ts_facts(bs.embedded_series("Covid3Month"), sample=5, scan_bytes=0)
    targets = bs.read_ts(bs.embedded_series("Covid3Month"))["y"][:5]
    assert covid["target_range"] == [targets.min(), targets.max()] and covid["target_range_sampled"]


def test_ts_facts_count_200000_tiny_series(tmp_path):
    lines = [f"{i % 7},1,2{',3' * (i % 3)}:{'ab'[i % 4 == 0]}\n" for i in range(200_000)]
    path = _ts(tmp_path, HEADER.replace("@data", "@missing false\n@data") + "".join(lines) + "\n\n")
    for scan_bytes in (bs.FULL_SCAN_BYTES, 0):  # scanned line by line, and counted in binary
        facts = bs.ts_facts(path, scan_bytes=scan_bytes)
        assert facts["n_series"] == 200_000 and facts["n_channels"] == 1
        assert (facts["min_length"], facts["max_length"]) == (3, 5)
    assert facts["sampled"] is True and sum(facts["class_counts"].values()) == 512
    full = bs.ts_facts(path)
    assert full["class_counts"] == {"a": 150_000, "b": 50_000} and not full["class_counts_sampled"]
    assert full["sampled"] is False and full["equal_length"] is False and not full["has_missing"]


def test_missing_values_are_nan_and_count_in_a_series_length(tmp_path):
    text = HEADER + "1,?,3,4:a\r\n# a comment\r\n5,NaN,7:b\r\n\r\n"
    data = bs.read_ts(_ts(tmp_path, text))
    assert data["lengths"].tolist() == [4, 3] and data["y"].tolist() == ["a", "b"]
    np.testing.assert_array_equal(data["X"][:, 0], [[1, np.nan, 3, 4], [5, np.nan, 7, np.nan]])
    facts = bs.ts_facts(_ts(tmp_path, text))
    assert facts["has_missing"] and facts["n_series"] == 2 and facts["n_classes"] == 2


# --- train/test pairs ----------------------------------------------------------------------------


def test_read_series_of_a_folder_and_of_a_train_file_find_the_test_part(tmp_path):
    train = _copy_pair("GunPoint", tmp_path / "data")
    for where in (tmp_path / "data", train):
        data = bs.read_series(where)
        assert data["name"] == "GunPoint" and data["X"].shape == (50, 1, 150)
        assert data["test"]["X"].shape == (150, 1, 150) and data["test"]["task"] == "classification"
    assert bs.series_pair(tmp_path / "data") == (train, tmp_path / "data" / "GunPoint_TEST.ts")


def test_the_test_suffix_is_case_insensitive_and_other_files_have_no_test(tmp_path):
    train = _copy_pair("ArrowHead", tmp_path, test_name="ArrowHead_test.ts")
    assert bs.series_pair(train) == (train, tmp_path / "ArrowHead_test.ts")
    single = tmp_path / "solo" / "arrows.ts"
    single.parent.mkdir()
    shutil.copy(train, single)
    data = bs.read_series(single)
    assert data["test"] is None and data["name"] == "ArrowHead"  # from @problemName
    assert bs.series_pair(single) == (single, None)


def test_a_folder_needs_exactly_one_train_file(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "NAME_TRAIN.ts" in _refusal(bs.series_pair, tmp_path / "empty")
    _copy_pair("GunPoint", tmp_path / "two")
    _copy_pair("ArrowHead", tmp_path / "two")
    assert "GunPoint_TRAIN.ts" in _refusal(bs.read_series, tmp_path / "two")


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "body", "expected"), [
    ("@equalLength true\n@seriesLength 4\n", "1,2,3,4:a\n1,2,3,4,5:b\n", "@seriesLength"),
    ("@univariate false\n@dimensions 2\n", "1,2,3:4,5,6:a\n1,2,3:b\n", "@dimensions 2"),
    ("", "1,2,3:a\n1,2,3:4,5,6:b\n", "@univariate true"),
    ("@equalLength true\n", "1,2,3,4:a\n1,2,3:b\n", "@equalLength true"),
    ("@missing false\n", "1,2,3:a\n1,?,3:b\n", "@missing false"),
    ("", "1,2,3:a\n1,2,3:c\n", "'c' is not among the declared"),
    ("@univariate false\n", "1,2,3:4,5,6:a\n1,2,3:b\n", "the first series has 2"),
    ("", "1,2,3:a\n1,x,3:b\n", "not a number"),
])
def test_a_header_contradicted_by_a_series_names_its_line(tmp_path, header, body, expected):
    text = HEADER.replace("@univariate true\n", "" if header else "@univariate true\n")
    path = _ts(tmp_path, text.replace("@data\n", header + "@data\n") + body)
    message = _refusal(bs.read_ts, path)
    assert expected in message and str(path) in message
    assert f"line {len(text.splitlines()) + header.count(chr(10)) + 2}" in message


@pytest.mark.parametrize(("text", "expected"), [
    (HEADER + "\n\n", "holds no series"),
    (HEADER.replace("false", "true") + "(2007-01-01 00:00:00,1.0):a\n", "@timeStamps true"),
    ("@problemName X\n1,2,3:a\n", "before the @data tag"),
    ("@problemName X\n", "no @data tag"),
    ("@classLabel false\n@data\n1,2,3\n", "no labels"),
    ("@targetLabel true\n@data\n1,2,3:x\n", "not a number"),
])
def test_unreadable_ts_files_are_refused(tmp_path, text, expected):
    path = _ts(tmp_path, text)
    assert expected in _refusal(bs.read_ts, path)
    if "holds no series" in expected or "@timeStamps" in expected:
        assert expected in _refusal(bs.ts_facts, path)


def test_series_that_cannot_be_learnt_from_are_refused(tmp_path):
    single = _ts(tmp_path, HEADER + "1,2,3:a\n4,5,6:a\n", "single.ts")
    assert "single class ('a')" in _refusal(bs.read_series, single)
    short = _ts(tmp_path, HEADER + "1,2,3:a\n4,5:b\n", "short.ts")
    assert "series 2 has 2 values" in _refusal(bs.read_series, short)
    empty = _ts(tmp_path, HEADER + "1,2,3:a\n?,?,?:b\n", "empty.ts")
    assert "series 2 has only missing values" in _refusal(bs.read_series, empty)
    X = np.zeros((4, 2, 5))
    np.savez(tmp_path / "channels.npz", X=X, y=[0, 1, 0, 1], X_test=X[:, :1], y_test=[0, 1, 0, 1])
    assert "1 channels" in _refusal(bs.read_series, tmp_path / "channels.npz")


def test_a_ragged_array_is_refused_unpickled(tmp_path):
    ragged = np.array([np.zeros(3), np.zeros(5)], dtype=object)
    np.savez(tmp_path / "ragged.npz", X=ragged, y=np.array([0, 1]))
    assert "ragged array" in _refusal(bs.read_arrays, tmp_path / "ragged.npz")
    (tmp_path / "npy").mkdir()
    np.save(tmp_path / "npy" / "X.npy", ragged)
    np.save(tmp_path / "npy" / "y.npy", np.array([0, 1]))
    assert "ragged array" in _refusal(bs.read_series, tmp_path / "npy")


# --- arrays ------------------------------------------------------------------------------------


def test_npz_rows_are_one_channel_and_nan_ends_a_series(tmp_path):
    X = np.arange(24, dtype=np.int64).reshape(4, 6)
    np.savez(tmp_path / "rows.npz", X=X, y=np.array([0, 1, 1, 0]))
    data = bs.read_series(tmp_path / "rows.npz")
    assert data["X"].shape == (4, 1, 6) and data["X"].dtype == np.float32
    assert data["task"] == "classification" and data["y"].tolist() == ["0", "1", "1", "0"]
    assert data["lengths"].tolist() == [6] * 4 and data["test"] is None and data["name"] == "rows"
    padded = np.ones((3, 2, 5))
    padded[0, :, 3:] = np.nan  # ends after 3 values
    padded[1, 0, 1] = np.nan  # a missing value inside
    padded[2, 1, 4] = np.nan  # one channel shorter: the series keeps its longest channel
    np.savez(tmp_path / "padded.npz", X=padded, y=np.array(["x", "y", "x"]))
    data = bs.read_arrays(tmp_path / "padded.npz")
    assert data["lengths"].tolist() == [3, 5, 5] and data["y"].tolist() == ["x", "y", "x"]


def test_an_npy_folder_with_a_test_part(tmp_path):
    rng = np.random.default_rng(0)
    for key, value in {"X": rng.normal(size=(30, 3, 8)), "y": rng.normal(size=30),
                       "X_test": rng.normal(size=(10, 3, 8)), "y_test": np.arange(10)}.items():
        np.save(tmp_path / f"{key}.npy", value)
    data = bs.read_series(tmp_path)
    assert data["task"] == "regression" and data["y"].dtype == np.float64
    assert data["test"]["X"].shape == (10, 3, 8) and data["test"]["y"].dtype == np.float64
    assert data["name"] == tmp_path.name


@pytest.mark.parametrize(("y", "task", "labels"), [
    (np.array(["cat", "dog", "cat"]), "classification", ["cat", "dog", "cat"]),
    (np.array([True, False, True]), "classification", ["True", "False", "True"]),
    (np.array([2, 0, 2]), "classification", ["2", "0", "2"]),
    (np.array([1.0, 0.0, 2.0]), "classification", ["1", "0", "2"]),
    (np.array([0.5, 1.5, 0.5]), "regression", None),
    (np.arange(30, dtype=float), "regression", None),
])
def test_the_task_follows_the_labels(tmp_path, y, task, labels):
    np.savez(tmp_path / "d.npz", X=np.ones((len(y), 4)), y=y)
    data = bs.read_arrays(tmp_path / "d.npz")
    assert data["task"] == task
    if labels is None:
        assert data["y"].dtype == np.float64
    else:
        assert data["y"].dtype.kind == "U" and data["y"].tolist() == labels


# --- equalise ----------------------------------------------------------------------------------


def _equalise(rows, lengths, target):
    X = np.array(rows, dtype=np.float32)
    before = X.copy()
    out = bs.equalise(X, np.array(lengths), target)
    np.testing.assert_array_equal(X, before)  # never modified
    assert out.dtype == np.float32 and out.shape == (len(X), X.shape[1], target)
    assert not np.shares_memory(out, X)
    return out


def test_equalise_interpolates_pads_and_cuts():
    nan = np.nan
    out = _equalise([[[1, nan, 3, nan]], [[nan, 2, nan, 8]]], [3, 4], 6)
    np.testing.assert_allclose(out[0, 0], [1, 2, 3, 3, 3, 3])  # interior filled, end padded
    np.testing.assert_allclose(out[1, 0], [2, 2, 5, 8, 8, 8])  # leading edge, interpolated
    out = _equalise([[[1, nan, 3, 4, 5]], [[1, 2, nan, nan, nan]]], [5, 5], 3)
    np.testing.assert_allclose(out[:, 0], [[1, 2, 3], [1, 2, 2]])  # filled, then cut
    out = _equalise([[[1, 2, 3, 99], [nan, nan, nan, nan]]], [3], 4)
    np.testing.assert_allclose(out[0], [[1, 2, 3, 3], [0, 0, 0, 0]])  # beyond the length: ignored
    out = _equalise([[[4, 5, 6]]], [3], 3)
    np.testing.assert_allclose(out[0, 0], [4, 5, 6])


def test_equalise_matches_np_interp_on_random_series():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3, 20)).astype(np.float32)
    lengths = rng.integers(1, 21, size=60)
    X[rng.random(X.shape) < 0.3] = np.nan
    for target in (12, 20, 31):
        out = bs.equalise(X, lengths, target)
        for i in range(60):
            for c in range(3):
                values = X[i, c, : lengths[i]].astype(np.float64)
                seen = np.flatnonzero(~np.isnan(values))
                expected = np.zeros(target)
                if seen.size:
                    expected = np.interp(np.arange(max(target, 20)), seen, values[seen])[:target]
                np.testing.assert_allclose(out[i, c], expected, rtol=1e-5, atol=1e-6)


# --- the shipped sets and the module's imports ---------------------------------------------------


def test_embedded_series_are_found_without_importing_aeon():
    assert (bs.aeon_data_dir() / "GunPoint" / "GunPoint_TRAIN.ts").is_file()
    assert bs.embedded_series("gunpoint") == bs.aeon_data_dir() / "GunPoint" / "GunPoint_TRAIN.ts"
    assert "GunPoint" in _refusal(bs.embedded_series, "NoSuchSet")


def test_the_module_imports_only_the_standard_library_and_numpy():
    tree = ast.parse(open(bs.__file__).read())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "importlib", "io", "collections", "pathlib", "numpy"}
