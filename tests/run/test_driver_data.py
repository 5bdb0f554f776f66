"""run_hpo.py reads what `hpogen run` reads: the same arrays and the same held-out rows from a CSV,
a folder of images, an .npz and the embedded set, with no hpogen import in the driver's process."""

import ast
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from images import write_digit_folder
from run_support import RUN_TIMEOUT_S, bundle, hpogen

from hpogen.dataset import bundle_data
from hpogen.run.bundle import open_bundle
from hpogen.run.data import load_run_data

SEED = 3

# Runs in a fresh process with hpogen unimportable: the driver's optimisation data, pickled.
_DRIVER_DATA = """
import pickle, sys
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "hpogen":
            raise ImportError("hpogen is blocked for this test")
sys.meta_path.insert(0, Blocked())
folder, out, *argv = sys.argv[1:]
sys.path.insert(0, folder)
import run_hpo
args = run_hpo.parse_args(argv)
import numpy as np
parts = run_hpo.optimisation_data(args)  # images of a folder's cache come as row views of it
parts = [{k: np.asarray(v) if type(v).__name__ == "RowView" else v for k, v in part.items()} for part in parts]
with open(out, "wb") as handle:
    pickle.dump(parts, handle)
"""


def _driver_data(folder: Path, tmp_path: Path, *argv: str) -> tuple[dict, dict]:
    out = tmp_path / "driver-data.pickle"
    result = subprocess.run(
        [sys.executable, "-c", _DRIVER_DATA, str(folder), str(out), "--seed", str(SEED),
         "--out", str(tmp_path / "unused-run"), *argv],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    with out.open("rb") as handle:
        return pickle.load(handle)


def _assert_same(driver_part: dict, X, y) -> None:
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(driver_part["X"], X)
        pd.testing.assert_series_equal(driver_part["y"], y)
    else:
        assert driver_part["X"].dtype == X.dtype and driver_part["X"].shape == X.shape
        np.testing.assert_array_equal(driver_part["X"], X)
        np.testing.assert_array_equal(driver_part["y"], y)


def _generate(tmp_path: Path, *args: str) -> Path:
    folder = tmp_path / "bundle"
    result = hpogen("generate", *args, "--out", folder)
    assert result.returncode == 0, result.stderr
    return folder


def messy_csv(path: Path) -> Path:
    """breast_cancer with string labels, a text column with gaps and numeric gaps."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame.iloc[:240].copy()
    frame["diagnosis"] = np.where(frame.pop("target") == 1, "benign", "malignant")
    rng = np.random.default_rng(0)
    frame["site"] = rng.choice(np.array(["north", "south", "east", None], dtype=object), len(frame))
    frame.loc[rng.random(len(frame)) < 0.1, "mean radius"] = np.nan
    frame.to_csv(path, index=False)
    return path


def _compare(folder: Path, data: Path | None, tmp_path: Path, target: str | None = None) -> tuple:
    argv = ([] if data is None else ["--data", str(data)]) + ([] if target is None else ["--target", target])
    trainval, test = _driver_data(folder, tmp_path, *argv)
    ours = load_run_data(open_bundle(folder).spec, data, None, target, SEED)
    _assert_same(trainval, ours.X, ours.y)
    _assert_same(test, ours.X_test, ours.y_test)
    return trainval, test, ours


def test_csv_gives_the_same_frames_and_split(tmp_path):
    csv = messy_csv(tmp_path / "cancer.csv")
    before = csv.read_bytes()
    folder = _generate(tmp_path, "--data", str(csv), "--target", "diagnosis")
    trainval, test, ours = _compare(folder, csv, tmp_path, "diagnosis")
    assert len(test["y"]) == 48 and len(trainval["y"]) == 192 and not ours.test_from_data
    assert trainval["X"]["site"].isna().any() and trainval["X"]["mean radius"].isna().any()
    assert csv.read_bytes() == before


def test_image_folder_gives_the_same_images_and_split(tmp_path):
    images = write_digit_folder(tmp_path / "digits")
    folder = _generate(tmp_path, "--data", str(images))
    trainval, test, _ = _compare(folder, images, tmp_path)
    # one RGB image makes the folder RGB; the 16x16 one is resized to the common 8x8
    assert trainval["X"].dtype == np.uint8 and trainval["X"].shape[1:] == (3, 8, 8)
    assert len(trainval["y"]) + len(test["y"]) == 120 and set(test["y"]) == {f"class_{k}" for k in range(10)}


@pytest.mark.parametrize("layout", ["flat", "own_test_split"])
def test_npz_gives_the_same_arrays_and_split(tmp_path, tmp_path_factory, layout):
    from sklearn.datasets import load_digits

    digits = load_digits()
    path = tmp_path / "digits.npz"
    if layout == "flat":
        np.savez(path, X=digits.data[:300], y=digits.target[:300])
    else:
        np.savez(path, X=digits.images[:300, None], y=digits.target[:300],
                 X_test=digits.images[300:400, None], y_test=digits.target[300:400])
    trainval, test, ours = _compare(bundle("image", tmp_path_factory), path, tmp_path)
    assert ours.test_from_data == (layout == "own_test_split")
    assert len(test["y"]) == (100 if layout == "own_test_split" else 60)


def test_embedded_set_gives_the_same_arrays_and_split(tmp_path, tmp_path_factory):
    trainval, test, _ = _compare(bundle("tabular", tmp_path_factory), None, tmp_path)
    assert len(trainval["y"]) + len(test["y"]) == 569


@pytest.mark.parametrize("name", ["bundle_data.py", "bundle_images.py", "bundle_rows.py", "bundle_tables.py"])
def test_bundles_carry_hpogens_readers_unchanged(tmp_path_factory, name):
    source = (Path(bundle_data.__file__).parent / name).read_text(encoding="utf-8")
    for kind in ("image", "tabular"):
        assert (bundle(kind, tmp_path_factory) / name).read_text(encoding="utf-8") == source
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            # one relative import, with the bundle's absolute one as its fallback
            imported.add("." if node.level else node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
    assert "hpogen" not in imported
    needs = {
        "bundle_data.py": {"numpy", "sklearn", "pandas", "bundle_images", "bundle_rows", "bundle_tables", "."},
        "bundle_images.py": {"numpy", "PIL"},
        "bundle_rows.py": {"numpy", "mmap"},
        "bundle_tables.py": {"numpy", "pandas", "bundle_images", "."},
    }
    assert needs[name] <= imported


@pytest.mark.parametrize(
    ("make", "argv", "fragments"),
    [
        (None, ["--data", "missing.csv", "--target", "y"], ("data file not found",)),
        ("csv", ["--data", "cancer.csv"], ("a CSV needs --target",)),
        ("csv", ["--data", "cancer.csv", "--target", "nope"], ("no column 'nope'",)),
        ("folder", ["--data", "digits"], ("holds image data", "tabular data")),
    ],
)
def test_driver_refuses_bad_data_in_one_line(tmp_path, tmp_path_factory, make, argv, fragments):
    if make == "csv":
        messy_csv(tmp_path / "cancer.csv")
    elif make == "folder":
        write_digit_folder(tmp_path / "digits", per_class=2)
    folder = bundle("tabular", tmp_path_factory)
    result = subprocess.run(
        [sys.executable, str(folder / "run_hpo.py"), *argv, "--out", str(tmp_path / "run")],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S, cwd=tmp_path,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("run_hpo.py: ") and all(f in lines[0] for f in fragments), lines[0]
    assert not (tmp_path / "run" / "results.json").exists()


@pytest.mark.slow
def test_driver_and_hpogen_run_optimise_a_csv_alike(tmp_path):
    csv = messy_csv(tmp_path / "cancer.csv")
    folder = _generate(tmp_path, "--data", str(csv), "--target", "diagnosis")
    common = ["--data", str(csv), "--target", "diagnosis", "--n-trials", "2", "--walltime", "600"]
    driver = subprocess.run(
        [sys.executable, str(folder / "run_hpo.py"), *common, "--out", str(tmp_path / "driver")],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S, cwd=tmp_path,
    )
    assert driver.returncode == 0, driver.stderr
    ours = hpogen("run", folder, *common, "--out", tmp_path / "ours")
    assert ours.returncode == 0, ours.stderr
    standalone = json.loads((tmp_path / "driver" / "results.json").read_text())
    run = json.loads((tmp_path / "ours" / "results.json").read_text())
    assert (standalone["n_trainval"], standalone["n_test"]) == (run["data"]["n_trainval"], run["data"]["n_test"])
    assert 0.5 <= standalone["test_metrics"]["accuracy"] <= 1.0
    assert 0.5 <= run["test_metrics"]["accuracy"] <= 1.0


def test_only_image_trials_train_at_the_search_resolution():
    trainval = {"X": np.zeros((4, 1, 8, 8)), "y": np.arange(4)}
    image, tabular = bundle_data.for_search(trainval, "image"), bundle_data.for_search(trainval, "tabular")
    assert image["resolution"] == "search" and image["X"] is trainval["X"]
    assert "resolution" not in tabular and "resolution" not in trainval  # the refit's data stays final


def test_a_search_with_a_wall_time_tells_its_trials_when_it_ends():
    """dataset["deadline"] is now + the wall time (seconds since the epoch); without a finite
    wall time there is none, and the caller's data never gets one."""
    import time

    trainval = {"X": np.zeros((4, 1, 8)), "y": np.arange(4)}
    before = time.time()
    search = bundle_data.for_search(trainval, "time_series", 60.0)
    assert before + 60.0 <= search["deadline"] <= time.time() + 60.0
    assert "deadline" not in trainval
    assert "deadline" not in bundle_data.for_search(trainval, "time_series", float("inf"))
    assert "deadline" not in bundle_data.for_search(trainval, "tabular")
