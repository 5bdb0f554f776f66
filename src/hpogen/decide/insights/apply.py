"""Map OpenML suggestions onto the space: each setup's values go only to hyperparameters of the
family it came from, several values of one hyperparameter are combined (median, most frequent),
and every value not used is recorded with the reason.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from ...tables import table
from ..decisions import Hyperparameter, InsightRecord
from . import families as fam
from .payload import Insights, Setup, Skipped, shorten


@dataclass
class _Candidate:
    record: int  # position of its record, rewritten once the hyperparameter is decided
    value: Any


def apply_insights(
    hyperparameters: tuple[Hyperparameter, ...], insights: Insights | None, dataset_type: str
) -> tuple[tuple[Hyperparameter, ...], tuple[InsightRecord, ...]]:
    """Move defaults to the suggested values and widen ranges (within the safe limits) to hold them."""
    if insights is None or not insights.setups:
        return hyperparameters, ()
    by_name = {hp.name: hp for hp in hyperparameters}
    records: list[InsightRecord] = []
    candidates: dict[str, list[_Candidate]] = {}
    seen: dict[str, int] = {}
    for setup in insights.setups:
        twin = _repeat_of(setup, seen) if insights.attributed else None
        if twin is not None:
            family = fam.attribute(setup).family or ""
            records += [
                _ignored(
                    setup,
                    family,
                    name,
                    value,
                    "repeats an earlier setup apart from its seed",
                    f"setup {twin}",
                )
                for name, value in setup.params
            ]
            continue
        for target, record in _setup_records(setup, insights.attributed, by_name, dataset_type):
            if target is not None:
                candidates.setdefault(target, []).append(_Candidate(len(records), record.value))
            records.append(record)
    rules = table("insights")
    for target, found in candidates.items():
        by_name[target] = _decide_one(by_name[target], found, records, rules)
    return tuple(by_name[hp.name] for hp in hyperparameters), tuple(records)


def _repeat_of(setup: Setup, seen: dict[str, int]) -> int | None:
    seeds = fam.seed_keys()
    key = json.dumps(
        [(n, _plain(v)) for n, v in setup.params if n not in seeds], sort_keys=True, default=str
    )
    if key in seen:
        return seen[key]
    seen[key] = setup.index
    return None


def _plain(value: Any) -> Any:
    return value.shown if isinstance(value, Skipped) else value


def _setup_records(
    setup: Setup, attributed: bool, by_name: dict[str, Hyperparameter], dataset_type: str
) -> list[tuple[str | None, InsightRecord]]:
    """(target hyperparameter or None, record) for each value of one setup."""
    if not attributed:
        aliases = table("insights")[dataset_type]
        return [
            _one(setup, "named", name, value, _alias_target(name, by_name, aliases), {}, by_name)
            for name, value in setup.params
        ]
    who = fam.attribute(setup)
    if who.family is None:
        return [
            (None, _ignored(setup, "", name, value, "setup matches no model family", who.reason))
            for name, value in setup.params
        ]
    mapping = fam.targets(who.family, dataset_type)
    if not mapping:
        reason = f"from a {who.label}: no hyperparameter of the {dataset_type} space belongs to that family"
        return [
            (None, _ignored(setup, who.family, name, value, reason, who.reason))
            for name, value in setup.params
        ]
    shadows = fam.shadowed(setup)
    out = [
        _one(setup, who.family, name, value, mapping.get(fam.normal(name)), shadows, by_name)
        for name, value in setup.params
    ]
    choice = fam.algorithm_choice(who.family)
    if choice is not None and "algorithm" in by_name:  # the setup's family votes for its branch
        vote = InsightRecord(
            setup.index, who.family, "(family)", choice, "algorithm", False, "", who.reason
        )
        if choice in by_name["algorithm"].choices:
            out.append(("algorithm", vote))
        else:
            out.append(
                (
                    None,
                    replace(
                        vote,
                        target=None,
                        reason="its family's branch is not in this space (the size rules left it out)",
                    ),
                )
            )
    return out


def _one(
    setup: Setup,
    family: str,
    name: str,
    value: Any,
    target: str | None,
    shadows: dict[str, str],
    by_name: dict[str, Hyperparameter],
) -> tuple[str | None, InsightRecord]:
    key = fam.normal(name)
    reason, detail = "", ""
    if key in fam.bookkeeping():
        reason = "bookkeeping (seeds, logging, pipeline plumbing), not a hyperparameter"
    elif isinstance(value, Skipped):
        reason = value.reason
    elif target is None:
        reason = (
            "no hyperparameter of this space has that name"
            if family == "named"
            else f"a {fam.family_label(family)} parameter with no counterpart in this space"
        )
    elif target not in by_name:
        reason = f"{target} is not in this space (the size rules left its branch out)"
    elif key in shadows:
        component, detail = shadows[key]
        reason = f"shared with a merged {component} component, so the value may be that component's"
    if reason:
        return None, _ignored(setup, family, name, value, reason, detail)
    return target, InsightRecord(setup.index, family, name, value, target, False, "", "")


def _ignored(
    setup: Setup, family: str, name: str, value: Any, reason: str, detail: str
) -> InsightRecord:
    shown = value.shown if isinstance(value, Skipped) else value
    if isinstance(shown, str) and len(shown) > 40:
        shown = shorten(shown)
    return InsightRecord(setup.index, family, name, shown, None, False, reason, detail)


def _alias_target(
    name: str, by_name: dict[str, Hyperparameter], aliases: dict[str, str]
) -> str | None:
    if name in by_name:
        return name
    key = fam.normal(name)
    return aliases.get(key, key if key in by_name else None)


def _decide_one(
    hp: Hyperparameter, found: list[_Candidate], records: list[InsightRecord], rules: dict[str, Any]
) -> Hyperparameter:
    """Check each value on its own, combine the ones that fit, and rewrite their records."""
    kept: list[tuple[_Candidate, Any]] = []
    for candidate in found:
        value, why = _fit(hp, candidate.value, rules)
        if why:
            records[candidate.record] = replace(
                records[candidate.record], reason=why[0], detail=why[1]
            )
        else:
            kept.append((candidate, value))
    if not kept:
        return hp
    values = [value for _, value in kept]
    updated = _combined(hp, values, rules["id"])
    sources = _sources([records[c.record] for c, _ in kept])
    updated = replace(updated, reason=f"{updated.reason}; from {sources}")
    for candidate, _ in kept:
        records[candidate.record] = replace(
            records[candidate.record], applied=True, reason=f"used for {hp.name}: {updated.reason}"
        )
    return updated


def _sources(used: list[InsightRecord]) -> str:
    if all(r.family == "named" for r in used):
        return "the named suggestions"
    setups = ", ".join(str(s) for s in sorted({r.setup for r in used}))
    families = ", ".join(sorted({fam.family_label(r.family) for r in used if r.family != "named"}))
    return f"setup{'s' if ',' in setups else ''} {setups} ({families})"


def _fit(
    hp: Hyperparameter, value: Any, rules: dict[str, Any]
) -> tuple[Any, tuple[str, str] | None]:
    """The value in the hyperparameter's terms, or (reason, detail) why it cannot be used."""
    if hp.kind == "categorical":
        match = _match_choice(value, hp.choices, rules["values"])
        if match is None:
            return None, (
                f"not one of {hp.name}'s choices",
                f"{shorten(value)} not in {list(hp.choices)}",
            )
        return match, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, (f"{hp.name} is numeric and the value is not a number", shorten(value))
    if hp.kind == "ordinal":
        if value != int(value) or int(value) < 1 or int(value) & (int(value) - 1):
            return None, (f"{hp.name} takes powers of two", f"{value:g}")
    if hp.log and value <= 0:
        return None, (f"{hp.name} is on a log scale and needs values > 0", f"{value:g}")
    lo, hi = rules["safe"].get(hp.name, [hp.lower, hp.upper])  # no safe limit: no widening
    if not lo <= value <= hi:
        return None, (
            f"outside the safe range of {hp.name} that the train function supports",
            f"{value:g} not in [{lo:g}, {hi:g}]",
        )
    return (int(value) if hp.kind == "ordinal" else value), None


