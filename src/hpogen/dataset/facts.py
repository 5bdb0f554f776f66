"""The spec facts that loaded arrays state (task, classes, shape, features and the kind of each
column of a table, missing values)."""

from __future__ import annotations

from typing import Any

from ..errors import HpogenError
from ..tables import table
from . import bundle_tables
from .columns import column_kinds
from .loaded import LoadedData
from .loaders import reading
from .spec import ENCODED_KINDS


def infer_task(y: Any, rules: dict[str, Any] | None = None) -> str:
    """AutoGluon's problem-type inference ([task], HPG-TAB-TASK): strings and booleans are classes;
    so are integer values while they are few, in number and as a share of the rows; two values
    always; anything else is regression. `rules` is the tabular table."""
    import numpy as np

    limits = (rules or table("tabular"))["task"]
    values = _label_values(y)
    if values.dtype.kind not in "fiu":
        return "classification"
    values = _present(values)
    unique = np.unique(values)
    if values.dtype.kind == "f" and not np.all(np.mod(unique, 1) == 0):
        return "regression"
    return task_for_values(len(unique), len(values), limits)


def class_share_limit(n_rows: int, limits: dict[str, Any]) -> float:
    """The largest share of the rows an integer target's distinct values may have as classes."""
    large = n_rows > limits["large_data_rows"]
    return limits["max_class_share_large"] if large else limits["max_class_share_small"]


def task_for_values(n_values: int, n_rows: int, limits: dict[str, Any]) -> str:
    """[task] for an integer target of n_values distinct values over n_rows rows: two values
    are classes; more are while few, in number and as a share of the rows."""
    if n_values == 2:
        return "classification"
    if n_values > limits["max_classes"]:
        return "regression"
    few = n_values <= class_share_limit(n_rows, limits) * n_rows
    return "classification" if few else "regression"


def _label_values(y: Any) -> Any:
    """y as a flat numpy array; a pandas column of (nullable) numbers as floats with NaN."""
    import numpy as np

    if hasattr(y, "to_numpy") and hasattr(y, "dtype"):
        import pandas as pd

        if pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype):
            return y.to_numpy(dtype="float64", na_value=np.nan).ravel()
    return np.asarray(y).ravel()


def facts_from_data(data: LoadedData, task: str | None) -> dict[str, Any]:
    """The spec facts that the arrays state (an image's task is always classification)."""
    import numpy as np

    rules = table("tabular")
    task = task or ("classification" if data.type == "image" else infer_task(data.y, rules))
    facts: dict[str, Any] = {
        "name": data.name,
        "type": data.type,
        "task": task,
        "n_samples": int(len(data.X)),
        "has_test_split": data.X_test is not None,
    }
    labels = np.asarray(data.y).ravel()
    if task == "classification":
        classes = np.unique(labels.astype(str))
        if len(classes) < 2:
            raise HpogenError(f"{data.name}: only one class ({classes[0]!r}) in y: nothing to classify")
        facts["n_classes"] = int(len(classes))
    if data.type == "image":
        facts["image_shape"] = list(data.image_shape)
        return facts
    facts["n_target_values"] = facts.get("n_classes") or _distinct(_label_values(data.y))
    facts.update(table_facts(data, rules))
    return facts


def table_facts(data: LoadedData, rules: dict[str, Any]) -> dict[str, Any]:
    """Features, categorical features and missing values of tabular X; of a DataFrame also the
    kind of each column, refused when no column varies."""
    import pandas as pd

    frame = data.X if hasattr(data.X, "columns") else pd.DataFrame(data.X)
    facts: dict[str, Any] = {
        "n_features": int(frame.shape[1]),
        "has_missing": bool(frame.isna().to_numpy().any()),
    }
    if not hasattr(data.X, "columns"):  # numeric arrays: a non-numeric column is categorical
        facts["n_categorical"] = int(sum(not pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns))
        return facts
    kinds = column_kinds(frame, rules)
    reading(bundle_tables.check_varies, frame, data.name, kinds)
    facts["column_kinds"] = kinds
    facts["n_categorical"] = sum(kind in ENCODED_KINDS for kind in kinds.values())
    return facts


def _distinct(values: Any) -> int:
    import numpy as np

    values = _present(values)
    return int(len(np.unique(values if values.dtype.kind in "biuf" else values.astype(str))))


def _present(values: Any) -> Any:
    """Float values without their NaNs (missing labels); other arrays unchanged."""
    import numpy as np

    return values[~np.isnan(values)] if values.dtype.kind == "f" else values
