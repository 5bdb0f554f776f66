"""Read OpenML insights as upstream tools emit them: a Python-literal or JSON list of setups
whose values are JSON-encoded strings, hpogen's own {name: [values]} map, or the empty-result
sentence. Values are decoded one by one; only a text that is none of these is an error.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from ...errors import HpogenError

EMPTY_SENTENCE = "no openml meta-learning insights available for this dataset"
MAX_DEPTH = 64


@dataclass(frozen=True)
class Skipped:
    """A value that cannot be a suggestion (null, NaN, an object...), with the reason why."""

    reason: str
    shown: str


@dataclass(frozen=True)
class Setup:
    """One OpenML setup (one run's merged flow parameters), or one name of the map form."""

    index: int  # 1-based position in the payload
    params: tuple[tuple[str, Any], ...]  # name -> decoded value or Skipped, in file order
    signs: tuple[str, ...]  # component names found inside object values (keras class_name, ...)


@dataclass(frozen=True)
class Insights:
    form: str  # python-literal, json, map, empty
    setups: tuple[Setup, ...]
    sha256: str

    @property
    def attributed(self) -> bool:
        """Setups from a flow are attributed to a family; the map form names hpogen's own hyperparameters."""
        return self.form != "map"

    def summary(self) -> dict[str, Any]:
        """What the lock file keeps: enough to tell two payloads apart, small whatever the size."""
        return {"form": self.form, "setups": len(self.setups), "sha256": self.sha256}


def parse_text(text: str, where: str) -> Insights:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    stripped = text.strip()
    if stripped.rstrip(".").strip().lower() == EMPTY_SENTENCE:
        return Insights("empty", (), digest)
    raw, form = _literal(stripped, where)
    return parse_value(raw, where, form, digest)


def parse_value(
    raw: Any, where: str = "insights", form: str = "json", digest: str = ""
) -> Insights:
    """Setups from an already-parsed value: a list of dicts, or a map of name to value(s)."""
    if isinstance(raw, list) and all(isinstance(item, dict) for item in raw):
        setups = tuple(_setup(i, item.items()) for i, item in enumerate(raw, start=1))
        return Insights(form, setups, digest)
    if isinstance(raw, dict) and raw and any(isinstance(v, list) for v in raw.values()):
        setups = []
        for name, values in raw.items():
            items = values if isinstance(values, list) else [values]
            if not items:
                raise HpogenError(f"{where}: {str(name)!r} has no values")
            setups.extend(_setup(len(setups) + 1, [(name, v)]) for v in items)
        return Insights("map", tuple(setups), digest)
    if isinstance(raw, dict):
        return Insights(form, (_setup(1, raw.items()),), digest)
    raise HpogenError(
        f"{where}: expected a list of setups ({{name: value}} objects), a {{name: [values]}} object, "
        "or 'No OpenML meta-learning insights available for this dataset.'"
    )


def _literal(text: str, where: str) -> tuple[Any, str]:
    if not text:
        raise HpogenError(f"{where}: the insights text is empty")
    try:
        return json.loads(text), "json"
    except json.JSONDecodeError as exc:
        json_error = f"{exc.msg} at line {exc.lineno}"
    except RecursionError:
        raise HpogenError(f"{where}: insights nested too deeply to read") from None
    try:
        return ast.literal_eval(text), "python-literal"
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise HpogenError(
            f"{where}: neither JSON ({json_error}) nor a Python literal of setups"
        ) from None


def _setup(index: int, items: Any) -> Setup:
    params, signs = [], []
    for name, value in items:
        parsed = _parsed(value)
        params.append((str(name), decode(parsed)))
        signs.extend(component_names(parsed))
    return Setup(index, tuple(params), tuple(dict.fromkeys(signs)))


def _parsed(value: Any) -> Any:
    """A value as OpenML stores it (JSON-encoded text) decoded; text that is not JSON stays text."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        return value.strip()


def decode(value: Any) -> Any:
    """A parsed value -> a scalar suggestion, or Skipped with the reason it cannot be one."""
    if value == "":
        return Skipped("an empty string", "''")
    if value is None:
        return Skipped("null (the flow's default, no number to use)", "null")
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return Skipped("NaN (no value recorded)", "NaN")
        return value if math.isfinite(value) else Skipped("not a finite number", repr(value))
    if isinstance(value, dict | list):
        return Skipped(
            "an object or list (a layer config, a component reference or a tuple)", shorten(value)
        )
    return Skipped(f"a {type(value).__name__}, not a number, string or boolean", shorten(value))


def component_names(value: Any, depth: int = 0) -> list[str]:
    """Names of the components an object value describes: keras class names, sklearn step names."""
    if depth > MAX_DEPTH:
        return []
    names: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("class_name", "step_name", "key") and isinstance(item, str):
                names.append(item.lower())
            else:
                names.extend(component_names(item, depth + 1))
    elif isinstance(value, list):
        for item in value:
            names.extend(component_names(item, depth + 1))
    return names


def shorten(value: Any, limit: int = 40) -> str:
    """A value as the plan shows it: compact JSON-ish text, cut at `limit` characters."""
    try:
        text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    except (ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
