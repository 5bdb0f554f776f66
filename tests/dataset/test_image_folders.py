"""Folders of images as real sets come: facts from names and a sample of headers, problems
reported in one line each, train/ and test/ parts, a uint8 cache decoded once and mapped after,
and arrays too large for memory opened memory-mapped."""

import json
import resource
import subprocess
import sys

import numpy as np
import pytest
from images import write_digit_folder
from PIL import Image
from run_support import RUN_TIMEOUT_S, hpogen

from hpogen.dataset import bundle_data, bundle_images
from hpogen.dataset.spec import DatasetSpec
from hpogen.run.data import load_run_data


def _generate(tmp_path, folder, *extra):
    result = hpogen("generate", "--data", folder, "--out", tmp_path / "bundle", *extra)
    assert result.returncode == 0, result.stderr
    spec = json.loads((tmp_path / "bundle" / "hpogen.lock.json").read_text())["spec"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("hpogen: warning: ")]
    assert "Traceback" not in result.stderr
    return spec, warnings


def test_corrupt_files_are_counted_named_and_skipped(tmp_path):
    folder = write_digit_folder(tmp_path / "digits", odd=False)
    (folder / "class_2" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "class_5" / "notes.jpg").write_text("a text file with an image suffix")
    spec, warnings = _generate(tmp_path, folder)
    assert spec["n_samples"] == 122 and spec["image_shape"] == [1, 8, 8]
    assert warnings == [
        f"hpogen: warning: 2 of 122 sampled images cannot be read and are skipped: "
        f"{folder}/class_2/broken.png, {folder}/class_5/notes.jpg"
    ]
    data = bundle_images.read_image_folder(folder, (1, 8, 8), cache_dir=tmp_path / "cache")
    assert len(data["y"]) == 120 and isinstance(data["X"], np.memmap)
    assert "skipped 2 images that cannot be decoded" in data["notes"][-1]


def test_empty_class_folders_are_left_out_with_a_warning(tmp_path):
    folder = write_digit_folder(tmp_path / "digits", per_class=3, odd=False)
    for name in ("class_empty", "zz_also_empty"):
        (folder / name).mkdir()
        (folder / name / "readme.txt").write_text("no images here")
    spec, warnings = _generate(tmp_path, folder)
    assert spec["n_classes"] == 10
    assert warnings == [f"hpogen: warning: {folder}: left out 2 empty class folders: class_empty, zz_also_empty"]


def test_mixed_sizes_and_modes_are_reported_and_resized(tmp_path):
    folder = write_digit_folder(tmp_path / "digits", per_class=4, odd=True)
    spec, warnings = _generate(tmp_path, folder)
    assert spec["image_shape"] == [3, 8, 8]
    assert warnings == [
        f"hpogen: warning: image sizes differ (2 sizes among 40 sampled; {folder}/class_4/000.png is 16x16): "
        "every image is resized to 8x8",
        "hpogen: warning: image modes differ (L: 39, RGB: 1 of 40 sampled): all are read as RGB",
    ]


def test_a_folder_of_only_unreadable_files_is_one_line(tmp_path):
    for label in ("a", "b"):
        (tmp_path / "bad" / label).mkdir(parents=True)
        (tmp_path / "bad" / label / "x.png").write_bytes(b"nothing")
    result = hpogen("generate", "--data", tmp_path / "bad", "--out", tmp_path / "bundle")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and lines == [
        f"hpogen: error: none of 2 sampled images can be read, e.g. {tmp_path}/bad/a/x.png, {tmp_path}/bad/b/x.png"
    ]
    assert not (tmp_path / "bundle").exists()


def test_train_and_test_folders_are_a_given_test_split(tmp_path):
    write_digit_folder(tmp_path / "set" / "train", per_class=6, odd=False)
    write_digit_folder(tmp_path / "set" / "test", per_class=2, odd=False)
    spec, _ = _generate(tmp_path, tmp_path / "set")
    assert spec["has_test_split"] is True and spec["n_samples"] == 60 and spec["n_classes"] == 10
    data = load_run_data(DatasetSpec.from_dict(spec), tmp_path / "set", None, None, seed=0,
                         cache_dir=tmp_path / "cache")
    assert data.test_from_data and len(data.y) == 60 and len(data.y_test) == 20
    assert sorted(set(data.y_test)) == [f"class_{k}" for k in range(10)]


