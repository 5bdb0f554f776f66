"""Fill templates/ (valid Python with `{hole}` names) with libcst nodes, then format.

Values go in as nodes built from plain data (ints, floats, strings, bools, None, lists,
tuples, dicts), never as code text. A template imports every name any bundle may need
(say, each facade); `format_tree` has ruff drop the ones a filled file does not use.
libcst's AddImportsVisitor would do the same job but imports libcst.matchers, which alone
costs more than half of generate's 0.5 s budget.
"""

from __future__ import annotations

import math
from typing import Any

import libcst as cst

from .formatting import template_source


def to_node(value: Any) -> cst.BaseExpression:
    """A libcst expression for a plain data value."""
    if isinstance(value, cst.CSTNode):
        return value
    if value is None or isinstance(value, bool):
        return cst.Name(repr(value))
    if isinstance(value, int):
        if value < 0:
            return cst.UnaryOperation(cst.Minus(), cst.Integer(str(-value)))
        return cst.Integer(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot emit non-finite float {value!r}")
        if value < 0:
            return cst.UnaryOperation(cst.Minus(), cst.Float(repr(-value)))
        return cst.Float(repr(value))
    if isinstance(value, str):
        return cst.SimpleString(_quote(value))
    if isinstance(value, tuple):
        elements = [cst.Element(to_node(v)) for v in value]
        if len(elements) == 1:
            elements = [cst.Element(elements[0].value, comma=cst.Comma())]
        return cst.Tuple(elements)
    if isinstance(value, list):
        return cst.List([cst.Element(to_node(v)) for v in value])
    if isinstance(value, dict):
        return cst.Dict([cst.DictElement(to_node(k), to_node(v)) for k, v in value.items()])
    raise TypeError(f"no node for {type(value).__name__}")


def _quote(text: str) -> str:
    """A double-quoted Python string literal (json-style escapes are valid Python)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def fill_template(name: str, **holes: Any) -> str:
    """Render templates/NAME with each `{hole}` replaced by the node for its value."""
    return fill_template_module(name, **holes).code


def fill_template_module(name: str, **holes: Any) -> cst.Module:
    """fill_template's result as a libcst tree, for callers that assemble it further."""
    module = cst.parse_module(template_source(name))
    nodes = {k: to_node(v) for k, v in holes.items()}
    filler = _HoleFiller(nodes, deep=False)
    filled = module.visit(filler)
    if filler.used != set(nodes):
        filler = _HoleFiller(nodes, deep=True)
        filled = module.visit(filler)
    missing = set(nodes) - filler.used
    if missing:
        raise KeyError(f"{name}: no hole named {sorted(missing)}")
    return filled


class _HoleFiller(cst.CSTTransformer):
    """Replace `{name}` set displays (a template hole) with the given node.

    A shallow pass skips function and class bodies: large templates keep their holes in
    module-level constants, and not visiting the bodies keeps rendering fast.
    """

    def __init__(self, holes: dict[str, cst.BaseExpression], deep: bool) -> None:
        self.holes = holes
        self.deep = deep
        self.used: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self.deep

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return self.deep

    def leave_Set(self, original: cst.Set, updated: cst.Set) -> cst.BaseExpression:
        if len(updated.elements) == 1:
            element = updated.elements[0].value
            if isinstance(element, cst.Name) and element.value in self.holes:
                self.used.add(element.value)
                return self.holes[element.value]
        return updated
