"""LoadedData: real data in the train function's dataset-dict form (the checks it must pass are
bundle_data's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    # a digest that stands for the data (a decoded-image cache's key), when reading made one
    fingerprint: str | None = None

    def as_dataset(self) -> dict[str, Any]:
        dataset = {"X": self.X, "y": self.y}
        if self.X_test is not None:
            dataset.update(X_test=self.X_test, y_test=self.y_test)
        return dataset

