"""The rendered tabular train.py, run for real in subprocesses (generated code never runs here).

Each test renders templates/bundle/train_tabular.py into a temporary bundle, and driver
processes (tests/support/tabular_driver.py) run jobs on it and report one JSON line each.

Observable fidelity for data_fraction families: `metadata.json` (written with model_dir)
records `n_train_rows`, the rows the model was actually fitted on.
"""

from __future__ import annotations

import ast
import json
import math
import subprocess
from pathlib import Path

import pytest
from contract import REGRESSION_KEYS, classification_keys
from tabular_driver import (
    ALL_FAMILIES,
    ROOT,
    SMALLEST_BUDGET,
    render_bundle,
    run_drivers,
    space_args,
)

from hpogen.formatting import ruff_binary, template_source
from hpogen.render.train import render_tabular_train


def ok(results: dict, name: str) -> dict:
    """The result dict of a single run, after checking the run neither failed nor leaked numpy."""
    entry = results[name]
    assert "error" not in entry, entry.get("error")
    assert entry["native"], f"{name}: non-native values in {entry['result']}"
    result = entry["result"]
    assert math.isfinite(result["loss"]), result
    return result


# ----------------------------------------------------------------------------- static checks


def test_template_parses_as_is():
    tree = ast.parse(template_source("bundle/train_tabular.py"))
    assigned = {
        target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets
    }
    assert {"TASK", "DEFAULTS", "FIDELITY"} <= assigned


