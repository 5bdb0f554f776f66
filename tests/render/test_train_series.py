"""The rendered time-series train.py (templates/bundle/train_series.py), run for real in subprocesses.

The test process fills the template with hpogen.codegen.fill_template, formats and ruff-checks
it, and converts aeon's shipped UCR/UEA data (GunPoint, BasicMotions, JapaneseVowels,
Covid3Month) into the NaN-padded (n, channels, length) float32 layout of the train contract.
Two driver processes (this module run with `driver_main`; generated code never runs in the test
process) import the rendered train.py files and run the jobs below side by side, one thread per
library; each prints one JSON line. MiniRocket's numba kernels compile on first use (cached on
disk by numba afterwards), so every rocket run shares these two processes.
"""

from __future__ import annotations

import ast
import json
import math
import os
import subprocess
import sys
import time
import tomllib
import traceback
from pathlib import Path

import numpy as np
import pytest
from contract import REGRESSION_KEYS, classification_keys

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "bundle" / "time_series.toml"
RESULT_PREFIX = "RESULT "
DRIVER_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}
# Small full fidelities for the sweep; at SWEEP_BUDGET: 252 MiniRocket kernels, 6 rounds, 1 epoch.
SMALL_FIDELITY = {
    "rocket": ["n_kernels", 2000],
    "intervals": ["max_iter", 50],
    "cnn": ["epochs", 6],
}
SWEEP_BUDGET = 0.11
SWEEP_SAMPLES = 12
SWEEP_SEED = 0  # a seed whose sample holds every family, both transforms, both CNNs, both flags, every length rule
VALIDATION = {"folds": 5, "max_series": 2000}
MIN_LENGTH = 9
CV_EXTRAS = {"loss_std", "cv_folds"}  # what k-fold scoring adds, as in the tabular template
SERIES_EXTRAS = {"past_deadline"}  # whether a trial ended after the search's deadline
SWEEP_DATASETS = {
    # dataset: bundle (task)
    "GunPoint": "classification",
    "BasicMotionsMissing": "classification",
    "JapaneseVowels": "classification",
    "Covid3Month": "regression",
}


def _rules() -> dict:
    return tomllib.loads(RULES.read_text(encoding="utf-8"))


def space_defaults() -> dict:
    rules = _rules()
    defaults = {
        "algorithm": rules["families"]["default"],
        "normalise": rules["normalise"]["default"],
        "length_rule": rules["length"]["default"],
    }
    return {**defaults, **{name: entry["default"] for name, entry in rules["space"].items()}}


def series_space(seed: int):
    """The bundle's search space, from the [space.*] table plus algorithm, normalise and
    length_rule (which a bundle has for unequal lengths only; here every dataset gets it); each
    family's hyperparameters are active only when algorithm is that family."""
    from ConfigSpace import (
        Categorical,
        ConfigurationSpace,
        EqualsCondition,
        Float,
        Integer,
        OrdinalHyperparameter,
    )

    rules = _rules()
    space = ConfigurationSpace(seed=seed)
    algorithm = Categorical(
        "algorithm", ["rocket", "intervals", "cnn"], default=rules["families"]["default"]
    )
    normalise = rules["normalise"]
    length = rules["length"]
    space.add(
        [
            algorithm,
            Categorical("normalise", normalise["choices"], default=normalise["default"]),
            Categorical("length_rule", length["choices"], default=length["default"]),
        ]
    )
    for name, entry in rules["space"].items():
        if "choices" in entry:
            choices = entry["choices"]
            if all(isinstance(c, int) and not isinstance(c, bool) for c in choices):
                hp = OrdinalHyperparameter(name, choices, default_value=entry["default"])
            else:
                hp = Categorical(name, choices, default=entry["default"])
        else:
            low, high = entry["range"]
            kind = Integer if isinstance(low, int) and isinstance(high, int) else Float
            hp = kind(name, (low, high), default=entry["default"], log=entry.get("log", False))
        space.add([hp, EqualsCondition(hp, algorithm, entry["family"])])
    return space


