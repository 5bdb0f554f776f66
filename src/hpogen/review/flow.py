"""How strings, launches and loops flow through a module: the helpers of the command-line,
core-logic and framework rules (HPG3, HPG5, HPG6)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .astutil import (
    PerObject,
    calls,
    docstrings,
    dotted,
    import_aliases,
    inside_loop,
    resolved,
    strings,
    walk,
)

SUBPROCESS_CALLS = frozenset({
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "subprocess.Popen", "os.system", "os.popen", "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell"})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def code_strings(tree: ast.AST) -> list[ast.Constant]:
    """Every str constant (f-string parts included) except docstrings."""
    skip = docstrings(tree)
    return [node for node in strings(tree) if id(node) not in skip]


def own_walk(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a module's or function's own code, not entering nested defs, lambdas, classes."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def scope_of(tree: ast.AST) -> dict[int, ast.AST]:
    """id(node) -> the innermost function (or lambda) whose own code holds it; absent: module."""
    found: dict[int, ast.AST] = {}
    for scope in walk(tree):
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            found.update((id(node), scope) for node in own_walk(scope))
    return found


def callee(call: ast.Call) -> str:
    """f for `f(...)`, `self.f(...)` and `cls.f(...)`, else ''."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute) and dotted(call.func.value) in ("self", "cls"):
        return call.func.attr
    return ""


class StringFlow:
    """The strings an expression may hold: its own constants and, `depth` names deep, those of the
    names it reads (their last assignment before the use in its function, `+=` / `.append` /
    `.extend` after it included; else any assignment at module level). Built once per module."""

    def __init__(self, tree: ast.AST) -> None:
        self.tree, self.scopes = tree, scope_of(tree)
        self.events: dict[tuple[int, str], list] = {}  # (id(scope), name) -> [(end, start, kind, values)]
        for node in walk(tree):
            for name, kind, values in _bindings(node):
                scope = self.scopes.get(id(node), tree)
                self.events.setdefault((id(scope), name), []).append(
                    ((node.end_lineno, node.end_col_offset), (node.lineno, node.col_offset), kind, values))
        for events in self.events.values():
            events.sort(key=lambda event: event[1])
        self.seen: dict[tuple[int, int], list[str]] = {}

    def values(self, scope: ast.AST, name: str, use: ast.AST | None) -> list[ast.AST]:
        last: list[ast.AST] = []
        added: list[ast.AST] = []
        for end, _, kind, values in self.events.get((id(scope), name), []):
            if use is not None and end > (use.lineno, use.col_offset):
                break
            if kind == "set":
                last, added = values, []
            else:
                added += values
        return last + added

    def strings(self, node: ast.AST, depth: int = 3) -> list[str]:
        if (id(node), depth) in self.seen:
            return self.seen[id(node), depth]
        self.seen[id(node), depth] = found = [s.value for s in strings(node)]
        for name in walk(node) if depth > 0 else ():
            if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load):
                scope = self.scopes.get(id(name), self.tree)
                values = self.values(scope, name.id, name)
                if not values and scope is not self.tree:
                    values = self.values(self.tree, name.id, None)
                for value in values:
                    found += self.strings(value, depth - 1)
        return found


def _bindings(node: ast.AST) -> list[tuple[str, str, list[ast.AST]]]:
    """(name, 'set' or 'add', value nodes) for an assignment to a plain name, or an addition."""
    if isinstance(node, ast.Assign):
        return [(t.id, "set", [node.value]) for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name) \
            and node.value is not None:
        return [(node.target.id, "set" if isinstance(node, ast.AnnAssign) else "add", [node.value])]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("append", "extend") and isinstance(node.func.value, ast.Name):
        return [(node.func.value.id, "add", list(node.args))]
    return []


def launcher_names(tree: ast.AST) -> set[str]:
    """Functions of the module that start a subprocess, directly or through another such one."""
    aliases = import_aliases(tree)
    callers: dict[str, set[str]] = {}  # function -> the functions that call it
    todo = []
    for definition in walk(tree):
        if isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in own_walk(definition):
                if isinstance(node, ast.Call):
                    if resolved(dotted(node.func), aliases) in SUBPROCESS_CALLS:
                        todo.append(definition.name)
                    callers.setdefault(callee(node), set()).add(definition.name)
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += callers.get(name, ())
    return found


_FLOWS = PerObject(StringFlow, 256)


def string_flow(tree: ast.AST) -> StringFlow:
    """The module's StringFlow, built once per tree: several rules follow strings through it."""
    return _FLOWS(tree)


def launches(tree: ast.AST, needle: str) -> list[ast.Call]:
    """Calls that start a subprocess (directly, through a launcher function of the module, or by
    handing one to a thread or pool) whose arguments, followed through their variables, hold a
    string containing needle."""
    aliases, launchers, flow = import_aliases(tree), launcher_names(tree), string_flow(tree)
    found = []
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts = [*node.args, *(k.value for k in node.keywords)]
        if resolved(dotted(node.func), aliases) in SUBPROCESS_CALLS or callee(node) in launchers \
                or any(isinstance(p, ast.Name) and p.id in launchers for p in parts):
            if any(needle in s for part in parts for s in flow.strings(part)):
                found.append(node)
    return found


def looped(tree: ast.AST) -> set[int]:
    """ids of the nodes that run repeatedly: inside a loop or comprehension, or inside a function
    of the module that is called from such a place (or from a function that is)."""
    found = inside_loop(tree)
    for node in walk(tree):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for part in (node.elt,) if not isinstance(node, ast.DictComp) else (node.key, node.value):
                found |= {id(child) for child in walk(part)}
    defs = {n.name: n for n in walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    todo = [callee(c) for c in walk(tree) if isinstance(c, ast.Call) and id(c) in found]
    done: set[str] = set()
    while todo:
        name = todo.pop()
        if name in defs and name not in done:
            done.add(name)
            found |= {id(child) for child in walk(defs[name])}
            todo += [callee(c) for c in walk(defs[name]) if isinstance(c, ast.Call)]
    return found


def prints_json(tree: ast.AST) -> bool:
    """Whether the module writes JSON to stdout: print(json.dumps(...)) (or of a variable assigned
    from it, or of an expression around it), sys.stdout.write(json.dumps(...)) or
    json.dump(x, sys.stdout)."""
    aliases = import_aliases(tree)

    def is_dumps(node):
        return any(isinstance(n, ast.Call) and resolved(dotted(n.func), aliases) == "json.dumps"
                   for n in walk(node))

    dumped = {t.id for n in walk(tree) if isinstance(n, ast.Assign) and is_dumps(n.value)
              for t in n.targets if isinstance(t, ast.Name)}
    for node, name in calls(tree):
        full, first = resolved(name, aliases), node.args[0] if node.args else None
        if full in ("print", "sys.stdout.write") and first is not None and (
                is_dumps(first) or isinstance(first, ast.Name) and first.id in dumped):
            return True
        if full == "json.dump" and len(node.args) > 1 and \
                resolved(dotted(node.args[1]), aliases) == "sys.stdout":
            return True
    return False
