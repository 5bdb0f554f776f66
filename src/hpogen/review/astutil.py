"""Small questions the rules ask of a syntax tree. Reading only: nothing is imported or run."""

from __future__ import annotations

import ast
import builtins
import functools
import sys
from collections.abc import Iterator

BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__loader__",
                                       "__package__", "__builtins__", "__path__", "__annotations__"}


_WALKED: dict[int, tuple[ast.AST, list[ast.AST]]] = {}


def walk(node: ast.AST) -> list[ast.AST]:
    """ast.walk's nodes, listed once per tree: forty rules ask the same trees again and again."""
    hit = _WALKED.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    return remember_walk(node, list(ast.walk(node)))


def remember_walk(node: ast.AST, nodes: list[ast.AST]) -> list[ast.AST]:
    if len(_WALKED) > 20_000:
        _WALKED.clear()
    _WALKED[id(node)] = (node, nodes)  # the node is kept alive, so its id stays its own
    return nodes


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


def third_party(module: str, local: set[str]) -> bool:
    return module not in sys.stdlib_module_names and module not in local and module != "__future__"


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


def function(tree: ast.AST, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The first function called name, at any depth."""
    for node in walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


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


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the module binds anywhere: imports, defs, parameters, targets, globals."""
    names: set[str] = set()
    for node in walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names |= set(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, ast.TypeVar if hasattr(ast, "TypeVar") else ()):
            names.add(node.name)
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


def yaml_value(node, key: str):
    """The value node of key in a composed YAML mapping node, or None."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


# --- helpers of the HPG3 / HPG5 / HPG6 rules (command line, core logic, framework) ---

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


def launches(tree: ast.AST, needle: str) -> list[ast.Call]:
    """Calls that start a subprocess (directly, through a launcher function of the module, or by
    handing one to a thread or pool) whose arguments, followed through their variables, hold a
    string containing needle."""
    aliases, launchers, flow = import_aliases(tree), launcher_names(tree), StringFlow(tree)
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
