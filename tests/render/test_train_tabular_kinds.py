"""The tabular train.py on tables as they come: every column kind, LightGBM, k-fold scoring.

Rendered train.py files run in driver processes (tests/support/tabular_driver.py), on a seeded
table that holds free text, a date, a high-cardinality string, a yes/no column, a category, a
row counter and a constant; its target follows the maker word inside the text, the month and
the city, so dropping what a kind's features carry shows in the loss.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from tabular_data import KINDS
from tabular_driver import SMALLEST_BUDGET, render_bundle, run_drivers, space_args

pytestmark = pytest.mark.slow

FAMILIES = ["lightgbm", "hist_gradient_boosting", "random_forest", "svm", "linear", "mlp"]
ALL_KINDS = {**KINDS, "km": "numeric"}


def _jobs(prefix: str, dataset: str, **extra) -> list[dict]:
    return [{"name": f"{prefix}/{family}", "dataset": dataset, "values": {"algorithm": family},
             "budget": SMALLEST_BUDGET, **extra} for family in FAMILIES]


def _batches(root) -> list[list[dict]]:
    groups = []
    for task in ("regression", "classification"):
        args = space_args(task, FAMILIES, column_kinds=ALL_KINDS, cv_folds=5)
        jobs = _jobs(task, f"kinds_{task}")
        jobs.append({"name": f"{task}/sampled", "kind": "sweep", "dataset": f"kinds_{task}",
                     "samples": 12, "budget": SMALLEST_BUDGET})
        if task == "regression":
            frequency = {"algorithm": "lightgbm", "high_cardinality_encoding": "frequency"}
            jobs += [
                {"name": "lgb_full", "dataset": "kinds_regression", "values": {"algorithm": "lightgbm"}},
                {"name": "lgb_frequency", "dataset": "kinds_regression", "values": frequency},
                {"name": "lgb_without_text", "dataset": "kinds_without_name",
                 "values": {"algorithm": "lightgbm"}},
                {"name": "lgb_saved", "dataset": "kinds_regression", "values": {"algorithm": "lightgbm"},
                 "model_dir": str(root / "lgb_model")},
                {"name": "lgb_again", "dataset": "kinds_regression", "values": {"algorithm": "lightgbm"}},
            ]
        groups.append({"train_py": str(render_bundle(root / task, args)), "space": args, "jobs": jobs})
    return [[groups[0]], [groups[1]]]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("kinds")
    found = run_drivers(root, _batches(root))
    found["_root"] = str(root)
    return found


def _ok(results: dict, name: str) -> dict:
    outcome = results[name]
    assert "error" not in outcome, outcome.get("error")
    assert outcome["native"], outcome["result"]
    return outcome["result"]


@pytest.mark.parametrize("task", ["regression", "classification"])
@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_trains_on_every_column_kind(results, task, family):
    result = _ok(results, f"{task}/{family}")
    assert math.isfinite(result["loss"])
    assert result["cv_folds"] == 5  # 240 rows, no validation part: k-fold scoring
    assert 0.0 <= result["loss_std"] <= max(result["loss"], 1.0) * 5


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_sampled_configurations_on_every_column_kind(results, task):
    outcomes = results[f"{task}/sampled"]["outcomes"]
    failures = [o for o in outcomes if "error" in o]
    assert not failures, failures[0]["error"]
    assert len(outcomes) == 12
    assert all(math.isfinite(o["result"]["loss"]) for o in outcomes)


def test_text_features_carry_the_maker(results):
    """The maker is only in the free-text name: without its n-grams the error grows."""
    with_text = _ok(results, "lgb_full")["loss"]
    without_text = _ok(results, "lgb_without_text")["loss"]
    assert with_text < 0.8 * without_text, (with_text, without_text)


def test_high_cardinality_encodings_both_learn(results):
    target = _ok(results, "lgb_full")["loss"]
    frequency = _ok(results, "lgb_frequency")["loss"]
    assert target < 0.6 and frequency < 0.6, (target, frequency)


def test_lightgbm_stops_early_and_refits_for_the_best_round(results):
    full = _ok(results, "lgb_full")
    assert 1 <= full["best_epoch"] < 1000
    assert full["epochs_completed"] < 1000  # early stopping ended the 1000 rounds
    assert _ok(results, "lgb_again") == {**full, "training_time": _ok(results, "lgb_again")["training_time"]}


def test_saved_lightgbm_model_uses_the_split_and_writes_its_booster(results):
    from pathlib import Path

    saved = _ok(results, "lgb_saved")
    assert "cv_folds" not in saved  # a call that saves its model scores on the 80/20 split
    folder = Path(results["_root"]) / "lgb_model"
    assert (folder / "model.txt").read_text().startswith("tree")
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["algorithm"] == "lightgbm"
    assert metadata["n_input_columns"] == 11  # 8 columns - row counter - constant + 5 more date parts


def test_families_without_torch_never_import_it(tmp_path):
    """A bundle whose space lacks the MLP trains without torch being imported."""
    path = render_bundle(tmp_path, space_args("regression", ["lightgbm", "linear"], column_kinds=ALL_KINDS,
                                              cv_folds=5))
    code = (
        "import importlib.util, sys; sys.path.insert(0, sys.argv[2]);"
        "from tabular_data import build_dataset;"
        "spec = importlib.util.spec_from_file_location('t', sys.argv[1]); m = importlib.util.module_from_spec(spec);"
        "spec.loader.exec_module(m);"
        "r = m.train({'algorithm': 'lightgbm'}, build_dataset('kinds_regression'), 0);"
        "print(r['loss'], 'torch' in sys.modules, 'lightgbm' in sys.modules)"
    )
    from tabular_driver import SUPPORT_DIR

    done = subprocess.run([sys.executable, "-c", code, str(path), str(SUPPORT_DIR)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    loss, torch_imported, lightgbm_imported = done.stdout.split()
    assert math.isfinite(float(loss))
    assert (torch_imported, lightgbm_imported) == ("False", "True")
