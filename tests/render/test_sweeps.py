"""Every configuration of a real bundle's space trains: sampled sweeps plus corners.

Each case is a bundle written by `hpogen generate`. A driver process (generated code never
runs in the test process) loads the bundle's config_space.py, scenario.py and train.py,
samples configurations, adds the corners (every categorical value combined with all numeric
hyperparameters at their lower bounds, then at their upper bounds) and trains each one at the
smallest budget SMAC gives that bundle, on small real data. The tests ask for zero exceptions,
a finite loss every time and the task's full set of metric keys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from bundles import generate
from tabular_data import build_dataset

from hpogen.tables import table

pytestmark = pytest.mark.slow

SUPPORT_DIR = Path(__file__).resolve().parents[1] / "support"
# Two driver processes side by side, one intra-op thread each (two cores, tiny models).
PARTS = 2

SAFE_EDGES = "<safe edges>"  # replaced by a file of every safe limit, in the {name: [low, high]} form
KINDS_CSV = "<kinds csv>"  # replaced by a CSV of every column kind (tests/support/tabular_data.py)

CASES = {
    # name: (hpogen generate arguments, dataset built by the driver, sampled configurations)
    # images train a CNN per configuration: their samples are few, and the 20 corners (every
    # categorical value with every numeric bound, the costly widest and deepest nets) come on top
    "digits": (["--dataset", "digits"], "digits_300", 40),
    "rgb_images": (
        ["--dataset-type", "image", "--name", "rgb_digits", "--n-samples", "1797", "--n-classes", "10",
         "--image-shape", "3,8,8"],
        "rgb_digits_300",
        12,
    ),
    # small data is scored by 5-fold cross-validation: five fits per configuration
    "breast_cancer": (["--dataset", "breast_cancer"], "breast_cancer", 60),
    "column_kinds": (["--data", KINDS_CSV, "--target", "price"], "kinds_classification", 30),
    # OpenML insights may widen every numeric range up to rules/insights.toml's safe limits
    "breast_cancer_safe_edges": (["--dataset", "breast_cancer", "--insights", SAFE_EDGES], "breast_cancer", 20),
    "rgb_images_safe_edges": (["--dataset-type", "image", "--name", "rgb_edges", "--n-samples", "1797", "--n-classes", "10",
                               "--image-shape", "3,8,8", "--insights", SAFE_EDGES], "rgb_digits_100", 4),
    "large_classification_safe_edges": (["--dataset-type", "tabular", "--name", "large_edges", "--n-samples", "200000",
                                         "--n-classes", "2", "--n-features", "30", "--insights", SAFE_EDGES], "breast_cancer", 10),
    "diabetes": (["--dataset", "diabetes"], "diabetes", 60),
    "large_classification": (
        ["--dataset-type", "tabular", "--name", "large_binary", "--n-samples", "200000", "--n-classes", "2",
         "--n-features", "30"],
        "breast_cancer",
        60,
    ),
    "large_regression": (
        ["--dataset-type", "tabular", "--name", "large_regression", "--task", "regression", "--n-samples",
         "500000", "--n-features", "10"],
        "diabetes",
        60,
    ),
    "categorical_missing": (
        ["--dataset-type", "tabular", "--name", "mixed", "--n-samples", "32561", "--n-classes", "3",
         "--n-features", "6", "--n-categorical", "2", "--has-missing"],
        "mixed_frame",
        60,
    ),
}

DRIVER = r'''
import importlib.util
import json
import math
import sys
import traceback

import numpy as np

job = json.loads(sys.argv[1])
sys.path.insert(0, job["support_dir"])
from configs import corners, smallest_budget  # noqa: E402
from images import digits_images, rgb_digits  # noqa: E402
from tabular_data import build_dataset  # noqa: E402


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def mixed_frame(n, seed):
    """Four numeric and two string columns, missing values in both kinds, three string classes."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    frame = pd.DataFrame({f"num{i}": rng.normal(size=n) + y * (i + 1) * 0.5 for i in range(4)})
    frame["colour"] = np.array(["red", "green", "blue", "grey"])[(y + rng.integers(0, 2, n)) % 4]
    frame["size"] = rng.choice(["s", "m", "l"], n)
    for column in ("num0", "num3", "colour"):
        frame.loc[rng.random(n) < 0.1, column] = None
    return {"X": frame, "y": np.array(["low", "mid", "high"])[y]}


