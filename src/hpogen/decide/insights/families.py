"""Attribute an OpenML setup to a model family from its parameter names, by the signatures in
rules/bundle/insight_families.toml, and find the names a merged pipeline component shadows.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from ...tables import table
from .payload import Setup


def normal(name: str) -> str:
    """A parameter name as the tables spell it: lower case, '.' and '-' read as '_'."""
    return name.strip().lower().replace(".", "_").replace("-", "_")


@dataclass(frozen=True)
class Attribution:
    family: str | None  # a key of [family], or None when the setup cannot be attributed
    reason: str  # why that family, or why none

    @property
    def label(self) -> str:
        return family_label(self.family) if self.family else "unattributed"


def family_label(family: str) -> str:
    return _families()[family]["label"]


@functools.cache
def _families() -> dict[str, dict[str, Any]]:
    return table("insight_families")["family"]


@functools.cache
def _patterns(family: str, field: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in _families()[family].get(field, ()))


def attribute(setup: Setup) -> Attribution:
    """The family with the highest signature score; a tie or no score attributes nothing."""
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    raw_claimed = {
        name for name, _ in setup.params if any(_matches_raw(f, name) for f in _families())
    }
    for family, entry in _families().items():
        hits = []
        for name, _ in setup.params:
            key = normal(name)
            if _matches_raw(family, name):
                hits.append((name, 2))
            elif name in raw_claimed:
                continue
            elif key in entry.get("marks", ()) or any(
                p.search(key) for p in _patterns(family, "patterns")
            ):
                hits.append((name, 2))
            elif key in entry.get("keys", ()):
                hits.append((name, 1))
        hits += [(f"<{sign}>", 2) for sign in setup.signs if sign in entry.get("components", ())]
        score = sum(weight for _, weight in hits)
        if score:
            scores[family] = score
            evidence[family] = [name for name, weight in hits if weight == 2] or [
                name for name, _ in hits
            ]
    if not scores:
        names = ", ".join(name for name, _ in setup.params[:6])
        return Attribution(None, f"its keys ({names}) match no family signature")
    best = max(scores.values())
    leaders = [f for f, s in scores.items() if s == best]
    if len(leaders) > 1:
        tied = " and ".join(family_label(f) for f in leaders)
        return Attribution(None, f"its keys fit a {tied} equally well")
    family = leaders[0]
    return Attribution(
        family, f"keys {', '.join(evidence[family][:5])} mark a {family_label(family)}"
    )


def _matches_raw(family: str, name: str) -> bool:
    return any(p.search(name) for p in _patterns(family, "raw_patterns"))


def targets(family: str | None, dataset_type: str) -> dict[str, str]:
    """The family's names -> hpogen hyperparameters for this dataset type (empty: none apply)."""
    if family is None:
        return {}
    return _families()[family].get(dataset_type, {})


def algorithm_choice(family: str | None) -> str | None:
    """The tabular space's `algorithm` branch a family votes for, if it has one."""
    return _families()[family].get("algorithm") if family else None


def shadowed(setup: Setup) -> dict[str, tuple[str, str]]:
    """name -> (the merged component that also owns it, its signs found), when the setup carries them."""
    present = {normal(name) for name, _ in setup.params} | set(setup.signs)
    found = {}
    for rule in table("insight_families")["shadow"]:
        signs = sorted(present & set(rule["signs"]))
        if signs:
            found[rule["key"]] = (rule["component"], f"signs: {', '.join(signs[:3])}")
    return found


def bookkeeping() -> frozenset[str]:
    return frozenset(table("insight_families")["bookkeeping"])


def seed_keys() -> frozenset[str]:
    return frozenset(table("insight_families")["seed_keys"])