def render(folder: Path, task: str, fidelity: dict) -> Path:
    """Fill the template for task and fidelity, write it as folder/train.py and format it."""
    from hpogen.codegen import fill_template
    from hpogen.formatting import format_tree

    source = fill_template(
        "bundle/train_series.py",
        task=task,
        defaults=space_defaults(),
        fidelity=fidelity,
        validation=VALIDATION,
        min_length=MIN_LENGTH,
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(source, encoding="utf-8")
    format_tree(folder)
    return folder / "train.py"


# ----------------------------------------------------------------------------- data (test process)


def _aeon_data_dir() -> Path:
    import aeon

    return Path(aeon.__file__).parent / "datasets" / "data"


def nan_padded(series) -> np.ndarray:
    """aeon's series (a 3-D array, or a list of (channels, length) arrays) as float32
    (n, channels, longest length) with NaN after each series' end."""
    if isinstance(series, np.ndarray):
        return series.astype(np.float32)
    longest = max(item.shape[1] for item in series)
    out = np.full((len(series), series[0].shape[0], longest), np.nan, dtype=np.float32)
    for row, item in enumerate(series):
        out[row, :, : item.shape[1]] = item
    return out


def write_datasets(folder: Path) -> dict[str, str]:
    """Each dataset's train and test split as an .npz; BasicMotionsMissing is BasicMotions with
    2% of its training values missing inside the series."""
    from aeon.datasets import load_from_ts_file

    paths = {}
    for name in ("GunPoint", "BasicMotions", "JapaneseVowels", "Covid3Month"):
        parts = {}
        for split, suffix in (("TRAIN", ""), ("TEST", "_test")):
            X, y = load_from_ts_file(str(_aeon_data_dir() / name / f"{name}_{split}.ts"))
            parts[f"X{suffix}"], parts[f"y{suffix}"] = nan_padded(X), np.asarray(y)
        paths[name] = str(folder / f"{name}.npz")
        np.savez(paths[name], **parts)
        if name == "BasicMotions":
            X = parts["X"].copy()
            holes = np.random.default_rng(0).random(X.shape) < 0.02
            holes[:, :, [0, -1]] = False
            X[holes] = np.nan
            paths["BasicMotionsMissing"] = str(folder / "BasicMotionsMissing.npz")
            np.savez(paths["BasicMotionsMissing"], **{**parts, "X": X})
    return paths


# ----------------------------------------------------------------------------- driver side


def _load_module(path: str, index: int):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"series_train_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dataset(path: str, parts: str = "fit") -> dict:
    """fit: X and y only; test: X_test too; val_test: X_val (a third of X_test) and X_test."""
    with np.load(path) as stored:
        data = {key: stored[key] for key in stored.files}
    if parts == "fit":
        return {"X": data["X"], "y": data["y"]}
    if parts == "test":
        return data
    third = len(data["y_test"]) // 3
    return {
        "X": data["X"],
        "y": data["y"],
        "X_val": data["X_test"][:third],
        "y_val": data["y_test"][:third],
        "X_test": data["X_test"][third:],
        "y_test": data["y_test"][third:],
    }


def _native(result: dict) -> bool:
    return all(type(value) in (int, float) for value in result.values())


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _sweep_job(module, job: dict) -> dict:
    """The sampled configurations on one dataset; failures are reported, never raised."""
    space = series_space(job["seed"])
    configs = list(space.sample_configuration(job["samples"]))
    dataset = _dataset(job["data"])
    outcomes = []
    for cfg in configs:
        config = {name: _plain(value) for name, value in dict(cfg).items()}
        try:
            started = time.perf_counter()
            result = module.train(cfg, dataset, 0, budget=job["budget"])
            outcomes.append(
                {
                    "config": config,
                    "result": result,
                    "native": _native(result),
                    "seconds": time.perf_counter() - started,
                }
            )
        except Exception:  # the test reports every failing configuration
            outcomes.append({"config": config, "error": traceback.format_exc()})
    return {"outcomes": outcomes}


def _train_job(module, job: dict) -> dict:
    dataset = _dataset(job["data"], job.get("parts", "fit"))
    if job.get("checkpoint_dir"):
        dataset["checkpoint_dir"] = job["checkpoint_dir"]
    if "deadline" in job:
        dataset["deadline"] = job["deadline"]
    before = {key: value.copy() for key, value in dataset.items() if isinstance(value, np.ndarray)}
    result = module.train(
        job["config"],
        dataset,
        job.get("seed", 0),
        budget=job.get("budget"),
        model_dir=job.get("model_dir"),
    )
    untouched = all(
        np.array_equal(before[key], dataset[key], equal_nan=before[key].dtype.kind == "f")
        for key in before
    )
    return {"result": result, "native": _native(result), "untouched": untouched}


def _reload_job(module, job: dict) -> dict:
    """predict() from the saved model, against the scored rows; and every file as a reader
    loads it (torch weights_only=True, skops trusting nothing but sklearn, aeon and numpy)."""
    folder = Path(job["folder"])
    dataset = _dataset(job["data"], job["parts"])
    predicted = module.predict(folder, dataset["X_test"])
    truth = np.asarray(dataset["y_test"])
    if module.TASK == "classification":
        score = float(np.mean(predicted == truth.astype(str)))
    else:
        score = float(np.sqrt(np.mean((predicted - truth.astype(float)) ** 2)))
    files = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".pt":
            import torch

            files[path.name] = sorted(torch.load(path, weights_only=True))[:3]
        elif path.suffix == ".skops":
            files[path.name] = type(module._load_skops(path)).__name__
        else:
            files[path.name] = sorted(json.loads(path.read_text(encoding="utf-8")))[:3]
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    return {"score": score, "files": files, "metadata_metrics": metadata["metrics"]}


def _equalise_job(module, job: dict) -> dict:
    """equalise and series_lengths on each case; the input is compared before and after."""
    outputs = []
    for case in job["cases"]:
        X = np.array(case["X"], dtype=np.float32)
        copy = X.copy()
        out = module.equalise(X, case["target"])
        outputs.append(
            {
                "out": np.where(np.isnan(out), -999.0, out).tolist(),
                "dtype": str(out.dtype),
                "lengths": module.series_lengths(X).tolist(),
                "untouched": bool(np.array_equal(copy, X, equal_nan=True)),
                "fresh": not np.shares_memory(out, X),
            }
        )
    return {"outputs": outputs}


def _ready_job(module, job: dict) -> dict:
    """_ready (the length rule, then z-normalisation) on each case."""
    outputs = []
    for case in job["cases"]:
        X = np.array(case["X"], dtype=np.float32)
        out = module._ready(X, case["length"], case["normalise"], case["rule"])
        outputs.append({"out": out.tolist(), "dtype": str(out.dtype)})
    return {"outputs": outputs}


def _refit_job(module, job: dict) -> dict:
    return {"budgets": [module.refit_budget(cfg, epoch) for cfg, epoch in job["cases"]]}


JOB_RUNNERS = {
    "sweep": _sweep_job,
    "train": _train_job,
    "reload": _reload_job,
    "equalise": _equalise_job,
    "ready": _ready_job,
    "refit": _refit_job,
}


def driver_main(spec_path: str) -> None:
    """Driver process: run the jobs in the JSON file, in order; print one result line."""
    jobs = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    modules, results = {}, {}
    for job in jobs:
        if job["train_py"] not in modules:
            modules[job["train_py"]] = _load_module(job["train_py"], len(modules))
        started = time.perf_counter()
        try:
            results[job["name"]] = JOB_RUNNERS[job["kind"]](modules[job["train_py"]], job)
        except Exception:  # reported to the test that owns the job
            results[job["name"]] = {"error": traceback.format_exc()}
        results[job["name"]]["job_seconds"] = time.perf_counter() - started
    print(RESULT_PREFIX + json.dumps(results))


# ----------------------------------------------------------------------------- test-process side


def run_drivers(folder: Path, batches: list[list[dict]], timeout: float = 900) -> dict:
    """Each batch of jobs in its own driver process, all at once; the merged results."""
    processes = []
    paths = [str(Path(__file__).resolve().parent), str(ROOT / "tests" / "support")]
    for index, jobs in enumerate(batches):
        spec = folder / f"driver_{index}.json"
        spec.write_text(json.dumps(jobs), encoding="utf-8")
        code = f"import sys; sys.path[:0] = {paths!r}; import test_train_series as t; t.driver_main({str(spec)!r})"
        out, err = folder / f"driver_{index}.out", folder / f"driver_{index}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-c", code],
                stdout=stdout,
                stderr=stderr,
                env={**os.environ, **DRIVER_ENV},
            )
        processes.append((process, out, err))
    results = {}
    for process, out, err in processes:
        returncode = process.wait(timeout=timeout)
        lines = [line for line in out.read_text().splitlines() if line.startswith(RESULT_PREFIX)]
        assert returncode == 0 and lines, err.read_text()[-4000:]
        results.update(json.loads(lines[-1][len(RESULT_PREFIX) :]))
    return results


