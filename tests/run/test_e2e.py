"""End to end: `hpogen generate`, then `hpogen run` and the standalone driver, with real SMAC and torch."""

import json
import subprocess
import sys

import numpy as np
import pytest
from run_support import RUN_TIMEOUT_S, assert_run_results, bundle, hpogen

pytestmark = pytest.mark.slow


def _small_digits(path):
    """400 digits (40 per class) as an .npz: CI-sized, same 1x8x8 shape and 10 classes as the bundle."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rows = np.concatenate([np.flatnonzero(digits.target == label)[:40] for label in range(10)])
    np.savez(path, X=digits.images[rows].astype("float32"), y=digits.target[rows])
    return path


@pytest.mark.parametrize(
    ("kind", "name", "n_trials"),
    [("image", "digits", 3), ("tabular", "breast_cancer", 4)],
)
def test_run_end_to_end(tmp_path, tmp_path_factory, kind, name, n_trials):
    folder = bundle(kind, tmp_path_factory)
    out = tmp_path / "run"
    data = ["--data", _small_digits(tmp_path / "digits.npz")] if kind == "image" else []
    result = hpogen("run", folder, *data, "--n-trials", n_trials, "--walltime", 600, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    results = assert_run_results(out, name)
    assert results["n_trials"] == n_trials
    assert results["trials_run"] <= n_trials
    expected_source = str(tmp_path / "digits.npz") if kind == "image" else f"embedded:{name}"
    assert results["data"]["source"] == expected_source
    assert results["data"]["n_test"] > 0 and results["data"]["n_trainval"] > results["data"]["n_test"]
    assert "accuracy" in result.stdout and "results.json" in result.stdout
    record = json.loads((out / "hpogen_run.json").read_text())
    assert record["seed"] == 0 and record["n_trials"] == n_trials
    refit = results["final_fit"]
    if kind == "image":
        assert results["facade"] == "HyperbandFacade"
        assert results["search_top_budget"] == results["budgets"]["max_budget"]
        assert all(budget is not None for budget in _budgets(out, name))
        assert results["data"]["n_test"] == 80
        # the refit trains for the epochs early stopping chose in the search, on all 320 rows
        assert refit["budget"] == refit["best_epoch_in_search"] <= results["budgets"]["max_budget"]
        assert 1 <= results["test_metrics"]["epochs_completed"] <= refit["budget"]
        assert json.loads((out / "model" / "metadata.json").read_text())["image_shape"] == [1, 8, 8]
    else:
        assert results["facade"] == "HyperparameterOptimizationFacade"
        assert results["budgets"] is None and results["search_top_budget"] is None
        if results["incumbent"]["algorithm"] == "lightgbm":
            # boosting stops early: the refit trains the rounds the search chose, of the full 1000
            assert refit["budget"] == min(1.0, refit["best_epoch_in_search"] / 1000) > 0
        elif results["incumbent"]["algorithm"] == "mlp":
            assert 0 < refit["budget"] <= 1  # epochs early stopping chose, of the space's maximum
        else:
            assert refit["budget"] is None  # scikit-learn families never stop early: same budget
        assert json.loads((out / "model" / "metadata.json").read_text())["n_train_rows"] == refit["rows"]


def _budgets(out, name):
    history = json.loads((out / "smac3_output" / name / "0" / "runhistory.json").read_text())
    return [entry["budget"] for entry in history["data"]]


# Makes hpogen, rich, matplotlib, typer and libcst unimportable, then runs the driver as a script.
_WITHOUT_EXTRAS = """
import runpy, sys
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"hpogen", "rich", "matplotlib", "typer", "libcst"}:
            raise ImportError(f"{name} is blocked for this test")
sys.meta_path.insert(0, Blocked())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_standalone_driver_needs_only_smac_torch_and_sklearn(tmp_path, tmp_path_factory):
    folder = bundle("tabular", tmp_path_factory)
    out = tmp_path / "driver-run"
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRAS, str(folder / "run_hpo.py"), "--n-trials", "2", "--walltime", "600",
         "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["trials_run"] == sum(results["trial_counts"].values()) >= 1
    assert 0.0 <= results["test_metrics"]["accuracy"] <= 1.0
    assert results["total_epochs_trained"] > 0
    assert results["n_test"] > 0
    assert results["final_fit"]["rows"] == results["n_trainval"]
    assert (out / "smac3_output" / "breast_cancer" / "0" / "runhistory.json").is_file()
    assert not (out / "trajectory.png").exists()  # matplotlib was blocked: no plot, no failure
    assert json.loads(result.stdout)["incumbent"] == results["incumbent"]


def test_run_on_gunpoint_scores_the_given_test_split(tmp_path, tmp_path_factory):
    """The embedded default series set: the search sees the 50 given training series only, the
    incumbent is refit on them and scored on the 150 given test series."""
    folder = bundle("time_series", tmp_path_factory)
    out = tmp_path / "run"
    result = hpogen("run", folder, "--n-trials", 3, "--walltime", 600, "--out", out)
    assert result.returncode == 0, result.stderr
    results = assert_run_results(out, "gunpoint")  # the bundle's slug names the SMAC run
    assert results["data"]["source"] == "embedded:GunPoint"
    assert (results["data"]["n_trainval"], results["data"]["n_test"]) == (50, 150)
    assert results["data"]["test_split"] == "the data's own test split"
    assert results["facade"] == "HyperparameterOptimizationFacade" and results["incumbent"]["algorithm"] in (
        "rocket", "intervals", "cnn")
    # the default configuration (MiniRocket) runs first; published MiniRocket gets about 0.98 here
    assert results["test_metrics"]["accuracy"] >= 0.9
    assert {"precision_class_1", "recall_class_2"} <= set(results["test_metrics"])
