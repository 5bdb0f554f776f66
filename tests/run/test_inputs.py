"""`hpogen run` refuses bad input with one stderr line and exit 2, and leaves no output folder behind.

Every check here happens before SMAC or torch are imported, so most cases run in process
through the CLI entry point; one case runs as a real process to show there is no traceback.
"""

import shutil
import sys

import numpy as np
import pytest
from run_support import assert_one_line_error, bundle, hpogen

from hpogen.cli import main


@pytest.fixture(scope="module")
def image_bundle(tmp_path_factory):
    return bundle("image", tmp_path_factory)


@pytest.fixture(scope="module")
def tabular_bundle(tmp_path_factory):
    return bundle("tabular", tmp_path_factory)


def run_in_process(monkeypatch, capsys, *args) -> str:
    """`hpogen run ARGS` through main(); returns its one error line (asserting exit 2)."""
    monkeypatch.setattr(sys, "argv", ["hpogen", "run", *map(str, args)])
    with pytest.raises(SystemExit) as stopped:
        main()
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert stopped.value.code == 2, captured.err
    assert len(lines) == 1 and lines[0].startswith("hpogen: error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_missing_bundle_folder_as_a_real_process(tmp_path):
    result = hpogen("run", tmp_path / "nowhere", "--out", tmp_path / "out", timeout=120)
    assert_one_line_error(result, "bundle folder not found")
    assert not (tmp_path / "out").exists()


def test_folder_that_is_not_a_bundle(monkeypatch, capsys, tmp_path):
    (tmp_path / "b").mkdir()
    line = run_in_process(monkeypatch, capsys, tmp_path / "b", "--out", tmp_path / "out")
    assert "not an hpogen bundle" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_tampered_bundle(monkeypatch, capsys, tmp_path, tabular_bundle, change):
    copy = tmp_path / "b"
    shutil.copytree(tabular_bundle, copy)
    if change == "edit":
        with (copy / "train.py").open("a") as file:
            file.write("\n# changed by hand\n")
        expected = "was modified: train.py"
    else:
        (copy / "scenario.py").unlink()
        expected = "was modified: scenario.py is missing"
    line = run_in_process(monkeypatch, capsys, copy)
    assert expected in line
    assert not (copy / "runs").exists()


def _npz(path, X, y):
    np.savez(path, X=X, y=y)
    return path


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        ("image", ["--dataset", "breast_cancer"], "holds tabular data, but bundle 'digits' was made for image data"),
        ("tabular", ["--dataset", "wine"], "X has 13 features, but bundle 'breast_cancer' expects 30"),
        ("tabular", ["classes.npz"], "y has 3 classes, but bundle 'breast_cancer' was made for 2"),
        ("image", ["shape.npz"], "images are 1x10x10, but bundle 'digits' expects 1x8x8"),
        ("image", ["flat.npz"], "X rows have 50 values, not 64"),
        ("tabular", ["missing.npz"], "data file not found"),
    ],
)
def test_data_that_does_not_fit_the_bundle(monkeypatch, capsys, tmp_path, tmp_path_factory, kind, data, expected):
    rng = np.random.default_rng(0)
    _npz(tmp_path / "classes.npz", rng.normal(size=(60, 30)), np.arange(60) % 3)
    _npz(tmp_path / "shape.npz", rng.normal(size=(40, 1, 10, 10)), np.arange(40) % 10)
    _npz(tmp_path / "flat.npz", rng.normal(size=(40, 50)), np.arange(40) % 10)
    if data[0] != "--dataset":
        data = ["--data", tmp_path / data[0]]
    folder = bundle(kind, tmp_path_factory)
    line = run_in_process(monkeypatch, capsys, folder, *data, "--out", tmp_path / "out")
    assert expected in line
    assert not (tmp_path / "out").exists()


def test_unwritable_output_folder(monkeypatch, capsys, tmp_path, tabular_bundle):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    line = run_in_process(monkeypatch, capsys, tabular_bundle, "--out", blocker / "run")
    assert "cannot write to output folder" in line
    assert blocker.read_text() == "not a folder"


def test_workers_and_scheduler_file_together(monkeypatch, capsys, tmp_path, tabular_bundle):
    scheduler = tmp_path / "scheduler.json"
    scheduler.write_text("{}")
    line = run_in_process(
        monkeypatch, capsys, tabular_bundle, "--n-workers", 2, "--dask-scheduler-file", scheduler, "--out", tmp_path / "out"
    )
    assert "give only one of --n-workers and --dask-scheduler-file" in line
    assert not (tmp_path / "out").exists()


def test_used_output_folder_needs_resume(monkeypatch, capsys, tmp_path, tabular_bundle):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    line = run_in_process(monkeypatch, capsys, tabular_bundle, "--out", out)
    assert "exists and is not empty" in line and "--resume" in line
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--resume"], "nothing to resume"),
        (["--n-trials", "0"], "--n-trials must be at least 1"),
        (["--walltime", "-5"], "--walltime must be a positive number"),
        (["--data", "x.npz", "--dataset", "wine"], "give only one of --data and --dataset"),
    ],
)
def test_impossible_flags(monkeypatch, capsys, tmp_path, tabular_bundle, args, expected):
    line = run_in_process(monkeypatch, capsys, tabular_bundle, *args, "--out", tmp_path / "out")
    assert expected in line
    assert not (tmp_path / "out").exists()


def test_resume_of_a_folder_without_a_run(monkeypatch, capsys, tmp_path, tabular_bundle):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    line = run_in_process(monkeypatch, capsys, tabular_bundle, "--resume", "--out", out)
    assert "holds no hpogen run" in line
