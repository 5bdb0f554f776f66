"""Questions the config rules ask of a composed YAML node tree (PyYAML nodes with start_mark
positions). Reading only; nothing here raises on a strange tree (aliases, cycles, odd keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .astutil import PerObject
from .package import CONFIG_FILES, ReviewedPackage
from .source import PLACEHOLDER, SourceFile

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


def walk(node: Any) -> list[tuple[str, Any]]:
    """(key path such as 'training.lr' or 'runs[0].seed', node) of the root and every value
    node, in document order; a node reached twice (an alias, a cycle) is walked once. Listed
    once per tree: several rules walk the same 10,000-node config."""
    return _WALKS(node)


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
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


_WALKS = PerObject(lambda node: list(_walk(node)), 64)


def parsed_configs(package: ReviewedPackage) -> Iterator[tuple[str, SourceFile, Any]]:
    """(path, source, root node) of each config file that is there, not blank and composes
    (other rules report the rest); the root is None for a document of comments only."""
    for relative in CONFIG_FILES:
        source = package.file(relative)
        if source is None or source.text is None or not source.text.strip():
            continue
        if source.yaml_error is None:
            yield relative, source, source.yaml_node


# Where a config keeps its list of runs. The contract names it `runs`; real packages written by
# LLMs (and their main.py, which reads the same key) often use one of the other names.
RUN_LIST_KEYS = ("runs", "experiments", "run_variations", "variations", "run_variants")
# The keys that name a run, in the order they are looked up: `run_id`, else `name`, else `id`.
RUN_ID_KEYS = ("run_id", "name", "id")


def run_list(root: Any) -> tuple[str, Any] | None:
    """(key, value node) of the config's list of runs, None when it has none:

    1. the `runs` key, whatever its value (the rules judge the value);
    2. else the first of RUN_LIST_KEYS whose value is a list of mappings or a string holding a
       placeholder token;
    3. else the first top-level key whose value is a non-empty list of mappings that each carry
       a `run_id` (else, a second pass, a `run_id`, `name` or `id`).
    """
    if kind(root) != "mapping":
        return None
    runs = value_of(root, "runs")
    if runs is not None:
        return "runs", runs
    for key in RUN_LIST_KEYS[1:]:
        node = value_of(root, key)
        if kind(node) == "sequence" and all(kind(item) == "mapping" for item in node.value):
            return key, node
        if text(node) is not None and PLACEHOLDER.search(text(node)):
            return key, node
    for names in (RUN_ID_KEYS[:1], RUN_ID_KEYS):  # lists of runs with a run_id first
        for key_node, node in root.value:
            if (kind(key_node) == "scalar" and kind(node) == "sequence" and node.value
                    and all(run_identifier(item, names) is not None for item in node.value)):
                return str(key_node.value), node
    return None


def run_identifier(item: Any, names: tuple[str, ...] = RUN_ID_KEYS) -> tuple[str, Any] | None:
    """(key, value node) of what names a run mapping: its `run_id`, else its `name`, else its
    `id` (the first of those keys it has, whatever the value), None when it has none of them or
    is no mapping."""
    if kind(item) != "mapping":
        return None
    for key in names:
        node = value_of(item, key)
        if node is not None:
            return key, node
    return None


def runs_data(source: SourceFile) -> tuple[str, Any] | None:
    """(key, loaded value) of the run list of a config file (see run_list), None without one."""
    data = source.yaml_data if source is not None and source.yaml_error is None else None
    found = run_list(source.yaml_node) if isinstance(data, dict) else None
    return (found[0], data.get(found[0])) if found is not None else None