# Hand-computed equalise cases: NaN is written -999.0 in the expected outputs.
EQUALISE_CASES = [
    # interior gap interpolated; leading gap takes the first observed value
    {
        "X": [[[1.0, math.nan, 3.0, 4.0]], [[math.nan, math.nan, 2.0, 4.0]]],
        "target": 4,
        "expected": [[[1.0, 2.0, 3.0, 4.0]], [[2.0, 2.0, 2.0, 4.0]]],
        "lengths": [4, 4],
    },
    # a shorter series is padded with its last value, up to a longer target
    {
        "X": [[[1.0, 2.0, 3.0, math.nan, math.nan]], [[5.0, 4.0, 3.0, 2.0, 1.0]]],
        "target": 7,
        "expected": [[[1.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0]], [[5.0, 4.0, 3.0, 2.0, 1.0, 1.0, 1.0]]],
        "lengths": [3, 5],
    },
    # channels ending at different points: each padded with its own last value; an empty channel is zeros
    {
        "X": [[[1.0, 2.0, math.nan, math.nan], [5.0, 6.0, 7.0, math.nan], [math.nan] * 4]],
        "target": 5,
        "expected": [[[1.0, 2.0, 2.0, 2.0, 2.0], [5.0, 6.0, 7.0, 7.0, 7.0], [0.0] * 5]],
        "lengths": [3],
    },
    # longer series cut; a gap just inside the cut interpolated from its neighbour beyond it
    {
        "X": [[[1.0, 2.0, 3.0, math.nan, 7.0, 9.0]], [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]],
        "target": 4,
        "expected": [[[1.0, 2.0, 3.0, 5.0]], [[1.0, 2.0, 3.0, 4.0]]],
        "lengths": [6, 6],
    },
    # a series without any value: zeros, length 0; infinities count as missing
    {
        "X": [[[math.nan, math.nan, math.nan]], [[1.0, math.inf, 3.0]]],
        "target": 3,
        "expected": [[[0.0, 0.0, 0.0]], [[1.0, 2.0, 3.0]]],
        "lengths": [0, 3],
    },
]

