"""The spec facts that loaded arrays state (task, classes, shape, features, missing values)."""

from __future__ import annotations

from typing import Any

from ..errors import HpogenError
from .loaded import LoadedData


def infer_task(y: Any) -> str:
    """Classification for labels that are strings, booleans or few integer values; else regression."""
    import numpy as np

    values = np.asarray(y)
    if values.dtype.kind not in "fiu":
        return "classification"
    unique = np.unique(values)
    integral = values.dtype.kind in "iu" or bool(np.all(np.mod(unique, 1) == 0))
    return "classification" if integral and len(unique) <= min(100, len(values) // 2) else "regression"


def facts_from_data(data: LoadedData, task: str | None) -> dict[str, Any]:
    """The spec facts that the arrays state."""
    import numpy as np
    import pandas as pd

    task = task or infer_task(data.y)
    facts: dict[str, Any] = {
        "name": data.name,
        "type": data.type,
        "task": task,
        "n_samples": int(len(data.X)),
        "has_test_split": data.X_test is not None,
    }
    if task == "classification":
        classes = np.unique(np.asarray(data.y).astype(str))
        if len(classes) < 2:
            raise HpogenError(f"{data.name}: only one class ({classes[0]!r}) in y: nothing to classify")
        facts["n_classes"] = int(len(classes))
    if data.type == "image":
        facts["image_shape"] = list(data.image_shape)
    else:
        frame = pd.DataFrame(data.X)
        facts["n_features"] = int(frame.shape[1])
        facts["n_categorical"] = int(sum(1 for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])))
        facts["has_missing"] = bool(frame.isna().to_numpy().any())
    return facts
