"""DatasetSpec: the facts about a dataset that every decision is made from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..errors import HpogenError
from ..inputs import first_line, read_text, reads_stdin
from ..tables import table

DATASET_TYPES = ("image", "tabular", "time_series")
TASKS = ("classification", "regression", "forecasting")
# keys that only data read from a table states; to_dict leaves them out when unknown
OPTIONAL_TABLE_KEYS = ("n_target_values", "column_kinds")
# keys of whole-series data (type time_series); to_dict leaves them out for other types
SERIES_KEYS = ("n_channels", "min_length", "max_length", "class_counts", "target_range")
# keys of forecasting data (type time_series, task forecasting); to_dict leaves them out otherwise
FORECAST_KEYS = ("n_series", "horizon", "frequency", "season_length", "covariates", "time_column",
                 "target_column", "id_column")
COVARIATE_KINDS = ("known", "past")
MIN_SERIES_LENGTH = 3
# the column kinds that pass train.py's categorical encoder (what n_categorical counts)
ENCODED_KINDS = ("categorical", "boolean")


@dataclass(frozen=True)
class DatasetSpec:
    """Strictly validated dataset facts; build with `DatasetSpec.from_dict`."""

    name: str
    type: str
    task: str
    n_samples: int
    n_classes: int | None = None
    # tabular: how many distinct values the target holds (what the task rule went by)
    n_target_values: int | None = None
    image_shape: tuple[int, int, int] | None = None
    n_features: int | None = None
    n_categorical: int = 0
    # tabular, read from a table: (column name, kind) per column, in order (rules [columns])
    column_kinds: tuple[tuple[str, str], ...] | None = None
    has_missing: bool = False
    has_test_split: bool = False
    description: str = ""
    # time series: channels per series and the shortest and longest series
    n_channels: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    # time series, when read from data: series per class label (classification), the target's range (regression)
    class_counts: tuple[tuple[str, int], ...] | None = None
    target_range: tuple[float, float] | None = None
    # forecasting: series, the points to forecast, the time grid's pandas alias (None: integer
    # steps) and its season (rules/bundle/forecasting.toml [season] when not stated), the numeric
    # covariates (name, "known" or "past"), and the columns a CSV is read by
    n_series: int | None = None
    horizon: int | None = None
    frequency: str | None = None
    season_length: int | None = None
    covariates: tuple[tuple[str, str], ...] | None = None
    time_column: str | None = None
    target_column: str | None = None
    id_column: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DatasetSpec:
        if not isinstance(raw, dict):
            raise HpogenError("spec: expected a JSON/YAML object of dataset facts")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise HpogenError(f"spec: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(known))})")
        values = dict(raw)
        _require(values, "type")
        values["type"] = _choice(values["type"], "type", DATASET_TYPES)
        values.setdefault("task", "classification")
        values["task"] = _choice(values["task"], "task", TASKS)
        values.setdefault("name", f"custom_{values['type']}")
        _require(values, "n_samples")
        values["n_samples"] = _positive_int(values["n_samples"], "n_samples")
        for key in ("has_missing", "has_test_split"):
            values[key] = _boolean(values.get(key, False), key)
        _check_column_kinds(values)
        values["n_categorical"] = _non_negative_int(values.get("n_categorical", 0), "n_categorical")
        for key in ("name", "description"):
            if not isinstance(values.get(key, ""), str):
                raise HpogenError(f"spec: {key} must be a string")
        if not values["name"].strip():
            raise HpogenError("spec: name must not be empty")
        _check_task(values)
        if values["task"] == "forecasting":
            from .forecast_spec import check_forecast

            check_forecast(values)
        elif values["type"] == "time_series":
            _check_series(values)
        else:
            _check_shape(values)
        _check_table_facts(values)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The facts as plain data; the optional keys a table adds are left out when unknown."""
        data = asdict(self)
        if self.image_shape is not None:
            data["image_shape"] = list(self.image_shape)
        for key in OPTIONAL_TABLE_KEYS:
            if data[key] is None:
                del data[key]
        if self.column_kinds is not None:
            data["column_kinds"] = dict(self.column_kinds)
        for key in SERIES_KEYS:
            if data[key] is None:
                del data[key]
        if self.class_counts is not None:
            data["class_counts"] = dict(self.class_counts)
        if self.target_range is not None:
            data["target_range"] = list(self.target_range)
        if self.task != "forecasting":
            for key in FORECAST_KEYS:
                del data[key]
        elif self.covariates is not None:
            data["covariates"] = dict(self.covariates)
        return data

    @property
    def forecasting(self) -> bool:
        return self.task == "forecasting"

    @property
    def equal_length(self) -> bool:
        return self.min_length == self.max_length

    @property
    def n_values(self) -> int:
        """Values a model reads: series x longest length x channels (time series), else rows x features."""
        if self.forecasting:
            return self.n_samples
        if self.type == "time_series":
            return self.n_samples * int(self.max_length) * int(self.n_channels)
        return self.n_samples * int(self.n_features or 1)

    def bundle_facts(self) -> dict[str, Any]:
        """What bundle_data.check_fits compares data with (run_hpo.py holds the same dict)."""
        keys = ("name", "type", "task", "image_shape", "n_features", "n_classes", "column_kinds", "n_channels",
                "horizon", "frequency", "covariates", "time_column", "target_column", "id_column")
        return {key: value for key, value in self.to_dict().items() if key in keys}

    @property
    def slug(self) -> str:
        """The name as a safe folder/run name."""
        cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in self.name.strip().lower())
        return cleaned.strip("-") or self.type


