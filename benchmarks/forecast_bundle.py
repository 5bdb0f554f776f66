"""A shipped forecasting set's generated train.py, loaded in this process, and its split (shared by
the forecasting benchmarks beside this file)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

HPOGEN = str(Path(sys.executable).with_name("hpogen"))


def generated_train(name: str, work: Path) -> tuple:
    """(train module, trainval, dataset with the test): `hpogen generate --dataset NAME` into
    work/NAME, its train.py loaded, the data split as hpogen run splits it (the last horizon
    points of every series are the test)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from hpogen.dataset.bundle_forecast import embedded_forecast, hold_out_horizon

    bundle = Path(work) / name
    subprocess.run([HPOGEN, "generate", "--dataset", name, "--out", str(bundle)], check=True, capture_output=True)
    spec = importlib.util.spec_from_file_location(f"train_{bundle.name}", bundle / "train.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    trainval, test = hold_out_horizon(embedded_forecast(name), train.HORIZON)
    return train, trainval, {**trainval, "y_test": test["y"], "X_test": test["X"], "time_test": test["time"]}