def _combined(hp: Hyperparameter, values: list[Any], rule: str) -> Hyperparameter:
    if hp.kind == "categorical":
        counts = Counter(values)
        tied = [v for v, n in counts.items() if n == max(counts.values())]
        choice = hp.default if hp.default in tied else tied[0]  # a tie keeps the rules' default
        return replace(
            hp,
            default=choice,
            rule=rule,
            reason=f"OpenML insight: default {choice!r} (most frequent of {len(values)})",
        )
    if hp.kind == "ordinal":
        choices = tuple(sorted(set(hp.choices) | set(values)))
        value = int(statistics.median_low(values))
        reason = (
            f"OpenML insight: default {value} (median of {len(values)}), choices {list(choices)}"
        )
        return replace(hp, default=value, choices=choices, rule=rule, reason=reason)
    cast = int if hp.kind == "int" else float
    centre = statistics.median(values)
    value = cast(round(centre)) if hp.kind == "int" else cast(centre)
    low, high = cast(min(hp.lower, *values)), cast(max(hp.upper, *values))
    reason = (
        f"OpenML insight: default {value:g} (median of {len(values)}), range [{low:g}, {high:g}]"
    )
    return replace(hp, default=value, lower=low, upper=high, rule=rule, reason=reason)


def _match_choice(value: Any, choices: tuple[Any, ...], value_aliases: dict[str, str]) -> Any:
    for choice in choices:
        if type(choice) is type(value) and choice == value:
            return choice
    if isinstance(value, str):
        key = fam.normal(value).replace(" ", "_")
        key = value_aliases.get(key, key)
        for choice in choices:
            if isinstance(choice, str) and choice.lower() == key:
                return choice
    return None
