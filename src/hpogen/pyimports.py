"""Python source read as a syntax tree (never run): the tree itself, parsed once per process, and
the third-party modules it imports."""

from __future__ import annotations

import ast
import functools
import sys
import warnings
from collections.abc import Iterable

# deeper syntax trees count as not parsing: real code stays under 40 levels, and code that walks
# a tree recursively (ast.unparse, copy.deepcopy, some review rules) fails a few hundred levels down
MAX_TREE_DEPTH = 100


@functools.lru_cache(maxsize=32)
def parse_source(text: str) -> tuple[ast.Module, tuple[ast.AST, ...] | None]:
    """The syntax tree of text and every node in ast.walk's order (None when the tree is nested
    deeper than MAX_TREE_DEPTH). Cached: the generator and then its review gate ask for the same
    files, so callers must not change the tree. Raises what ast.parse raises; the parsed code's
    own warnings (invalid escapes, say) are not shown."""
    with warnings.catch_warnings():  # under -W error they would fail the parse
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    nodes, level = [tree], [tree]
    for _ in range(MAX_TREE_DEPTH):
        level = [child for node in level for child in ast.iter_child_nodes(node)]
        if not level:
            return tree, tuple(nodes)
        nodes += level
    return tree, None


def third_party_imports(sources: Iterable[str], local: Iterable[str] = ()) -> list[str]:
    """Top-level names of every absolute import (nested ones too) that is neither stdlib nor `local`."""
    found = set()
    for source in sources:
        tree, nodes = parse_source(source)
        for node in nodes if nodes is not None else ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return sorted(found - set(sys.stdlib_module_names) - set(local) - {"__future__"})