def test_cache_is_decoded_once_then_mapped(tmp_path, monkeypatch):
    folder = write_digit_folder(tmp_path / "digits", per_class=5, odd=False)
    first = bundle_images.read_image_folder(folder, (1, 8, 8), cache_dir=tmp_path / "cache")
    in_memory = bundle_images.read_image_folder(folder, (1, 8, 8))

    def no_decoding(*args, **kwargs):
        raise AssertionError("the cache should have been reused")

    monkeypatch.setattr(bundle_images, "decode_images", no_decoding)
    again = bundle_images.read_image_folder(folder, (1, 8, 8), cache_dir=tmp_path / "cache")
    assert isinstance(again["X"], np.memmap) and not isinstance(in_memory["X"], np.memmap)
    np.testing.assert_array_equal(again["X"], in_memory["X"])
    np.testing.assert_array_equal(again["y"], in_memory["y"])
    assert again["fingerprint"] == first["fingerprint"]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [first["fingerprint"][:24]]
    # a changed file is a new key: decoded again
    Image.new("L", (8, 8), 255).save(folder / "class_0" / "000.png")
    monkeypatch.undo()
    changed = bundle_images.read_image_folder(folder, (1, 8, 8), cache_dir=tmp_path / "cache")
    assert changed["fingerprint"] != first["fingerprint"] and changed["X"][0].min() == 255


@pytest.mark.parametrize("form", ["npz", "npy_folder"])
def test_large_arrays_are_memory_mapped(tmp_path, monkeypatch, form):
    X = np.arange(60 * 64, dtype=np.float32).reshape(60, 1, 8, 8)
    y = np.arange(60) % 3
    if form == "npz":
        path = tmp_path / "big.npz"
        np.savez(path, X=X, y=y)
        monkeypatch.setattr(bundle_data, "MMAP_BYTES", 1024)
    else:
        path = tmp_path / "arrays"
        path.mkdir()
        np.save(path / "X.npy", X)
        np.save(path / "y.npy", y)
    data = bundle_data.read_data(path)
    assert isinstance(data["X"], np.memmap) and data["kind"] == "image" and data["image_shape"] == (1, 8, 8)
    np.testing.assert_array_equal(data["X"], X)
    np.testing.assert_array_equal(data["y"], y)


def _low_file_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


@pytest.mark.slow
def test_thousands_of_images_under_a_low_open_file_limit(tmp_path):
    folder = tmp_path / "many"
    rng = np.random.default_rng(0)
    for label in range(4):
        (folder / f"c{label}").mkdir(parents=True)
        for k in range(750):
            pixels = (rng.integers(0, 60, (6, 6)) + 60 * label).astype("uint8")
            Image.fromarray(pixels, mode="L").save(folder / f"c{label}" / f"{k:04d}.png")
    for args in (["generate", "--data", folder, "--out", tmp_path / "bundle"],
                 ["run", tmp_path / "bundle", "--data", folder, "--n-trials", "1", "--out", tmp_path / "run"]):
        result = subprocess.run([sys.executable, "-m", "hpogen", *map(str, args)], capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S, preexec_fn=_low_file_limit)
        assert result.returncode == 0, result.stderr
        assert "Too many open files" not in result.stderr
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["data"]["n_trainval"] + results["data"]["n_test"] == 3000
    assert results["test_metrics"]["accuracy"] > 0.5


@pytest.mark.slow
def test_a_run_from_the_cache_scores_as_the_in_memory_arrays_do(tmp_path):
    folder = write_digit_folder(tmp_path / "digits", per_class=20, odd=False)
    _generate(tmp_path, folder)
    decoded = bundle_images.read_image_folder(folder, (1, 8, 8))  # in memory, no cache
    np.savez(tmp_path / "decoded.npz", X=np.asarray(decoded["X"]), y=decoded["y"])
    scores = {}
    for name, data in (("cache", folder), ("memory", tmp_path / "decoded.npz")):
        result = hpogen("run", tmp_path / "bundle", "--data", data, "--n-trials", 2, "--out", tmp_path / name)
        assert result.returncode == 0, result.stderr
        scores[name] = json.loads((tmp_path / name / "results.json").read_text())["test_metrics"]
    assert (tmp_path / "bundle" / "runs" / "data-cache").is_dir()
    assert scores["cache"]["accuracy"] == pytest.approx(scores["memory"]["accuracy"], abs=0.02)
    assert scores["cache"]["loss"] == pytest.approx(scores["memory"]["loss"], rel=0.05)