# Hand-computed _ready cases (the length rule, then z-normalisation when asked).
READY_CASES = [
    # pad_zero: the pad is 0 and the observed points keep their values
    {"X": [[[1.0, 2.0, 3.0, math.nan, math.nan]], [[5.0, 4.0, 3.0, 2.0, 1.0]]], "length": 5,
     "normalise": False, "rule": "pad_zero", "expected": [[[1.0, 2.0, 3.0, 0.0, 0.0]], [[5.0, 4.0, 3.0, 2.0, 1.0]]]},
    # pad_zero normalised on the observed points only (mean 2, std 1); the pad stays 0
    {"X": [[[1.0, 3.0, math.nan]]], "length": 3, "normalise": True, "rule": "pad_zero",
     "expected": [[[-1.0, 1.0, 0.0]]]},
    # pad_last normalised over the padded series [1, 3, 3]: mean 7/3, std sqrt(8/9)
    {"X": [[[1.0, 3.0, math.nan]]], "length": 3, "normalise": True, "rule": "pad_last",
     "expected": [[[-(4 / 3) / math.sqrt(8 / 9), (2 / 3) / math.sqrt(8 / 9), (2 / 3) / math.sqrt(8 / 9)]]]},
    # resample: 2 points stretched to 5, 5 points squeezed to 3, a gap filled before stretching
    {"X": [[[0.0, 2.0, math.nan, math.nan, math.nan]], [[0.0, 1.0, 2.0, 3.0, 4.0]]], "length": 5,
     "normalise": False, "rule": "resample", "expected": [[[0.0, 0.5, 1.0, 1.5, 2.0]], [[0.0, 1.0, 2.0, 3.0, 4.0]]]},
    {"X": [[[0.0, 1.0, 2.0, 3.0, 4.0]], [[1.0, math.nan, 3.0, math.nan, math.nan]]], "length": 3,
     "normalise": False, "rule": "resample", "expected": [[[0.0, 2.0, 4.0]], [[1.0, 2.0, 3.0]]]},
    # channels of one series share its length: the shorter channel is padded with its last value first
    {"X": [[[1.0, 2.0, math.nan], [4.0, 5.0, 6.0]]], "length": 5, "normalise": False, "rule": "resample",
     "expected": [[[1.0, 1.5, 2.0, 2.0, 2.0], [4.0, 4.5, 5.0, 5.5, 6.0]]]},
    # a series without any value is zeros under every rule
    {"X": [[[math.nan, math.nan]]], "length": 4, "normalise": True, "rule": "resample", "expected": [[[0.0] * 4]]},
    {"X": [[[math.nan, math.nan]]], "length": 4, "normalise": True, "rule": "pad_zero", "expected": [[[0.0] * 4]]},
]

