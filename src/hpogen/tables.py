"""Load the decision tables in rules/ (TOML, stdlib parser: no heavy imports)."""

from __future__ import annotations

import functools
import tomllib
from typing import Any

from .resources import RULES_DIR


@functools.cache
def table(name: str) -> dict[str, Any]:
    """rules/NAME.toml as a dict (cached: tables are read-only data)."""
    with (RULES_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)

