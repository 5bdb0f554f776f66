"""Time series through plan and generate: facts read from .ts files, array files and the sets
aeon ships, the given TRAIN/TEST split, and bad series refused in one line with exit 2."""

import json
import shutil

import numpy as np
import pytest
from bundles import bundle_files, generate, run_cli

from hpogen.dataset.bundle_series import aeon_data_dir


def _copy_pair(name, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for part in ("TRAIN", "TEST"):
        shutil.copy(aeon_data_dir() / name / f"{name}_{part}.ts", folder / f"{name}_{part}.ts")
    return folder


def _spec(bundle):
    return json.loads((bundle / "hpogen.lock.json").read_text())["spec"]


def test_default_is_gunpoint_with_its_given_split(tmp_path):
    spec = _spec(generate(["--dataset-type", "time_series"], tmp_path / "b"))
    assert spec["name"] == "GunPoint" and spec["type"] == "time_series" and spec["has_test_split"] is True
    assert (spec["n_samples"], spec["n_channels"], spec["min_length"], spec["max_length"]) == (50, 1, 150, 150)


def test_a_folder_a_train_file_and_the_embedded_set_give_the_same_facts(tmp_path):
    folder = _copy_pair("GunPoint", tmp_path / "data")
    from_folder = _spec(generate(["--data", str(folder)], tmp_path / "a"))
    from_file = _spec(generate(["--data", str(folder / "GunPoint_TRAIN.ts")], tmp_path / "b"))
    assert from_folder == from_file
    assert from_folder["class_counts"] == {"1": 24, "2": 26} and from_folder["has_test_split"] is True
    embedded = _spec(generate(["--dataset", "GunPoint"], tmp_path / "c"))
    assert {k: v for k, v in from_folder.items() if k not in ("class_counts", "description")} == \
        {k: v for k, v in embedded.items() if k != "description"}


@pytest.mark.parametrize(("name", "channels", "lengths", "task"), [
    ("BasicMotions", 6, (100, 100), "classification"),
    ("JapaneseVowels", 12, (7, 26), "classification"),
    ("Covid3Month", 1, (84, 84), "regression"),
])
def test_multivariate_unequal_and_regression_facts(tmp_path, name, channels, lengths, task):
    folder = _copy_pair(name, tmp_path / "data")
    spec = _spec(generate(["--data", str(folder)], tmp_path / "b"))
    assert (spec["n_channels"], spec["min_length"], spec["max_length"], spec["task"]) == (channels, *lengths, task)
    plan = json.loads(run_cli("plan", "--data", str(folder)).stdout)
    assert "length_rule" in plan["configuration_plan"] if lengths[0] != lengths[1] else "used as they are" in plan["configuration_plan"]


def test_arrays_with_nan_padding_are_series(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2, 40)).astype("float32")
    X[::3, :, 30:] = np.nan  # a third of the series end after 30 points
    X[1, 0, 5] = np.nan  # a missing value inside a series
    np.savez(tmp_path / "s.npz", X=X, y=np.arange(30) % 3)
    before = (tmp_path / "s.npz").read_bytes()
    spec = _spec(generate(["--data", str(tmp_path / "s.npz"), "--dataset-type", "time_series"], tmp_path / "b"))
    assert (spec["n_channels"], spec["min_length"], spec["max_length"]) == (2, 30, 40)
    assert spec["has_missing"] is True and spec["n_classes"] == 3
    assert (tmp_path / "s.npz").read_bytes() == before


def test_generate_is_byte_identical_and_names_aeon_only_when_rocket_is_in_the_space(tmp_path):
    first = generate(["--dataset", "JapaneseVowels"], tmp_path / "a")
    second = generate(["--dataset", "JapaneseVowels"], tmp_path / "b")
    assert bundle_files(first) == bundle_files(second)
    requirements = (first / "requirements.txt").read_text()
    assert "aeon==" in requirements and "torch==" in requirements


def _ts(path, body, header="@problemName bad\n@timeStamps false\n@univariate true\n@classLabel true a b\n"):
    path.write_text(header + "@data\n" + body)
    return path


BAD_SERIES = {
    "a single class": (lambda t: _ts(t / "one_TRAIN.ts", "1,2,3,4:a\n2,3,4,5:a\n"), "one class"),
    "a series of length 2": (lambda t: _ts(t / "short_TRAIN.ts", "1,2:a\n2,3,4,5:b\n"), "length 2"),
    "a header that contradicts its body": (
        lambda t: _ts(t / "len_TRAIN.ts", "1,2,3,4,5:a\n2,3,4,5,6:b\n",
                      "@problemName len\n@univariate true\n@equalLength true\n@seriesLength 4\n@classLabel true a b\n"),
        "4"),
    "a ragged array": (lambda t: _ragged(t / "ragged.npz"), "ragged"),
}


def _ragged(path):
    import io
    import zipfile

    buffer = io.BytesIO()  # what np.save writes for an object array, stored in an .npz by hand
    np.save(buffer, np.array([np.zeros(3), np.zeros(5)], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", buffer.getvalue())
        labels = io.BytesIO()
        np.save(labels, np.array([0, 1]))
        archive.writestr("y.npy", labels.getvalue())
    return path


@pytest.mark.parametrize(("make", "words"), BAD_SERIES.values(), ids=BAD_SERIES.keys())
def test_bad_series_are_one_line_and_exit_2(tmp_path, make, words):
    path = make(tmp_path)
    result = run_cli("generate", "--data", str(path), "--dataset-type", "time_series", "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpogen: error: ") and words in lines[0], lines
    assert not (tmp_path / "out").exists()
