"""The SMAC target of `hpogen run`: one trial is one call of the bundle's train().

`trial_loss` is a module-level function, so it pickles by reference. The bundle's code and data
travel as a plain "job" dict: in process through `activate`, to dask workers as scattered data,
where train.py is compiled from the job's verified source (the bundle folder need not be there).
Only the standard library is imported here, so unpickling on a worker stays cheap.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from typing import Any

# The job of the in-process (single worker) run.
_ACTIVE: dict[str, Any] = {}

# Metrics per class are left out of SMAC's runhistory to keep it small.
_PER_CLASS = "_class_"
_SKLEARN_IN_DASK = "`sklearn.utils.parallel.delayed` should be used"


def make_job(
    train_source: str,
    module_name: str,
    train_path: str,
    dataset: dict[str, Any],
    checkpoint_dir: str,
) -> dict[str, Any]:
    """Everything a trial needs, as plain picklable data."""
    return {
        "train_source": train_source,
        "module_name": module_name,
        "train_path": train_path,
        "dataset": dataset,
        "checkpoint_dir": checkpoint_dir,
    }


def activate(job: dict[str, Any] | None) -> None:
    """Set (or clear, with None) the job of in-process trials."""
    _ACTIVE.clear()
    if job is not None:
        _ACTIVE["job"] = job


def trial_loss(
    config: Any,
    seed: int = 0,
    budget: float | None = None,
    data_to_scatter: dict[str, Any] | None = None,
) -> tuple[float, dict[str, Any]]:
    """Train config at budget (None: full fidelity); return (loss, metrics for the runhistory)."""
    job = next(iter(data_to_scatter.values())) if data_to_scatter else _ACTIVE["job"]
    train = bundle_train(job)
    dataset = {**job["dataset"], "checkpoint_dir": job["checkpoint_dir"]}
    with warnings.catch_warnings():
        # scikit-learn warns on every joblib call made from a dask worker thread; harmless here.
        warnings.filterwarnings("ignore", message=_SKLEARN_IN_DASK, category=UserWarning)
        metrics = train(config, dataset, int(seed), None if budget is None else float(budget))
    info = {str(k): _plain(v) for k, v in metrics.items() if _PER_CLASS not in str(k)}
    return float(metrics["loss"]), info


def bundle_train(job: dict[str, Any]) -> Any:
    """The job's train function: the already loaded module, or one compiled from its source."""
    name = job["module_name"]
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_loader(name, loader=None, origin=job["train_path"])
        module = importlib.util.module_from_spec(spec)
        module.__file__ = job["train_path"]
        sys.modules[name] = module
        try:
            exec(compile(job["train_source"], job["train_path"], "exec"), module.__dict__)  # noqa: S102
        except BaseException:
            del sys.modules[name]
            raise
    return module.train


def _plain(value: Any) -> Any:
    """A JSON-native number for numpy scalars (runhistory.json is plain JSON)."""
    if hasattr(value, "item"):
        return value.item()
    return value