def dataset(name):
    from sklearn.datasets import load_breast_cancer, load_diabetes

    if name == "digits_300":
        images, labels = digits_images(300, 0)
        return {"X": images, "y": labels}
    if name.startswith("rgb_digits_"):  # the safe edges' widest nets train on 100 images, not 300
        images, labels = rgb_digits(int(name.rsplit("_", 1)[1]), 1)
        return {"X": images, "y": labels}
    if name == "breast_cancer":
        data = load_breast_cancer()
        return {"X": data.data, "y": data.target}
    if name == "diabetes":
        data = load_diabetes()
        return {"X": data.data, "y": data.target}
    if name.startswith("kinds_"):
        return build_dataset(name)
    return mixed_frame(300, 2)


space_module = load(job["bundle"] + "/config_space.py", "bundle_space")
scenario_module = load(job["bundle"] + "/scenario.py", "bundle_scenario")
train = load(job["bundle"] + "/train.py", "bundle_train").train
space = space_module.get_configspace()
space.seed(job["seed"])
configs = list(space.sample_configuration(job["samples"])) + corners(space)
budget = smallest_budget(scenario_module, space)
data = dataset(job["dataset"])
mine = configs[job["part"]::job["parts"]]
outcomes = []
for config in mine:
    entry = {"config": {k: str(v) for k, v in dict(config).items()}}
    try:
        metrics = train(config, data, seed=0, budget=budget)
    except Exception:
        entry["error"] = traceback.format_exc()[-2000:]
    else:
        entry["keys"] = sorted(metrics)
        entry["loss"] = metrics["loss"]
        entry["finite"] = all(math.isfinite(float(v)) for v in metrics.values())
        entry["native"] = all(type(v) in (int, float) for v in metrics.values())
    outcomes.append(entry)