CNN = {"algorithm": "cnn", "cnn_filters": 16, "cnn_depth": 1, "cnn_batch_size": 16}


def _jobs(root: Path, data: dict, bundles: dict) -> list[list[dict]]:
    """Two drivers' jobs: the sweep split by dataset, the single checks beside them."""
    cls, reg, full = bundles["classification"], bundles["regression"], bundles["full"]
    checkpoints = str(root / "checkpoints")

    def sweep(name: str) -> dict:
        train_py = cls if SWEEP_DATASETS[name] == "classification" else reg
        return {
            "name": f"sweep/{name}",
            "kind": "sweep",
            "train_py": train_py,
            "data": data[name],
            "samples": SWEEP_SAMPLES,
            "seed": SWEEP_SEED,
            "budget": SWEEP_BUDGET,
        }

    first = [
        {
            "name": "default/gunpoint",
            "kind": "train",
            "train_py": full,
            "data": data["GunPoint"],
            "parts": "test",
            "config": {"algorithm": "rocket"},
            "model_dir": str(root / "rocket_model"),
        },
        {
            "name": "default/reload",
            "kind": "reload",
            "train_py": full,
            "data": data["GunPoint"],
            "parts": "test",
            "folder": str(root / "rocket_model"),
        },
        sweep("GunPoint"),
        sweep("BasicMotionsMissing"),
        {"name": "equalise", "kind": "equalise", "train_py": cls, "cases": EQUALISE_CASES},
        {"name": "ready", "kind": "ready", "train_py": cls, "cases": READY_CASES},
        # a deadline already past: one fold, and the CNN one epoch, then the trial ends
        *({"name": f"deadline/{config['algorithm']}", "kind": "train", "train_py": cls,
           "data": data["GunPoint"], "config": config, "deadline": 0.0} for config in (CNN, {"algorithm": "rocket"})),
        {
            "name": "refit",
            "kind": "refit",
            "train_py": cls,
            "cases": [
                [{"algorithm": "cnn"}, 3],
                [{"algorithm": "cnn"}, 60],
                [{"algorithm": "rocket"}, 0],
                [{"algorithm": "intervals"}, 7],
            ],
        },
    ]
    second = [
        {
            "name": "ckpt/first",
            "kind": "train",
            "train_py": cls,
            "data": data["GunPoint"],
            "parts": "test",
            "config": CNN,
            "budget": 0.33,
            "checkpoint_dir": checkpoints,
        },
        {
            "name": "ckpt/second",
            "kind": "train",
            "train_py": cls,
            "data": data["GunPoint"],
            "parts": "test",
            "config": CNN,
            "budget": 1.0,
            "checkpoint_dir": checkpoints,
        },
        {
            "name": "ckpt/straight",
            "kind": "train",
            "train_py": cls,
            "data": data["GunPoint"],
            "parts": "test",
            "config": CNN,
            "budget": 1.0,
        },
        {
            "name": "save/cnn",
            "kind": "train",
            "train_py": cls,
            "data": data["JapaneseVowels"],
            "parts": "val_test",
            "config": {**CNN, "cnn_architecture": "inception"},
            "budget": 0.5,
            "model_dir": str(root / "cnn_model"),
        },
        {
            "name": "save/cnn/reload",
            "kind": "reload",
            "train_py": cls,
            "data": data["JapaneseVowels"],
            "parts": "val_test",
            "folder": str(root / "cnn_model"),
        },
        {
            "name": "save/intervals",
            "kind": "train",
            "train_py": reg,
            "data": data["Covid3Month"],
            "parts": "test",
            "config": {"algorithm": "intervals"},
            "budget": 1.0,
            "model_dir": str(root / "intervals_model"),
        },
        {
            "name": "save/intervals/reload",
            "kind": "reload",
            "train_py": reg,
            "data": data["Covid3Month"],
            "parts": "test",
            "folder": str(root / "intervals_model"),
        },
        sweep("JapaneseVowels"),
        sweep("Covid3Month"),
    ]
    return [first, second]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Every job the tests below look at, run by two driver processes side by side."""
    root = tmp_path_factory.mktemp("series")
    (root / "data").mkdir()
    data = write_datasets(root / "data")
    bundles = {
        "classification": str(render(root / "cls", "classification", SMALL_FIDELITY)),
        "regression": str(render(root / "reg", "regression", SMALL_FIDELITY)),
        "full": str(render(root / "full", "classification", _rules()["fidelity"])),
    }
    started = time.perf_counter()
    results = run_drivers(root, _jobs(root, data, bundles))
    results["_seconds"] = time.perf_counter() - started
    results["_labels"] = {
        name: sorted(np.unique(np.load(path)["y"]).astype(str).tolist())
        for name, path in data.items()
        if SWEEP_DATASETS.get(name) == "classification" or name == "GunPoint"
    }
    return results


def ok(runs: dict, name: str) -> dict:
    entry = runs[name]
    assert "error" not in entry, entry["error"]
    return entry


def assert_keys(result: dict, expected: set, cv: bool) -> None:
    extra = set(result) - expected
    assert expected <= set(result), sorted(expected - set(result))
    assert extra == (CV_EXTRAS if cv else set()) | SERIES_EXTRAS, sorted(extra)


# ----------------------------------------------------------------------------- static checks


def test_rendered_file_is_ruff_clean_and_self_contained(tmp_path):
    from hpogen.formatting import ruff_binary

    for task in ("classification", "regression"):
        render(tmp_path / task, task, _rules()["fidelity"])
    config = ROOT / "src" / "hpogen" / "ruff_generated.toml"
    check = subprocess.run(
        [ruff_binary(), "check", "--config", str(config), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    tree = ast.parse((tmp_path / "regression" / "train.py").read_text(encoding="utf-8"))
    top_level, everywhere = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            roots = {name.split(".")[0] for name in names}
            everywhere |= roots
            if node in tree.body:
                top_level |= roots
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("exec", "eval"), node.func.id
    assert not everywhere & {"hpogen", "pickle", "joblib", "cloudpickle", "dill"}
    assert not top_level & {"aeon", "torch"}  # imported by the families that use them only
    constants = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert ast.literal_eval(constants["TASK"]) == "regression"
    assert ast.literal_eval(constants["FIDELITY"]) == _rules()["fidelity"]
    assert ast.literal_eval(constants["VALIDATION"]) == VALIDATION
    assert ast.literal_eval(constants["MIN_LENGTH"]) == MIN_LENGTH
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"train", "refit_budget", "predict", "equalise"} <= functions


def test_space_from_rules_has_every_hyperparameter():
    space = series_space(0)
    assert set(space) == set(space_defaults())
    assert dict(space.get_default_configuration())["algorithm"] == "rocket"


# ----------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize("dataset", list(SWEEP_DATASETS))
def test_sampled_configurations_train(runs, dataset):
    outcomes = ok(runs, f"sweep/{dataset}")["outcomes"]
    failures = [outcome for outcome in outcomes if "error" in outcome]
    assert not failures, (
        f"{len(failures)} failures, first: {failures[0]['config']}\n{failures[0]['error']}"
    )
    assert len(outcomes) == SWEEP_SAMPLES
    if SWEEP_DATASETS[dataset] == "classification":
        expected = classification_keys(runs["_labels"][dataset])
    else:
        expected = set(REGRESSION_KEYS)
    for outcome in outcomes:
        result = outcome["result"]
        assert outcome["native"], result
        assert math.isfinite(result["loss"]), outcome
        assert_keys(result, expected, cv=True)  # at most 2000 series, no validation part
        assert result["cv_folds"] == (3 if outcome["config"]["algorithm"] == "cnn" else 5)


def test_sample_covers_every_family():
    configs = [dict(cfg) for cfg in series_space(SWEEP_SEED).sample_configuration(SWEEP_SAMPLES)]
    assert {cfg["algorithm"] for cfg in configs} == {"rocket", "intervals", "cnn"}
    assert {cfg.get("rocket_transform") for cfg in configs} >= {"minirocket", "multirocket"}
    assert {cfg.get("cnn_architecture") for cfg in configs} >= {"resnet", "inception"}
    assert {bool(cfg["normalise"]) for cfg in configs} == {True, False}
    assert {cfg.get("intervals_use_diff") for cfg in configs} >= {True, False}
    assert {cfg["length_rule"] for cfg in configs} == set(_rules()["length"]["choices"])


def test_equalise_matches_hand_computed_cases(runs):
    outputs = ok(runs, "equalise")["outputs"]
    for case, output in zip(EQUALISE_CASES, outputs, strict=True):
        assert output["out"] == case["expected"], case
        assert output["lengths"] == case["lengths"], case
        assert output["dtype"] == "float32"
        assert output["untouched"] and output["fresh"]


def test_ready_matches_hand_computed_cases(runs):
    outputs = ok(runs, "ready")["outputs"]
    for case, output in zip(READY_CASES, outputs, strict=True):
        assert output["dtype"] == "float32"
        assert np.allclose(output["out"], case["expected"], atol=1e-5), (case, output["out"])


@pytest.mark.parametrize("algorithm", ["cnn", "rocket"])
def test_a_past_deadline_ends_the_trial_after_one_fold(runs, algorithm):
    """dataset["deadline"] already past: the first fold still runs (a trial always reports a
    loss), then no further fold, and the CNN trains one epoch instead of its full six."""
    result = ok(runs, f"deadline/{algorithm}")["result"]
    assert result["past_deadline"] == 1 and result["cv_folds"] == 1
    assert math.isfinite(result["loss"])
    if algorithm == "cnn":
        assert result["epochs_completed"] == 1


def test_default_minirocket_on_gunpoint(runs):
    """The default configuration at full fidelity (9,996 kernels), scored on GunPoint's test split."""
    entry = ok(runs, "default/gunpoint")
    result = entry["result"]
    assert_keys(result, classification_keys(runs["_labels"]["GunPoint"]), cv=False)
    assert result["accuracy"] >= 0.9, result
    assert entry["native"] and entry["untouched"]


