"""Render tabular train.py bundles and run jobs on them in driver processes.

A driver process (`python -c ... driver_main()`) imports this module for its helpers (space,
data), imports the bundle's train.py, runs the groups of jobs it is given and prints one JSON
line. Jobs that share a process are batched, so torch and sklearn are imported a handful of
times only. Generated code runs only in those processes, never in the test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
import traceback
from pathlib import Path

from tabular_data import build_dataset

from hpogen.formatting import format_tree
from hpogen.render.train import render_tabular_train

ROOT = Path(__file__).resolve().parents[2]
SUPPORT_DIR = Path(__file__).resolve().parent
RULES_DIR = ROOT / "rules" / "bundle"
RESULT_PREFIX = "RESULT "
SMALL_FAMILIES = ["hist_gradient_boosting", "random_forest", "svm", "linear"]
ALL_FAMILIES = [*SMALL_FAMILIES, "mlp"]
# One thread per library in the drivers: a 2-core CI box shared with other jobs otherwise
# oversubscribes OpenMP (HistGradientBoosting) and torch, which slows fits by 10-50x.
DRIVER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


# ----------------------------------------------------------------------------- rules and space
# (also used by the driver processes)


def _rules(name: str) -> dict:
    return tomllib.loads((RULES_DIR / name).read_text(encoding="utf-8"))


SMALLEST_BUDGET = _rules("tabular.toml")["facade"]["min_budget"]


def family_of_hyperparameter() -> dict[str, str]:
    return {name: prior["family"] for name, prior in _rules("priors.toml").items()}


def tabular_space_for_tests(task, families, full_fidelity, has_missing, has_categorical, seed=0,
                            column_kinds=None, cv_folds=None):
    """The generator's own tabular space (hpogen.decide.tabular.tabular_space) for any families.

    A real bundle gets the families of its size band, and test_sweeps.py runs real bundles; a
    space with every family lets one rendered train.py exercise each family's code here.
    """
    from types import SimpleNamespace

    from ConfigSpace import ConfigurationSpace

    from hpogen.dataset.spec import DatasetSpec
    from hpogen.decide.tabular import tabular_space
    from hpogen.render.space import configspace_dict
    from hpogen.tables import table

    spec = DatasetSpec.from_dict({
        "name": f"tabular-{task}", "type": "tabular", "task": task, "n_samples": 1000, "n_features": 4,
        **({"n_classes": 2} if task == "classification" else {}),
        "n_categorical": int(has_categorical), "has_missing": has_missing,
        **_kinds_facts(column_kinds),
    })
    hyperparameters = tabular_space(spec, list(families), not full_fidelity, table("tabular"), table("priors"))
    space = ConfigurationSpace.from_serialized_dict(
        configspace_dict(SimpleNamespace(spec=spec, hyperparameters=hyperparameters))
    )
    space.seed(seed)
    return space


def _kinds_facts(column_kinds: dict | None) -> dict:
    """Spec facts for a table of these column kinds (none for plain numeric test data)."""
    if not column_kinds:
        return {}
    encoded = sum(kind in ("categorical", "boolean") for kind in column_kinds.values())
    return {"n_features": len(column_kinds), "column_kinds": column_kinds, "n_categorical": encoded}


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def space_defaults(space) -> dict:
    return {name: _plain(hp.default_value) for name, hp in space.items()}


def fidelity_for(families) -> dict:
    table = _rules("tabular.toml")["fidelity"]
    return {family: table[family] for family in families}


# ----------------------------------------------------------------------------- driver side


def config_for(space, values: dict):
    """A Configuration: space defaults, then `values`; only the chosen family's conditionals."""
    from ConfigSpace import Configuration

    family_of = family_of_hyperparameter()
    chosen = {**space_defaults(space), **values}
    active = {
        name: value
        for name, value in chosen.items()
        if name not in family_of or family_of[name] == chosen["algorithm"]
    }
    return Configuration(space, values=active)


def _load_train(path: str, index: int):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bundle_train_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.train


def _describe(result: dict) -> dict:
    native = all(type(value) in (int, float) for value in result.values())
    return {"result": result, "native": native}


def _run_job(train, space, job: dict) -> dict:
    dataset = build_dataset(job["dataset"])
    if job.get("checkpoint_dir"):
        dataset["checkpoint_dir"] = job["checkpoint_dir"]
    cfg = config_for(space, job.get("values", {}))
    started = time.process_time()
    result = train(
        cfg, dataset, job.get("seed", 0), budget=job.get("budget"), model_dir=job.get("model_dir")
    )
    return {**_describe(result), "cpu_seconds": time.process_time() - started}