def test_rendered_bundle_is_ruff_clean_and_filled(tmp_path):
    for task in ("classification", "regression"):
        path = render_bundle(tmp_path / task, space_args(task, missing=True, categorical=True))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        }
        assert ast.literal_eval(constants["TASK"]) == task
        assert ast.literal_eval(constants["FIDELITY"])["hist_gradient_boosting"] == [
            "max_iter",
            512,
        ]
        assert ast.literal_eval(constants["DEFAULTS"])["imputer"] == "median"
    config = ROOT / "src" / "hpogen" / "ruff_generated.toml"
    check = subprocess.run(
        [ruff_binary(), "check", "--config", str(config), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    source = (tmp_path / "classification" / "train.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("exec", "eval"), node.func.id
    assert not imported & {"pickle", "joblib", "cloudpickle", "dill"}


@pytest.mark.parametrize(
    ("task", "fidelity"),
    [("ranking", {"svm": ["data_fraction", 1.0]}), ("regression", {"svm": ["budget", 1.0]})],
)
def test_render_rejects_bad_inputs(task, fidelity):
    with pytest.raises(ValueError):
        render_tabular_train(task, {"algorithm": "svm"}, fidelity)


def assert_clean_outcomes(outcomes: list[dict], keys: set[str], expected: int) -> None:
    failures = [outcome for outcome in outcomes if "error" in outcome]
    assert not failures, (
        f"{len(failures)} failures, first: {failures[0]['config']}\n{failures[0]['error']}"
    )
    assert len(outcomes) == expected
    for outcome in outcomes:
        assert outcome["native"]
        assert set(outcome["result"]) == keys
        assert math.isfinite(outcome["result"]["loss"])


# ----------------------------------------------------------------------------- behaviour


def _family_jobs(prefix: str, dataset: str, families=ALL_FAMILIES, **extra) -> list[dict]:
    return [
        {"name": f"{prefix}/{family}", "dataset": dataset, "values": {"algorithm": family}, **extra}
        for family in families
    ]


@pytest.fixture(scope="module")
def behaviour(tmp_path_factory) -> dict:
    """Every job the behaviour tests below look at, run by two driver processes side by side."""
    root = tmp_path_factory.mktemp("tabular")
    results = run_drivers(root, behaviour_batches(root))
    results["_root"] = str(root)
    return results


def _job(name: str, dataset: str, values: dict, **extra) -> dict:
    return {"name": name, "dataset": dataset, "values": values, **extra}


MLP = {"algorithm": "mlp", "mlp_learning_rate": 0.003, "mlp_units": 64}
SMALL = {"budget": SMALLEST_BUDGET}


def _edge_data_jobs(root: Path) -> list[dict]:
    """Every family on awkward classification data, and the dataset-dict variants."""
    jobs = []
    for name in ("single_feature", "two_classes", "ten_unbalanced", "one_sample_class", "string_labels", "numpy_object"):
        jobs += _family_jobs(name, name, **SMALL)
    return [
        *jobs,
        *_family_jobs("without_test", "breast_cancer", ["svm"], budget=1.0, model_dir=str(root / "no_test")),
        *_family_jobs("with_test", "breast_cancer_with_test", ["svm"], budget=1.0, model_dir=str(root / "test")),
        *_family_jobs("val_and_test", "breast_cancer_val_and_test", ["svm", "mlp"], budget=1.0,
                      model_dir=str(root / "val_and_test")),
        *_family_jobs("fit_and_test", "breast_cancer_fit_and_test", ["svm", "mlp"], budget=1.0),
        *_family_jobs("flipped_val", "breast_cancer_flipped_val", ["mlp"], budget=1.0),
        _job("tiny/mlp", "tiny", {**MLP, "mlp_batch_size": 512}, budget=1.0),
        _job("repeat/a", "two_classes", MLP, budget=0.3, seed=3),
        _job("repeat/b", "two_classes", MLP, budget=0.3, seed=3),
    ]


def _fidelity_and_saving_jobs(root: Path) -> list[dict]:
    """Each family at the smallest and the full budget, and models saved then read back."""
    return [
        _job("hgb/small", "breast_cancer", {"algorithm": "hist_gradient_boosting"}, **SMALL),
        _job("hgb/full", "breast_cancer", {"algorithm": "hist_gradient_boosting"}, budget=1.0),
        _job("rf/small", "breast_cancer", {"algorithm": "random_forest"}, **SMALL),
        _job("mlp/small", "breast_cancer", MLP, **SMALL),
        _job("svm/small", "breast_cancer", {"algorithm": "svm"}, **SMALL, model_dir=str(root / "svm_small")),
        _job("linear/small", "breast_cancer", {"algorithm": "linear"}, **SMALL, model_dir=str(root / "linear_small")),
        _job("save/mlp", "string_labels", MLP, **SMALL, model_dir=str(root / "save_mlp")),
        _job("save/hgb", "string_labels", {"algorithm": "hist_gradient_boosting"}, **SMALL,
             model_dir=str(root / "save_hgb")),
        {"name": "save/mlp/files", "kind": "torch_files", "folder": str(root / "save_mlp")},
        {"name": "save/hgb/reload", "kind": "skops_reload", "folder": str(root / "save_hgb"), "dataset": "string_labels"},
    ]


def _full_fidelity_jobs() -> list[dict]:
    return [
        _job("full/hgb", "breast_cancer", {"algorithm": "hist_gradient_boosting", "hgb_max_iter": 40}),
        _job("full/rf", "breast_cancer", {"algorithm": "random_forest", "rf_n_estimators": 60}),
        _job("full/mlp", "two_classes", {**MLP, "mlp_epochs": 12}),
    ]


def _regression_jobs(root: Path) -> list[dict]:
    """A constant target for every family, then MLP checkpoints reused across budgets (in order)."""
    checkpoints = str(root / "checkpoints")
    return [
        *_family_jobs("constant_target", "constant_target", **SMALL),
        _job("ckpt/straight", "diabetes", MLP, budget=0.333333),
        _job("ckpt/first", "diabetes", MLP, **SMALL, checkpoint_dir=checkpoints),
        _job("ckpt/second", "diabetes", MLP, budget=0.333333, checkpoint_dir=checkpoints),
        _job("ckpt/again", "diabetes", MLP, budget=0.333333, checkpoint_dir=checkpoints),
        _job("ckpt/smaller", "diabetes", MLP, **SMALL, checkpoint_dir=checkpoints),
        {"name": "ckpt/files", "kind": "torch_files", "folder": checkpoints},
    ]


def _mixed_jobs(task: str) -> list[dict]:
    """Pandas data with missing values and categorical columns, every family and a sampled sweep."""
    dataset = f"mixed_{task}"
    prefix = "mixed_cls" if task == "classification" else "mixed_reg"
    jobs = [*_family_jobs(prefix, dataset, **SMALL)]
    if task == "classification":
        ordinal = {"categorical_encoding": "ordinal", "imputer": "mean", "scaler": "none"}
        jobs += [{**job, "values": {**job["values"], **ordinal}}
                 for job in _family_jobs("mixed_cls_ordinal", dataset, **SMALL)]
        jobs += _family_jobs("mixed_no_test", "mixed_no_test", **SMALL)
    return [*jobs, {"name": f"{prefix}/sampled", "kind": "sweep", "dataset": dataset, "samples": 20, **SMALL}]


def behaviour_batches(root: Path) -> list[list[dict]]:
    """Job groups (bundle + space + jobs) for the behaviour tests, split into two batches."""
    groups = {}
    for name, args, jobs in [
        ("cls", space_args("classification"), [*_edge_data_jobs(root), *_fidelity_and_saving_jobs(root)]),
        ("full", space_args("classification", full_fidelity=True), _full_fidelity_jobs()),
        ("reg", space_args("regression"), _regression_jobs(root)),
        ("mixed_cls", space_args("classification", missing=True, categorical=True), _mixed_jobs("classification")),
        ("mixed_reg", space_args("regression", missing=True, categorical=True), _mixed_jobs("regression")),
    ]:
        train_py = str(render_bundle(root / name, args))
        groups[name] = {"train_py": train_py, "space": args, "jobs": jobs}
    # The checkpoint jobs stay in order inside the "reg" group.
    return [
        [groups["cls"], groups["full"]],
        [groups["reg"], groups["mixed_cls"], groups["mixed_reg"]],
    ]


@pytest.mark.parametrize(
    ("prefix", "labels"),
    [
        ("single_feature", ["0", "1"]),
        ("two_classes", ["0", "1"]),
        ("ten_unbalanced", [str(k) for k in range(10)]),
        ("one_sample_class", ["0", "1", "2"]),
        ("string_labels", ["bird", "cat", "dog"]),
        ("numpy_object", ["0", "1"]),
        ("mixed_cls", ["no", "yes"]),
        ("mixed_cls_ordinal", ["no", "yes"]),
        ("mixed_no_test", ["no", "yes"]),
    ],
)
def test_edge_classification_data_every_family(behaviour, prefix, labels):
    for family in ALL_FAMILIES:
        result = ok(behaviour, f"{prefix}/{family}")
        assert set(result) == classification_keys(labels), family
        assert 0.0 <= result["accuracy"] <= 1.0
        assert result["loss"] == pytest.approx(1.0 - result["accuracy"])


def test_separable_data_is_learned(behaviour):
    """The families really fit: well-separated blobs are classified far above chance."""
    for family in ALL_FAMILIES:
        assert ok(behaviour, f"two_classes/{family}")["accuracy"] >= 0.8, family


@pytest.mark.parametrize("prefix", ["mixed_reg", "constant_target"])
def test_edge_regression_data_every_family(behaviour, prefix):
    for family in ALL_FAMILIES:
        result = ok(behaviour, f"{prefix}/{family}")
        assert set(result) == REGRESSION_KEYS, family
        assert result["rmse"] >= 0 and math.isfinite(result["r2"])
        assert result["loss"] >= 0


@pytest.mark.parametrize(
    ("name", "keys"), [("mixed_cls/sampled", None), ("mixed_reg/sampled", REGRESSION_KEYS)]
)
def test_sampled_configurations_on_mixed_pandas_data(behaviour, name, keys):
    entry = behaviour[name]
    assert "error" not in entry, entry.get("error")
    assert_clean_outcomes(entry["outcomes"], keys or classification_keys(["no", "yes"]), 20)


def test_mlp_batch_larger_than_training_set(behaviour):
    result = ok(behaviour, "tiny/mlp")
    assert result["epochs_completed"] >= 1
    assert result["best_epoch"] >= 1


def test_with_and_without_x_test(behaviour):
    root = Path(behaviour["_root"])
    without = json.loads((root / "no_test" / "metadata.json").read_text())
    given = json.loads((root / "test" / "metadata.json").read_text())
    assert (without["n_train_rows"], without["n_validation_rows"]) == (455, 114)
    assert (given["n_train_rows"], given["n_validation_rows"]) == (400, 169)
    assert ok(behaviour, "without_test/svm") != ok(behaviour, "with_test/svm")


def test_validation_part_steers_training_and_test_part_is_scored(behaviour):
    """With X_val and X_test (hpogen run's final evaluation): fit on X, early-stop on X_val, score X_test."""
    root = Path(behaviour["_root"])
    metadata = json.loads((root / "val_and_test" / "metadata.json").read_text())
    assert (metadata["n_train_rows"], metadata["n_validation_rows"], metadata["n_scored_rows"]) == (300, 100, 169)
    # svm never looks at validation data: scoring the same test rows gives the same metrics
    with_val, without_val = ok(behaviour, "val_and_test/svm"), ok(behaviour, "fit_and_test/svm")
    with_val.pop("training_time"), without_val.pop("training_time")
    assert with_val == without_val
    # the mlp early-stops on X_val: inverted validation labels stop it after its first epochs
    flipped, plain = ok(behaviour, "flipped_val/mlp"), ok(behaviour, "fit_and_test/mlp")
    assert flipped["best_epoch"] <= 2 < plain["best_epoch"]
    assert flipped["epochs_completed"] < plain["epochs_completed"]
    assert flipped["accuracy"] < plain["accuracy"]  # the weights kept are the early, worse ones


def test_same_seed_gives_same_metrics(behaviour):
    first, second = ok(behaviour, "repeat/a"), ok(behaviour, "repeat/b")
    first.pop("training_time"), second.pop("training_time")
    assert first == second


# ----------------------------------------------------------------------------- fidelity


def test_boosting_and_forest_fidelity_follow_budget(behaviour):
    assert ok(behaviour, "hgb/small")["epochs_completed"] == round(SMALLEST_BUDGET * 512) == 57
    assert ok(behaviour, "hgb/full")["epochs_completed"] == 512
    assert ok(behaviour, "rf/small")["epochs_completed"] == round(SMALLEST_BUDGET * 500)


def test_mlp_epochs_follow_budget(behaviour):
    result = ok(behaviour, "mlp/small")
    assert 1 <= result["epochs_completed"] <= round(SMALLEST_BUDGET * 100)


def test_full_fidelity_space_uses_its_own_fidelity_values(behaviour):
    assert ok(behaviour, "full/hgb")["epochs_completed"] == 40
    assert ok(behaviour, "full/rf")["epochs_completed"] == 60
    assert 1 <= ok(behaviour, "full/mlp")["epochs_completed"] <= 12


@pytest.mark.parametrize("family", ["svm", "linear"])
def test_data_fraction_trains_on_fewer_rows(behaviour, family):
    root = Path(behaviour["_root"])
    small = json.loads((root / f"{family}_small" / "metadata.json").read_text())
    assert small["n_train_rows"] == round(SMALLEST_BUDGET * 455)
    assert small["n_validation_rows"] == 114
    assert small["row_fraction"] == pytest.approx(SMALLEST_BUDGET)
    ok(behaviour, f"{family}/small")


# ----------------------------------------------------------------------------- checkpoints


def test_mlp_checkpoint_resume_trains_only_missing_epochs(behaviour):
    straight = ok(behaviour, "ckpt/straight")
    first, second = ok(behaviour, "ckpt/first"), ok(behaviour, "ckpt/second")
    assert first["epochs_completed"] >= 1
    assert first["epochs_completed"] + second["epochs_completed"] == straight["epochs_completed"]
    assert second["epochs_completed"] < straight["epochs_completed"]
    for key in ("loss", "rmse", "mae", "r2", "best_epoch"):
        assert second[key] == straight[key], key


def test_mlp_checkpoint_already_covering_the_budget_trains_nothing(behaviour):
    straight, again = ok(behaviour, "ckpt/straight"), ok(behaviour, "ckpt/again")
    assert again["epochs_completed"] == 0
    assert again["loss"] == straight["loss"]


def test_mlp_checkpoint_past_the_budget_is_not_used(behaviour):
    first, smaller = ok(behaviour, "ckpt/first"), ok(behaviour, "ckpt/smaller")
    assert smaller["epochs_completed"] == first["epochs_completed"]
    assert smaller["loss"] == first["loss"]


def test_mlp_checkpoint_loads_with_weights_only(behaviour):
    files = behaviour["ckpt/files"]["files"]
    assert len(files) == 1, files
    name, saved = next(iter(files.items()))
    assert name.startswith("mlp_") and name.endswith(".pt")
    assert set(saved) == {"network", "optimizer", "scheduler", "state"}
    assert saved["state"]["epoch"] == ok(behaviour, "ckpt/straight")["epochs_completed"]
    assert saved["state"]["best_epoch"] == ok(behaviour, "ckpt/straight")["best_epoch"]


# ----------------------------------------------------------------------------- model saving


def test_mlp_model_saved_as_state_dict(behaviour):
    """model.pt is a plain state_dict whose shapes match the recorded metadata."""
    folder = Path(behaviour["_root"]) / "save_mlp"
    weights = behaviour["save/mlp/files"]["files"]["model.pt"]
    metadata = json.loads((folder / "metadata.json").read_text())
    config = json.loads((folder / "config.json").read_text())
    assert config["algorithm"] == "mlp" and config["mlp_units"] == 64
    assert metadata["classes"] == ["bird", "cat", "dog"]
    layers = sorted({int(key.split(".")[0]) for key in weights})
    assert weights[f"{layers[0]}.weight"]["shape"] == [64, metadata["n_features"]]
    assert weights[f"{layers[-1]}.weight"]["shape"] == [metadata["n_outputs"], 64]
    assert metadata["n_outputs"] == 3
    assert len(layers) == config["mlp_n_layers"] + 1
    assert {path.name for path in folder.iterdir()} == {
        "model.pt",
        "config.json",
        "metadata.json",
        "preprocessor.skops",
    }


def test_sklearn_model_saves_json_and_never_pickles(behaviour):
    folder = Path(behaviour["_root"]) / "save_hgb"
    names = {path.name for path in folder.iterdir()}
    assert {"config.json", "metadata.json"} <= names
    assert not {name for name in names if name.endswith((".pkl", ".pickle", ".joblib", ".pt"))}
    assert names == {"config.json", "metadata.json", "preprocessor.skops", "estimator.skops"}
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["algorithm"] == "hist_gradient_boosting"
    assert metadata["metrics"]["loss"] == ok(behaviour, "save/hgb")["loss"]


def test_sklearn_model_reloads_with_skops_and_predicts_the_same(behaviour):
    reloaded = behaviour["save/hgb/reload"]
    assert "error" not in reloaded, reloaded.get("error")
    assert reloaded["accuracy"] == ok(behaviour, "save/hgb")["accuracy"]
