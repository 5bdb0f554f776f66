"""Load the decision tables in rules/ (TOML, stdlib parser: no heavy imports).

rules/ has one folder per product part (bundle/, experiment/), as templates/ does; a table's
name is unique across them, so callers name the table alone.
"""

from __future__ import annotations

import functools
import tomllib
from typing import Any

from .resources import RULES_DIR


@functools.cache
def table(name: str) -> dict[str, Any]:
    """rules/<part>/NAME.toml as a dict (cached: tables are read-only data)."""
    (path,) = RULES_DIR.glob(f"*/{name}.toml")
    with path.open("rb") as handle:
        return tomllib.load(handle)