print("RESULT " + json.dumps({"n_configs": len(configs), "budget": budget, "outcomes": outcomes}))
'''


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("OMP_NUM_THREADS", "1")
    environment["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "hpogen-tests-pycache")
    return environment


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict:
    """Every case, its configurations dealt over PARTS driver processes that run side by side."""
    root = tmp_path_factory.mktemp("sweeps")
    driver = root / "driver.py"
    driver.write_text(textwrap.dedent(DRIVER), encoding="utf-8")
    results = {}
    edges = root / "safe_edges.json"
    edges.write_text(json.dumps({name: list(limits) for name, limits in table("insights")["safe"].items()}))
    kinds = build_dataset("kinds_classification")
    kinds_csv = root / "kinds.csv"
    kinds["X"].assign(price=kinds["y"]).to_csv(kinds_csv, index=False)
    files = {SAFE_EDGES: str(edges), KINDS_CSV: str(kinds_csv)}
    for name, (args, dataset, samples) in CASES.items():
        bundle = generate([files.get(a, a) for a in args], root / name)
        processes = []
        for part in range(PARTS):
            job = {"bundle": str(bundle), "dataset": dataset, "samples": samples, "seed": 0, "part": part,
                   "parts": PARTS, "support_dir": str(SUPPORT_DIR)}
            processes.append(subprocess.Popen(
                [sys.executable, str(driver), json.dumps(job)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, cwd=root, env=_environment(),
            ))
        decisions = json.loads((bundle / "decisions.json").read_text())["decisions"]
        merged = {"outcomes": [], "decisions": {d["decision"]: d["value"] for d in decisions}}
        for process in processes:
            stdout, stderr = process.communicate(timeout=3600)
            assert process.returncode == 0, stderr[-4000:]
            payload = json.loads(next(line for line in stdout.splitlines() if line.startswith("RESULT "))[7:])
            merged["outcomes"] += payload["outcomes"]
            merged.update(n_configs=payload["n_configs"], budget=payload["budget"])
        results[name] = merged
    return results


def _task_keys(keys: list[str]) -> bool:
    common = {"loss", "training_time", "epochs_completed", "best_epoch"}
    classification = {"accuracy", "balanced_accuracy", "precision_macro", "recall_macro", "f1_macro"}
    regression = {"rmse", "mae", "r2"}
    return common <= set(keys) and (classification <= set(keys) or regression <= set(keys))


@pytest.mark.parametrize("case", list(CASES))
def test_every_sampled_and_corner_configuration_trains(sweeps, case):
    result = sweeps[case]
    outcomes = result["outcomes"]
    samples = CASES[case][2]
    assert len(outcomes) == result["n_configs"] > samples  # the corners came on top
    failures = [o for o in outcomes if "error" in o]
    assert not failures, f"{len(failures)} of {len(outcomes)} failed; first {failures[0]['config']}:\n{failures[0]['error']}"
    assert all(o["finite"] and o["native"] for o in outcomes)
    assert all(_task_keys(o["keys"]) for o in outcomes)
    assert len({tuple(o["keys"]) for o in outcomes}) == 1  # the same keys for every configuration


@pytest.mark.parametrize("case", ["digits", "rgb_images", "large_classification", "large_regression"])
def test_multi_fidelity_cases_ran_at_the_smallest_rung(sweeps, case):
    result = sweeps[case]
    assert result["budget"] is not None
    # SMAC's smallest rung is max_budget * eta**-s_max: at or just above min_budget
    min_budget = float(result["decisions"]["min_budget"])
    assert min_budget <= result["budget"] < 3 * min_budget


def test_full_fidelity_cases_ran_without_a_budget(sweeps):
    assert sweeps["breast_cancer"]["budget"] is None and sweeps["diabetes"]["budget"] is None


def test_the_sweeps_reach_every_family_and_preprocessing_choice(sweeps):
    seen: dict[str, set[str]] = {}
    for case in ("breast_cancer", "large_classification", "categorical_missing", "column_kinds"):
        for outcome in sweeps[case]["outcomes"]:
            for name in ("algorithm", "scaler", "imputer", "categorical_encoding", "high_cardinality_encoding"):
                if name in outcome["config"]:
                    seen.setdefault(name, set()).add(outcome["config"][name])
    assert seen["algorithm"] == {"lightgbm", "hist_gradient_boosting", "random_forest", "svm", "linear", "mlp"}
    assert seen["scaler"] == {"standard", "robust", "minmax", "none"}
    assert seen["imputer"] == {"median", "mean"} and seen["categorical_encoding"] == {"onehot", "ordinal"}
    assert seen["high_cardinality_encoding"] == {"target", "frequency"}


def test_the_column_kinds_case_read_every_kind_from_its_csv(sweeps):
    shown = sweeps["column_kinds"]["decisions"]["column_kinds"]  # "numeric=2, categorical=1, ..."
    kinds = dict(part.split("=") for part in shown.split(", "))
    assert all(int(count) >= 1 for count in kinds.values())
    assert set(kinds) == {"numeric", "categorical", "high_cardinality", "text", "datetime", "boolean", "constant", "id"}


@pytest.mark.parametrize("case", [c for c in CASES if c.endswith("_safe_edges")])
def test_safe_edge_cases_reach_the_safe_limits(sweeps, case):
    safe = table("insights")["safe"]
    reached = {}
    for outcome in sweeps[case]["outcomes"]:
        for name, value in outcome["config"].items():
            if name in safe:
                reached.setdefault(name, set()).add(float(value))
    assert len(reached) >= 5
    for name, values in reached.items():
        assert min(values) == pytest.approx(safe[name][0]) and max(values) == pytest.approx(safe[name][1]), name
