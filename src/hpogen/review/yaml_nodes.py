"""Questions the config rules ask of a composed YAML node tree (PyYAML nodes with start_mark
positions). Reading only; nothing here raises on a strange tree (aliases, cycles, odd keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .package import CONFIG_FILES, ReviewedPackage
from .source import SourceFile

STR_TAG = "tag:yaml.org,2002:str"


def position(node: Any) -> tuple[int, int]:
    """1-based (row, column) where the node starts, (1, 1) when it has no mark."""
    mark = getattr(node, "start_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def kind(node: Any) -> str | None:
    """'scalar', 'sequence' or 'mapping' (PyYAML's node ids), None for anything else."""
    found = getattr(node, "id", None)
    return found if found in ("scalar", "sequence", "mapping") else None


def text(node: Any) -> str | None:
    """The value of a scalar that loads as a string, else None."""
    if kind(node) == "scalar" and getattr(node, "tag", None) == STR_TAG and isinstance(node.value, str):
        return node.value
    return None


def value_of(node: Any, key: str) -> Any:
    """The value node of key in a mapping node (the last one, as loading keeps), else None."""
    found = None
    if kind(node) == "mapping":
        for key_node, value_node in node.value:
            if kind(key_node) == "scalar" and key_node.value == key:
                found = value_node
    return found


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """(key path such as 'training.lr' or 'runs[0].seed', node) of the root and every value
    node, in document order; a node reached twice (an alias, a cycle) is walked once."""
    stack, seen = [("", node)], set()
    while stack:
        path, current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield path, current
        children = []
        if kind(current) == "mapping":
            for key_node, value_node in current.value:
                name = key_node.value if kind(key_node) == "scalar" else "?"
                children.append((f"{path}.{name}" if path else str(name), value_node))
        elif kind(current) == "sequence":
            children = [(f"{path}[{i}]", item) for i, item in enumerate(current.value)]
        stack.extend(reversed(children))


def parsed_configs(package: ReviewedPackage) -> Iterator[tuple[str, SourceFile, Any]]:
    """(path, source, root node) of each config file that is there, not blank and composes
    (other rules report the rest); the root is None for a document of comments only."""
    for relative in CONFIG_FILES:
        source = package.file(relative)
        if source is None or source.text is None or not source.text.strip():
            continue
        if source.yaml_error is None:
            yield relative, source, source.yaml_node
