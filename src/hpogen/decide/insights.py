"""OpenML meta-learning suggestions: parse them, map them onto the space, or say why not."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import HpogenError
from ..inputs import read_text
from ..tables import table
from .decisions import Hyperparameter, IgnoredInsight

# name -> every suggested value, in file order
Insights = dict[str, list[Any]]


def load_insights(path: Path) -> Insights:
    text = read_text(path, "insights")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HpogenError(f"{path}: malformed insights JSON ({exc.msg} at line {exc.lineno})") from None
    return parse_insights(raw, str(path))


def parse_insights(raw: Any, where: str = "insights") -> Insights:
    """Accept a list of {name: value} configurations or a {name: [values]} map."""
    merged: Insights = {}
    if isinstance(raw, list) and all(isinstance(item, dict) for item in raw):
        for config in raw:
            for name, value in config.items():
                merged.setdefault(str(name), []).append(_scalar(value, name, where))
    elif isinstance(raw, dict):
        for name, values in raw.items():
            items = values if isinstance(values, list) else [values]
            if not items:
                raise HpogenError(f"{where}: {name!r} has no values")
            merged[str(name)] = [_scalar(v, name, where) for v in items]
    else:
        raise HpogenError(f"{where}: expected a list of {{hyperparameter: value}} objects or a {{hyperparameter: [values]}} object")
    return merged


def _scalar(value: Any, name: str, where: str) -> Any:
    if isinstance(value, bool | int | float | str) and value == value:  # NaN != NaN
        return value
    raise HpogenError(f"{where}: value of {name!r} must be a number, string or boolean, not {value!r}")


def apply_insights(
    hyperparameters: tuple[Hyperparameter, ...], insights: Insights | None, dataset_type: str
) -> tuple[tuple[Hyperparameter, ...], tuple[IgnoredInsight, ...]]:
    """Move defaults to the suggested values and widen ranges to hold them."""
    if not insights:
        return hyperparameters, ()
    rules = table("insights")
    by_name = {hp.name: hp for hp in hyperparameters}
    grouped: dict[str, list[Any]] = {}
    sources: dict[str, list[str]] = {}
    ignored: list[IgnoredInsight] = []
    for name, values in insights.items():
        target = _target_name(name, by_name, rules[dataset_type])
        if target is None:
            ignored.append(IgnoredInsight(name, _summary(values), "no hyperparameter of this space has that name"))
            continue
        grouped.setdefault(target, []).extend(values)
        sources.setdefault(target, []).append(name)
    for target, values in grouped.items():
        updated, reason = _apply_one(by_name[target], values, rules)
        if updated is None:
            ignored.append(IgnoredInsight("+".join(sources[target]), _summary(values), reason))
        else:
            by_name[target] = updated
    return tuple(by_name[hp.name] for hp in hyperparameters), tuple(ignored)


def _target_name(name: str, by_name: dict[str, Hyperparameter], aliases: dict[str, str]) -> str | None:
    if name in by_name:
        return name
    key = name.lower().replace(".", "_").replace("-", "_")
    target = aliases.get(key, key)
    return target if target in by_name else None


def _summary(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _apply_one(hp: Hyperparameter, values: list[Any], rules: dict[str, Any]) -> tuple[Hyperparameter | None, str]:
    rule = rules["id"]
    if hp.kind in ("categorical",):
        return _apply_categorical(hp, values, rules)
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) != len(values):
        return None, f"{hp.name} is numeric, the suggestion is not"
    if hp.kind == "ordinal":
        return _apply_ordinal(hp, numbers, rule)
    if hp.log and min(numbers) <= 0:
        return None, f"{hp.name} is on a log scale and needs values > 0"
    lo, hi = rules["safe"].get(hp.name, [float("-inf"), float("inf")])
    if min(numbers) < lo or max(numbers) > hi:
        return None, f"outside the safe range [{lo:g}, {hi:g}] the train function supports"
    centre = statistics.median(numbers)
    cast = int if hp.kind == "int" else float
    value = cast(round(centre)) if hp.kind == "int" else cast(centre)
    low, high = cast(min(hp.lower, *numbers)), cast(max(hp.upper, *numbers))
    reason = f"OpenML insight: default {value:g} (median of {len(numbers)}), range [{low:g}, {high:g}]"
    return replace(hp, default=value, lower=low, upper=high, rule=rule, reason=reason), ""


def _apply_categorical(hp: Hyperparameter, values: list[Any], rules: dict[str, Any]) -> tuple[Hyperparameter | None, str]:
    mapped = []
    for value in values:
        match = _match_choice(value, hp.choices, rules["values"])
        if match is None:
            return None, f"{value!r} is not one of {hp.name}'s choices {list(hp.choices)}"
        mapped.append(match)
    choice = Counter(mapped).most_common(1)[0][0]
    reason = f"OpenML insight: default {choice!r} (most frequent of {len(mapped)})"
    return replace(hp, default=choice, rule=rules["id"], reason=reason), ""


def _match_choice(value: Any, choices: tuple[Any, ...], value_aliases: dict[str, str]) -> Any:
    for choice in choices:
        if type(choice) is type(value) and choice == value:
            return choice
    if isinstance(value, str):
        key = value.lower().replace(".", "_").replace("-", "_").replace(" ", "_")
        key = value_aliases.get(key, key)
        for choice in choices:
            if isinstance(choice, str) and choice.lower() == key:
                return choice
    return None


def _apply_ordinal(hp: Hyperparameter, numbers: list[float], rule: str) -> tuple[Hyperparameter | None, str]:
    ints = [int(n) for n in numbers]
    if any(n != i or i < 1 or i & (i - 1) for n, i in zip(numbers, ints, strict=True)):
        return None, f"{hp.name} takes powers of two"
    choices = tuple(sorted(set(hp.choices) | set(ints)))
    value = int(statistics.median_low(ints))
    reason = f"OpenML insight: default {value} (median of {len(ints)}), choices {list(choices)}"
    return replace(hp, default=value, choices=choices, rule=rule, reason=reason), ""
