"""LoadedData: real data in the train function's dataset-dict form, and the checks it must pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import HpogenError


@dataclass
class LoadedData:
    """Arrays in the train function's dataset-dict form, plus what was learnt reading them."""

    name: str
    type: str
    X: Any
    y: Any
    X_test: Any = None
    y_test: Any = None
    image_shape: tuple[int, int, int] | None = None
    n_categorical: int = 0

    def as_dataset(self) -> dict[str, Any]:
        dataset = {"X": self.X, "y": self.y}
        if self.X_test is not None:
            dataset.update(X_test=self.X_test, y_test=self.y_test)
        return dataset


def validate(data: LoadedData, where: str) -> None:
    """Refuse data that cannot be learnt from: NaN labels, one class, mismatched lengths."""
    import numpy as np

    if len(data.X) != len(data.y):
        raise HpogenError(f"{where}: X has {len(data.X)} rows but y has {len(data.y)}")
    if len(data.X) < 2:
        raise HpogenError(f"{where}: needs at least 2 samples, found {len(data.X)}")
    for label, y in (("y", data.y), ("y_test", data.y_test)):
        if y is not None and _has_nan(np.asarray(y)):
            raise HpogenError(f"{where}: {label} contains NaN labels")
    if data.type == "image" and _has_nan(np.asarray(data.X)):
        raise HpogenError(f"{where}: image X contains NaN values")


def _has_nan(values: Any) -> bool:
    import numpy as np
    import pandas as pd

    if values.dtype.kind in "fc":
        return bool(np.isnan(values).any())
    if values.dtype.kind == "O":
        return bool(pd.isna(values).any())
    return False
