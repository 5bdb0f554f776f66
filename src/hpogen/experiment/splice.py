"""Template modules as lists of whole top-level statements, located with the stdlib's ast.

The experiment templates are large (a composed train.py is ~1,000 lines); parsing and
regenerating them with libcst, and importing libcst at all, cost more than basecode's 0.5 s
budget. Assembly here only ever moves whole statements of valid template source, and holes
(`{name}` set displays, as in codegen) are filled with literals rendered from plain data, never
from code text. Every assembled module is parsed again before it is returned.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Ref:
    """A name in generated code (a function a registry points at), checked to be an identifier."""

    name: str

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"not a Python name: {self.name!r}")


@dataclass(frozen=True)
class Statement:
    """One top-level statement with the comment and blank lines above it."""

    lead: str  # the comment and blank lines above it
    code: str  # from its first line (decorators included) to its last, ending with a newline
    kind: str  # "docstring", "import" or "other"
    name: str | None = None  # a def's or class's name
    assigns: frozenset[str] = frozenset()  # names a module-level assignment binds

    @property
    def text(self) -> str:
        return self.lead + self.code

    def with_comments(self, comments: list[str]) -> Statement:
        """The statement with comment lines (given without "# ") put directly above it."""
        added = "".join("# " + c.replace("\n", " ").rstrip() + "\n" for c in comments)
        return Statement(self.lead + added, self.code, self.kind, self.name, self.assigns)


def literal(value: Any) -> str:
    """Python source for a plain data value (None, bools, numbers, strings, tuples, lists, dicts, Refs)."""
    if isinstance(value, Ref):
        return value.name
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot emit non-finite float {value!r}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # json's escapes are valid Python
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no literal for {type(value).__name__}")


def fill(source: str, **holes: Any) -> str:
    """source with each `{hole}` set display replaced by the literal for its value (not parsed
    again here: every caller splits the result into statements, which parses it)."""
    tree = ast.parse(source)
    # only the top-level statements whose lines show a `{name}` are walked: a template is
    # thousands of nodes, its holes sit in a few constants
    pattern = re.compile(r"\{\s*(?:" + "|".join(map(re.escape, holes)) + r")\s*\}")
    rows = {source.count("\n", 0, m.start()) + 1 for m in pattern.finditer(source)} if holes else set()
    found = [
        node for statement in tree.body
        if any(_first_row(statement) <= row <= statement.end_lineno for row in rows)
        for node in ast.walk(statement)
        if isinstance(node, ast.Set) and len(node.elts) == 1
        and isinstance(node.elts[0], ast.Name) and node.elts[0].id in holes
    ]
    missing = set(holes) - {node.elts[0].id for node in found}
    if missing:
        raise KeyError(f"no hole named {sorted(missing)}")
    lines = source.splitlines(keepends=True)
    for node in sorted(found, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        if node.lineno != node.end_lineno:
            raise ValueError(f"hole {node.elts[0].id} spans lines")
        line = lines[node.lineno - 1].encode("utf-8")  # ast offsets count UTF-8 bytes
        text = literal(holes[node.elts[0].id]).encode("utf-8")
        lines[node.lineno - 1] = (line[: node.col_offset] + text + line[node.end_col_offset :]).decode("utf-8")
    return "".join(lines)


def _first_row(statement: ast.stmt) -> int:
    """A top-level statement's first line, its decorators included."""
    return min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])


def checked(source: str) -> str:
    """source, once it has parsed (an assembly step never returns broken code)."""
    ast.parse(source)
    return source


def statements(source: str) -> tuple[list[Statement], str]:
    """(the top-level statements, the trailing comment lines after the last one)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    result, start = [], 0
    for index, node in enumerate(tree.body):
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        if first < start:
            raise ValueError(f"line {node.lineno}: more than one statement on a line")
        code = "".join(lines[first : node.end_lineno])
        result.append(Statement("".join(lines[start:first]), code if code.endswith("\n") else code + "\n",
                                _kind(node, index), _name(node), _assigned(node)))
        start = node.end_lineno
    return result, "".join(lines[start:])


def join(body: list[Statement], footer: str = "") -> str:
    return checked("".join(s.text for s in body) + footer)


def _kind(node: ast.stmt, index: int) -> str:
    if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return "docstring"
    return "import" if isinstance(node, ast.Import | ast.ImportFrom) else "other"


def _name(node: ast.stmt) -> str | None:
    return node.name if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else None


def _assigned(node: ast.stmt) -> frozenset[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return frozenset(t.id for t in targets if isinstance(t, ast.Name))


def docstring(body: list[Statement]) -> str:
    if not body or body[0].kind != "docstring":
        return ""
    return ast.parse(body[0].code).body[0].value.value  # type: ignore[attr-defined]


def with_docstring(body: list[Statement], text: str) -> list[Statement]:
    """body with its docstring (which it must have) replaced by text, the lines above it kept."""
    escaped = text.replace("\\", "\\\\").replace('"""', "'''")
    return [Statement(body[0].lead, f'"""{escaped}"""\n', "docstring"), *body[1:]]