def test_saved_models_reload_and_predict(runs):
    rocket = ok(runs, "default/reload")
    assert rocket["score"] == pytest.approx(ok(runs, "default/gunpoint")["result"]["accuracy"])
    assert set(rocket["files"]) == {"config.json", "metadata.json", "estimator.skops"}
    assert rocket["files"]["estimator.skops"] == "Pipeline"

    cnn = ok(runs, "save/cnn/reload")
    assert set(cnn["files"]) == {"config.json", "metadata.json", "model.pt"}
    assert cnn["score"] == pytest.approx(ok(runs, "save/cnn")["result"]["accuracy"])
    assert ok(runs, "save/cnn")["untouched"]

    intervals = ok(runs, "save/intervals/reload")
    assert set(intervals["files"]) == {"config.json", "metadata.json", "estimator.skops"}
    assert intervals["score"] == pytest.approx(
        ok(runs, "save/intervals")["result"]["rmse"], rel=1e-4
    )
    assert_keys(ok(runs, "save/intervals")["result"], set(REGRESSION_KEYS), cv=False)


def test_cnn_resumes_from_its_checkpoint(runs):
    """6 full epochs: 2 at budget 0.33, then the 4 missing ones; the same as training straight."""
    first, second = ok(runs, "ckpt/first")["result"], ok(runs, "ckpt/second")["result"]
    straight = ok(runs, "ckpt/straight")["result"]
    full_epochs = SMALL_FIDELITY["cnn"][1]
    assert first["epochs_completed"] == 2
    assert second["epochs_completed"] == full_epochs - 2 < full_epochs
    assert straight["epochs_completed"] == full_epochs
    assert second["loss"] == pytest.approx(straight["loss"])
    assert second["best_epoch"] == straight["best_epoch"]


def test_refit_budget(runs):
    budgets = ok(runs, "refit")["budgets"]
    full = SMALL_FIDELITY["cnn"][1]
    assert budgets == [pytest.approx(3 / full), 1.0, None, None]
