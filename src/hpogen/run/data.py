"""The data of a run: loaded as `hpogen generate` loads it, checked against the bundle, split.

The optimisation only ever sees the train+validation part; the test part is kept for the final
evaluation of the incumbent. Reading, checking and splitting are bundle_data's, shared with the
bundle's standalone run_hpo.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dataset import bundle_data
from ..dataset.bundle_data import split_rows, take
from ..dataset.embedded import embedded_loader, embedded_names, load_embedded
from ..dataset.loaded import LoadedData
from ..dataset.loaders import as_loaded, reading, warn
from ..dataset.spec import DatasetSpec
from ..errors import HpogenError

__all__ = ["RunData", "load_run_data", "split_rows", "take", "data_fingerprint"]

TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.2


@dataclass
class RunData:
    """Train+validation rows for the optimisation, test rows for the end, and where they came from."""

    source: str
    X: Any
    y: Any
    X_test: Any
    y_test: Any
    test_from_data: bool
    fingerprint: str
    # forecasting: the other keys train() reads (times, ids, lengths, the test's times)
    context: dict[str, Any] = field(default_factory=dict)

    def describe(self, seed: int) -> dict[str, Any]:
        if "horizon" in self.context:
            horizon = self.context["horizon"]
            return {"source": self.source, "n_series": len(self.y), "n_trainval": int(sum(self.context["lengths"])),
                    "n_test": int(len(self.y) * horizon), "test_split": f"the last {horizon} points of every series"}
        how = (
            "the data's own test split"
            if self.test_from_data
            else f"{TEST_FRACTION:.0%} held out (seed {seed})"
        )
        return {
            "source": self.source,
            "n_trainval": len(self.X),
            "n_test": len(self.X_test),
            "test_split": how,
        }


def load_run_data(
    spec: DatasetSpec, data: Path | None, dataset: str | None, target: str | None, seed: int,
    cache_dir: Path | None = None,
) -> RunData:
    """The run's data, refused with one line when it does not fit the bundle's spec.

    Read, checked and split by bundle_data, as the bundle's run_hpo.py does; a folder of images
    is decoded once into `cache_dir` (bundle_data.bundle_cache) and read from there by every
    later run.
    """
    if data is not None and dataset is not None:
        raise HpogenError("give only one of --data and --dataset")
    if spec.forecasting:
        return _forecast_run_data(spec, data, dataset)
    if data is not None:
        data = data.expanduser().resolve()
        arrays = reading(bundle_data.read_for_bundle, data, spec.bundle_facts(), target, cache_dir)
        warn(arrays)
        loaded, source = as_loaded(arrays, data.name), str(data)
    else:
        name = dataset or spec.name
        if dataset is None and name not in embedded_names():
            raise HpogenError(
                f"bundle {spec.name!r} was made for data that is not embedded: pass --data PATH"
            )
        loaded, source = load_embedded(name), f"embedded:{name}"
        arrays = {**loaded.as_dataset(), "kind": loaded.type, "image_shape": loaded.image_shape}
        reading(bundle_data.check_fits, arrays, spec.bundle_facts(), f"embedded dataset {name!r}")
    trainval, test = bundle_data.hold_out(arrays, spec.task, seed, TEST_FRACTION)
    return RunData(source, trainval["X"], trainval["y"], test["X"], test["y"],
                   loaded.X_test is not None, data_fingerprint(loaded))


def _forecast_run_data(spec: DatasetSpec, data: Path | None, dataset: str | None) -> RunData:
    """Series to forecast, their last `horizon` points held out as the test."""
    if data is not None:
        data = data.expanduser().resolve()
        arrays, source = reading(bundle_data.read_for_bundle, data, spec.bundle_facts()), str(data)
    else:
        name = dataset or spec.name
        if name not in embedded_names():
            raise HpogenError(f"bundle {spec.name!r} was made for data that is not embedded: pass --data PATH")
        arrays, source = reading(bundle_data.read_embedded, embedded_loader(name)), f"embedded:{name}"
        reading(bundle_data.check_fits, arrays, spec.bundle_facts(), f"embedded dataset {name!r}")
    warn(arrays)
    trainval, test = reading(bundle_data.hold_out, arrays, spec.task, 0, TEST_FRACTION, spec.horizon)
    context = {key: trainval[key] for key in ("time", "lengths", "ids")}
    context.update(time_test=test["time"], horizon=spec.horizon)
    digest = hashlib.sha256()
    for part in (arrays["y"], arrays["X"]):
        digest.update(_array_bytes(part))
    return RunData(source, trainval["X"], trainval["y"], test["X"], test["y"], True, digest.hexdigest(), context)


def data_fingerprint(data: LoadedData) -> str:
    """A digest of the arrays' contents, so a resumed run can tell that its data changed.

    Data read through a cache is named by the cache's key (its files' names, sizes and times).
    """
    if data.fingerprint is not None:
        return data.fingerprint
    digest = hashlib.sha256()
    for part in (data.X, data.y, data.X_test, data.y_test):
        digest.update(_array_bytes(part))
        digest.update(b"\0")
    return digest.hexdigest()


def _array_bytes(values: Any) -> bytes:
    import numpy as np
    import pandas as pd

    if values is None:
        return b"none"
    if isinstance(values, pd.DataFrame | pd.Series):
        names = repr(
            list(values.columns) if isinstance(values, pd.DataFrame) else values.name
        ).encode()
        return names + pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes()
    if isinstance(values, np.memmap) and values.filename:  # never read a mapped file whole
        stat = Path(values.filename).stat()
        return repr((values.filename, stat.st_size, stat.st_mtime_ns, values.shape, values.offset)).encode()
    array = np.asarray(values)
    if array.dtype.kind == "O":
        array = array.astype(str)
    return repr((array.shape, array.dtype.str)).encode() + np.ascontiguousarray(array).tobytes()