def _sweep_job(train, space, job: dict) -> dict:
    """Sampled configurations; failures are reported, never raised (whole-space sweeps of real
    bundles are in test_sweeps.py)."""
    dataset = build_dataset(job["dataset"])
    space.seed(job.get("seed", 0))
    configs = list(space.sample_configuration(job["samples"]))
    started = time.perf_counter()
    outcomes = []
    for cfg in configs:
        try:
            cpu = time.process_time()
            outcome = _describe(train(cfg, dataset, 0, budget=job.get("budget")))
            outcomes.append({**outcome, "cpu_seconds": time.process_time() - cpu})
        except Exception:  # the test reports every failing configuration
            config = {name: _plain(value) for name, value in dict(cfg).items()}
            outcomes.append({"error": traceback.format_exc(), "config": config})
    return {"outcomes": outcomes, "seconds": time.perf_counter() - started}


def _summary(value, depth: int):
    """Shapes of tensors, values of scalars, and keys of dicts down to `depth`."""
    if hasattr(value, "shape"):
        return {"shape": list(value.shape)}
    if isinstance(value, dict) and depth > 0:
        return {str(key): _summary(item, depth - 1) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return type(value).__name__


def _torch_files_job(train, space, job: dict) -> dict:
    """Load every .pt file in a folder with weights_only=True (what a reader of a bundle does)."""
    import torch

    files = sorted(Path(job["folder"]).glob("*.pt"))
    return {
        "files": {path.name: _summary(torch.load(path, weights_only=True), 2) for path in files}
    }


def _skops_reload_job(train, space, job: dict) -> dict:
    """Load a saved preprocessor and estimator with skops and predict the scored rows again."""
    import numpy as np
    import skops.io

    loaded, untrusted = {}, set()
    for name in ("preprocessor", "estimator"):
        path = Path(job["folder"]) / f"{name}.skops"
        types = skops.io.get_untrusted_types(file=path)
        untrusted |= set(types)
        loaded[name] = skops.io.load(path, trusted=types)
    split = train.__globals__["_split"](build_dataset(job["dataset"]), job.get("seed", 0))
    predicted = loaded["estimator"].predict(loaded["preprocessor"].transform(split.X_score))
    return {"accuracy": float(np.mean(predicted == split.y_score)), "untrusted": sorted(untrusted)}


JOB_RUNNERS = {"sweep": _sweep_job, "torch_files": _torch_files_job, "skops_reload": _skops_reload_job}


def driver_main(spec_path: str) -> None:
    """Driver process: run the groups of jobs in the JSON file, print one result line."""
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    results = {}
    for index, group in enumerate(spec["groups"]):
        train = _load_train(group["train_py"], index)
        space = tabular_space_for_tests(**group["space"])
        for job in group["jobs"]:
            runner = JOB_RUNNERS.get(job.get("kind"), _run_job)
            try:
                results[job["name"]] = runner(train, space, job)
            except Exception:  # reported to the test that owns the job
                results[job["name"]] = {"error": traceback.format_exc()}
    print(RESULT_PREFIX + json.dumps(results))


# ----------------------------------------------------------------------------- test-process side


def render_bundle(folder: Path, space_args: dict) -> Path:
    """Render, write and format a bundle's train.py for the space that space_args describe."""
    space = tabular_space_for_tests(**space_args)
    # The behaviour tests judge one seeded 80/20 split; k-fold scoring has its own tests
    # (cv_folds in space_args), as have the column kinds (column_kinds).
    settings = {"cv_folds": space_args.get("cv_folds", 0)}
    if space_args.get("column_kinds"):
        kinds = space_args["column_kinds"]
        settings["column_kinds"] = {name: kind for name, kind in kinds.items() if kind != "numeric"}
    source = render_tabular_train(
        space_args["task"], space_defaults(space), fidelity_for(space_args["families"]), **settings
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(source, encoding="utf-8")
    format_tree(folder)
    return folder / "train.py"


def run_drivers(folder: Path, batches: list[list[dict]], timeout: float = 1800) -> dict:
    """Run each batch of job groups in its own driver process, all at once; merge the results.

    Output goes to files, not pipes, so a chatty process never blocks on a full pipe.
    """
    processes = []
    for index, groups in enumerate(batches):
        spec = folder / f"driver_{index}.json"
        spec.write_text(json.dumps({"groups": groups}), encoding="utf-8")
        code = (
            f"import sys; sys.path.insert(0, {str(SUPPORT_DIR)!r}); "
            f"import tabular_driver as t; t.driver_main({str(spec)!r})"
        )
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


def space_args(task, families=ALL_FAMILIES, full_fidelity=False, missing=False, categorical=False, **more):
    """What the test space and train.py are made from; more: cv_folds, column_kinds."""
    return {
        "task": task,
        "families": list(families),
        "full_fidelity": full_fidelity,
        "has_missing": missing,
        "has_categorical": categorical,
        **more,
    }
