"""Small questions the rules ask of a syntax tree. Reading only: nothing is imported or run."""

from __future__ import annotations

import ast
import builtins
import functools
from collections.abc import Callable, Iterator
from typing import Any

BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__loader__",
                                       "__package__", "__builtins__", "__path__", "__annotations__"}


class PerObject:
    """build(obj), computed once per object and found again by identity: forty rules ask the same
    trees again and again. Each entry keeps its object alive, so its id stays its own; more than
    `limit` entries and the cache starts afresh."""

    def __init__(self, build: Callable[[Any], Any], limit: int) -> None:
        self.build, self.limit, self.found = build, limit, {}

    def __call__(self, obj: Any) -> Any:
        hit = self.found.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        return self.put(obj, self.build(obj))

    def put(self, obj: Any, value: Any) -> Any:
        if len(self.found) > self.limit:
            self.found.clear()
        self.found[id(obj)] = (obj, value)
        return value


_WALKS = PerObject(lambda node: list(ast.walk(node)), 20_000)


def walk(node: ast.AST) -> list[ast.AST]:
    """ast.walk's nodes, listed once per tree."""
    return _WALKS(node)


def remember_walk(node: ast.AST, nodes: list[ast.AST]) -> list[ast.AST]:
    """Record nodes (in ast.walk's order) as node's walk."""
    return _WALKS.put(node, nodes)


def dotted(node: ast.AST) -> str:
    """'a.b.c' for a Name/Attribute chain (calls in the chain read as 'f()'), else ''."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts))
        elif isinstance(node, ast.Call):
            inner = dotted(node.func)  # once: twice per call doubles the work at every call of a chain
            parts.append(inner + "()" if inner else "()")
            return ".".join(reversed(parts))
        else:
            return ""


def calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    """Every call with its dotted callee name."""
    for node in walk(tree):
        if isinstance(node, ast.Call):
            yield node, dotted(node.func)


def import_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> the full dotted name it was imported as (`from a import b as c`: c -> a.b)."""
    aliases = {}
    for node in walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def resolved(name: str, aliases: dict[str, str]) -> str:
    """A dotted callee name with its first part replaced by what it was imported as."""
    head, _, rest = name.partition(".")
    full = aliases.get(head, head)
    return f"{full}.{rest}" if rest else full


def imported_top_modules(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """(top-level module, node) of every absolute import."""
    found = []
    for node in walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node))
    return found


def strings(tree: ast.AST) -> Iterator[ast.Constant]:
    """Every str constant (f-string parts included)."""
    for node in walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def functions(tree: ast.AST) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Top-level functions and classes, and methods as 'Class.method'."""
    found: dict = {}
    for node in getattr(tree, "body", []):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = node
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found[f"{node.name}.{item.name}"] = item
    return found


def body_without_docstring(node) -> list[ast.stmt]:
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def inside_loop(tree: ast.AST) -> set[int]:
    """ids of the nodes that sit inside a for/while loop body (at any depth)."""
    found: set[int] = set()
    for node in walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            for statement in node.body:
                found |= {id(child) for child in walk(statement)}
    return found


def _alias_names(node) -> list[str]:
    return [(a.asname or a.name).split(".")[0] for a in node.names]


def _stored_name(node) -> list[str]:
    return [node.id] if isinstance(node.ctx, (ast.Store, ast.Del)) else []


def _own_name(node) -> list[str]:
    return [node.name] if node.name else []


# node type -> the names a node of it binds (dispatched on the exact type: ast node classes
# have no subclasses, and one dict lookup per node beats a chain of isinstance checks)
_BINDERS = {
    ast.Import: _alias_names,
    ast.ImportFrom: _alias_names,
    ast.FunctionDef: _own_name,
    ast.AsyncFunctionDef: _own_name,
    ast.ClassDef: _own_name,
    ast.arg: lambda node: [node.arg],
    ast.Name: _stored_name,
    ast.Global: lambda node: list(node.names),
    ast.Nonlocal: lambda node: list(node.names),
    ast.ExceptHandler: _own_name,
    ast.MatchAs: _own_name,
    ast.MatchStar: _own_name,
    ast.MatchMapping: lambda node: [node.rest] if node.rest else [],
    **({ast.TypeVar: _own_name} if hasattr(ast, "TypeVar") else {}),
}


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the module binds anywhere: imports, defs, parameters, targets, globals."""
    names: set[str] = set()
    for node in walk(tree):
        binder = _BINDERS.get(type(node))
        if binder is not None:
            names.update(binder(node))
    return names


def has_star_import(tree: ast.AST) -> bool:
    return any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in walk(tree))


def dict_keys(tree: ast.AST) -> set[str]:
    """String keys of dict displays and of `x["key"] = ...` assignments, and dict(key=...) calls."""
    keys: set[str] = set()
    for node in walk(tree):
        if isinstance(node, ast.Dict):
            keys |= {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                keys.add(node.slice.value)
        elif isinstance(node, ast.Call) and dotted(node.func) == "dict":
            keys |= {k.arg for k in node.keywords if k.arg}
    return keys


# ----------------------------------------------------------------------------- HPG9 (train function) helpers


def module_function(tree: ast.AST, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The module-level function called name (the last definition wins, as at run time)."""
    found = None
    for node in getattr(tree, "body", []):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node
    return found


def loaded_names(node: ast.AST) -> set[str]:
    """Names read anywhere under node."""
    return {n.id for n in walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def int_literal(node: ast.AST) -> int | None:
    """The value of an int literal or of arithmetic on int literals (`28 * 28`, `-2`), else None."""
    if isinstance(node, ast.Constant):
        return node.value if type(node.value) is int else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = int_literal(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)):
        left, right = int_literal(node.left), int_literal(node.right)
        if left is None or right is None or (isinstance(node.op, ast.FloorDiv) and right == 0):
            return None
        if abs(left) > 2**31 or abs(right) > 2**31:
            return None
        ops = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__, ast.FloorDiv: int.__floordiv__}
        return ops[type(node.op)](left, right)
    return None


# --- helpers of the HPG4 / HPG7 / HPG8 rules (placeholders, specialisation, derived vs base) ---

@functools.lru_cache(maxsize=64)
def comments(text: str) -> dict[int, str]:
    """Row -> the text of the comment on that row ('#' included); {} when text does not tokenize."""
    import io
    import tokenize

    found: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.string
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError):
        return {}
    return found


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the str constants that are docstrings of the module, a class or a function."""
    found: set[int] = set()
    for node in walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0].value))
    return found


def statement_count(node: ast.AST) -> int:
    """How many statements a definition holds, nested ones included (the definition not counted)."""
    return sum(isinstance(child, ast.stmt) for child in walk(node)) - isinstance(node, ast.stmt)
