"""The third-party modules some Python source imports, read from its syntax tree (never run)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable


def third_party_imports(sources: Iterable[str], local: Iterable[str] = ()) -> list[str]:
    """Top-level names of every absolute import (nested ones too) that is neither stdlib nor `local`."""
    found = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return sorted(found - set(sys.stdlib_module_names) - set(local) - {"__future__"})
