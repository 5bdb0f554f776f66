"""The experiment families and the catalogue of changes, as the rules folders list them.

A family is rules/experiment/families/NAME.toml with its templates in templates/experiment/NAME/;
a change is rules/experiment/changes/NAME.toml with its template in
templates/experiment/FAMILY/changes/NAME.py. Adding either means adding files: nothing here
names them.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from ..errors import HpogenError
from ..resources import RULES_DIR

FAMILIES_DIR = RULES_DIR / "experiment" / "families"
CHANGES_DIR = RULES_DIR / "experiment" / "changes"


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return {"name": path.stem, **tomllib.load(handle)}


@functools.cache
def family_rules() -> dict[str, dict[str, Any]]:
    """Every family's rules by name, in the order they are tried (priority, then name)."""
    found = [_load(path) for path in FAMILIES_DIR.glob("*.toml")]
    return {rules["name"]: rules for rules in sorted(found, key=lambda r: (r["priority"], r["name"]))}


@functools.cache
def change_rules() -> dict[str, dict[str, Any]]:
    """Every catalogue change's rules by name (sorted), each naming its family and hook."""
    changes = {path.stem: _load(path) for path in sorted(CHANGES_DIR.glob("*.toml"))}
    for name, rules in changes.items():
        family = family_rules().get(rules["family"])
        if family is None or rules["hook"] not in family.get("hooks", {}):
            raise HpogenError(f"rules/experiment/changes/{name}.toml: no hook {rules['hook']!r} in family {rules['family']!r}")
    return changes


def family_names() -> list[str]:
    return list(family_rules())


def family(name: str) -> dict[str, Any]:
    if name not in family_rules():
        raise HpogenError(f"unknown method family {name!r} (families: {', '.join(family_names())})")
    return family_rules()[name]


def changes_of(family_name: str) -> dict[str, dict[str, Any]]:
    return {name: rules for name, rules in change_rules().items() if rules["family"] == family_name}


def family_template(family_name: str, part: str) -> str:
    """The path under templates/ of a family's part (train.py, evaluate.py, ...)."""
    return f"experiment/{family_name}/{part}"