def load_spec_file(path: Path) -> dict[str, Any]:
    """Read a JSON or YAML spec file into a plain dict (validation happens in from_dict)."""
    text = read_text(path, "spec")
    where = "standard input" if reads_stdin(path) else str(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml(text, where)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if reads_stdin(path):  # no suffix to go by: JSON first, then YAML
            return _yaml(text, where)
        raise HpogenError(f"{where}: malformed JSON ({exc.msg} at line {exc.lineno})") from None


def _yaml(text: str, where: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise HpogenError(f"{where}: malformed YAML ({first_line(exc)})") from None


def _require(values: dict[str, Any], key: str) -> None:
    if values.get(key) is None:
        raise HpogenError(f"spec: {key} is required")


def _choice(value: Any, key: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise HpogenError(f"spec: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _positive_int(value: Any, key: str) -> int:
    number = _non_negative_int(value, key)
    if number == 0:
        raise HpogenError(f"spec: {key} must be positive, not 0")
    return number


def _non_negative_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise HpogenError(f"spec: {key} must be an integer, not {value!r}")
    if value < 0:
        raise HpogenError(f"spec: {key} must not be negative, not {value}")
    return value


def _boolean(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise HpogenError(f"spec: {key} must be true or false, not {value!r}")
    return value


def _check_task(values: dict[str, Any]) -> None:
    n_classes = values.get("n_classes")
    if values["task"] == "forecasting":
        if values["type"] != "time_series":
            raise HpogenError("spec: forecasting is a task of time_series data (give --dataset-type time_series)")
        if n_classes is not None:
            raise HpogenError("spec: n_classes must be omitted for forecasting")
        return
    if values["task"] == "regression":
        if n_classes is not None:
            raise HpogenError("spec: n_classes must be omitted for regression")
        if values["type"] == "image":
            raise HpogenError("spec: image regression is not supported (image task must be classification)")
        return
    if n_classes is None:
        raise HpogenError("spec: n_classes is required for classification")
    values["n_classes"] = _positive_int(n_classes, "n_classes")
    if values["n_classes"] < 2:
        raise HpogenError("spec: n_classes must be at least 2 (one class only cannot be learned)")
    if values["n_classes"] > values["n_samples"]:
        raise HpogenError("spec: n_classes cannot exceed n_samples")


def _check_shape(values: dict[str, Any]) -> None:
    shape = values.get("image_shape")
    if values["type"] == "image":
        if shape is None:
            raise HpogenError("spec: image_shape [channels, height, width] is required for image data")
        if not isinstance(shape, list | tuple) or len(shape) != 3:
            raise HpogenError(f"spec: image_shape must be [channels, height, width], not {shape!r}")
        values["image_shape"] = tuple(_positive_int(v, "image_shape") for v in shape)
        if values["image_shape"][0] not in (1, 3):
            raise HpogenError("spec: image_shape channels must be 1 (grayscale) or 3 (RGB)")
        channels, height, width = values["image_shape"]
        features = values.get("n_features")
        if features is not None and _positive_int(features, "n_features") != channels * height * width:
            raise HpogenError("spec: n_features must equal channels*height*width for image data")
        values["n_features"] = channels * height * width
        if values["n_categorical"] or values["has_missing"]:
            raise HpogenError("spec: n_categorical and has_missing apply to tabular data only")
        return
    if shape is not None:
        raise HpogenError("spec: image_shape applies to image data only")
    _require(values, "n_features")
    values["n_features"] = _positive_int(values["n_features"], "n_features")
    if values["n_categorical"] > values["n_features"]:
        raise HpogenError("spec: n_categorical cannot exceed n_features")


def _check_series(values: dict[str, Any]) -> None:
    """n_channels and the length range of whole series; class counts and target range when read from data."""
    for key in ("image_shape", "n_features"):
        if values.get(key) is not None:
            raise HpogenError(f"spec: {key} does not apply to time series (give n_channels, min_length, max_length)")
    if values["n_categorical"]:
        raise HpogenError("spec: n_categorical applies to tabular data only")
    for key in ("n_channels", "min_length", "max_length"):
        _require(values, key)
        values[key] = _positive_int(values[key], key)
    if values["min_length"] > values["max_length"]:
        raise HpogenError(f"spec: min_length ({values['min_length']}) exceeds max_length ({values['max_length']})")
    if values["min_length"] < MIN_SERIES_LENGTH:
        raise HpogenError(f"spec: a series of length {values['min_length']} is too short (at least {MIN_SERIES_LENGTH} points)")
    counts = values.get("class_counts")
    if counts is not None:
        if values["task"] != "classification" or not isinstance(counts, dict) or not counts:
            raise HpogenError("spec: class_counts must map each class label to its count, for classification only")
        pairs = tuple((str(label), _positive_int(count, "class_counts")) for label, count in counts.items())
        if len(pairs) != values["n_classes"] or sum(c for _, c in pairs) != values["n_samples"]:
            raise HpogenError("spec: class_counts must name n_classes labels whose counts add up to n_samples")
        values["class_counts"] = pairs
    span = values.get("target_range")
    if span is not None:
        if values["task"] != "regression" or not isinstance(span, list | tuple) or len(span) != 2 \
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in span) or not span[0] < span[1]:
            raise HpogenError(f"spec: target_range must be [low, high] with low < high, for regression only, not {span!r}")
        values["target_range"] = (float(span[0]), float(span[1]))


def _check_column_kinds(values: dict[str, Any]) -> None:
    """column_kinds: a mapping of column name to kind, stored as (name, kind) pairs; n_categorical
    follows from it when not given."""
    kinds = values.get("column_kinds")
    if kinds is None:
        return
    if not isinstance(kinds, dict) or not kinds:
        raise HpogenError(f"spec: column_kinds must map column names to kinds, not {kinds!r}")
    allowed = tuple(table("tabular")["columns"]["kinds"])
    for name, kind in kinds.items():
        if not isinstance(name, str) or not name.strip():
            raise HpogenError(f"spec: column_kinds names must be non-empty strings, not {name!r}")
        if kind not in allowed:
            raise HpogenError(f"spec: column_kinds[{name!r}] must be one of {', '.join(allowed)}, not {kind!r}")
    values["column_kinds"] = tuple(kinds.items())
    encoded = sum(kind in ENCODED_KINDS for kind in kinds.values())
    values.setdefault("n_categorical", encoded)
    if values["n_categorical"] != encoded:
        raise HpogenError(
            f"spec: n_categorical must be {encoded}, the categorical and boolean columns of column_kinds, "
            f"not {values['n_categorical']!r}"
        )


def _check_table_facts(values: dict[str, Any]) -> None:
    """column_kinds and n_target_values describe a table: its columns, its target's values."""
    for key in OPTIONAL_TABLE_KEYS:
        if values.get(key) is not None and values["type"] != "tabular":
            raise HpogenError(f"spec: {key} applies to tabular data only")
    for key in SERIES_KEYS:
        if values.get(key) is not None and values["type"] != "time_series":
            raise HpogenError(f"spec: {key} applies to time series only")
    for key in FORECAST_KEYS:
        if values.get(key) is not None and values["task"] != "forecasting":
            raise HpogenError(f"spec: {key} applies to forecasting only (--task forecasting)")
    kinds = values.get("column_kinds")
    if kinds is not None and len(kinds) != values["n_features"]:
        raise HpogenError(f"spec: column_kinds names {len(kinds)} columns, but n_features is {values['n_features']}")
    target_values = values.get("n_target_values")
    if target_values is None:
        return
    values["n_target_values"] = _positive_int(target_values, "n_target_values")
    if values["n_target_values"] > values["n_samples"]:
        raise HpogenError("spec: n_target_values cannot exceed n_samples")
    if values["task"] == "classification" and values["n_target_values"] != values["n_classes"]:
        raise HpogenError(
            f"spec: n_target_values ({values['n_target_values']}) must equal n_classes ({values['n_classes']}) "
            "for classification"
        )
