"""Assemble package modules from template modules, as libcst trees (never as joined strings).

compose_modules puts a family's definitions into a core module; replace_definitions swaps a base
module's placeholder definitions for a catalogue entry's. Imports are merged and de-duplicated,
and the caller formats the result with ruff, which also sorts them.
"""

from __future__ import annotations

import libcst as cst

_EMPTY = cst.Module(body=[])


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def _docstring(module: cst.Module) -> str:
    first = module.body[0] if module.body else None
    if first is None or not _is_docstring(first):
        return ""
    return first.body[0].value.evaluated_value  # type: ignore[union-attr]


def _split(module: cst.Module) -> tuple[list[cst.CSTNode], list[cst.CSTNode]]:
    """(import statements, other statements) of a module, without its docstring."""
    body = [s for i, s in enumerate(module.body) if not (i == 0 and _is_docstring(s))]
    return [s for s in body if _is_import(s)], [s for s in body if not _is_import(s)]


def _new_imports(existing: list[cst.CSTNode], extra: list[cst.CSTNode]) -> list[cst.CSTNode]:
    seen = {_EMPTY.code_for_node(s).strip() for s in existing}
    return [s for s in extra if _EMPTY.code_for_node(s).strip() not in seen]


def _definition_name(statement: cst.CSTNode) -> str | None:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return statement.name.value
    return None


def _docstring_line(text: str) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString('"""' + text.replace("\\", "\\\\").replace('"""', "'''") + '"""'))])


def _module(source: str | cst.Module) -> cst.Module:
    return source if isinstance(source, cst.Module) else cst.parse_module(source)


def compose_modules(core_source: str | cst.Module, family_source: str | cst.Module, before: str = "main") -> str:
    """core with the family's imports added and its definitions placed before core's `before`
    function; the family's docstring is appended to core's."""
    core, family = _module(core_source), _module(family_source)
    family_imports, family_body = _split(family)
    body = list(core.body)
    position = next(i for i, s in enumerate(body) if _definition_name(s) == before)
    last_import = max(i for i, s in enumerate(body) if _is_import(s))
    imports = _new_imports([s for s in body if _is_import(s)], family_imports)
    body = body[: last_import + 1] + imports + body[last_import + 1 : position] + family_body + body[position:]
    doc = _docstring(core).rstrip("\n") + "\n\n" + _docstring(family).strip() + "\n"
    body[0] = _docstring_line(doc)
    return core.with_changes(body=body).code


def replace_definitions(base_source: str, entry_source: str, placeholder: str) -> str:
    """base with its `placeholder` constant removed and each definition it shares a name with
    the entry replaced by the entry's; the entry's other statements go before the first one."""
    base, entry = cst.parse_module(base_source), cst.parse_module(entry_source)
    entry_imports, entry_body = _split(entry)
    replacements = {_definition_name(s): s for s in entry_body if _definition_name(s)}
    extra = [s for s in entry_body if _definition_name(s) not in _base_names(base)]
    body, inserted = [], False
    for statement in base.body:
        if _assigns(statement, placeholder):
            continue
        name = _definition_name(statement)
        if name in replacements:
            if not inserted:
                body += extra
                inserted = True
            body.append(replacements[name])
        else:
            body.append(statement)
    last_import = max(i for i, s in enumerate(body) if _is_import(s))
    imports = _new_imports([s for s in body if _is_import(s)], entry_imports)
    return base.with_changes(body=body[: last_import + 1] + imports + body[last_import + 1 :]).code


def _base_names(module: cst.Module) -> set[str]:
    return {name for s in module.body if (name := _definition_name(s))}


def _assigns(statement: cst.CSTNode, name: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(
        isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets)
        for small in statement.body
    )


def insert_before(module: cst.Module, parts: list[cst.Module], name: str) -> cst.Module:
    """module with each part's imports merged in and its other statements put before the
    statement that assigns `name` (a part's docstring is dropped)."""
    body = list(module.body)
    imports, statements = [], []
    for part in parts:
        part_imports, part_body = _split(part)
        imports += _new_imports(imports, part_imports)
        statements += [s for s in part_body if not _assigns_existing(s, statements)]
    position = next(i for i, s in enumerate(body) if _assigns(s, name))
    body = body[:position] + statements + body[position:]
    last_import = max(i for i, s in enumerate(body) if _is_import(s))
    imports = _new_imports([s for s in body if _is_import(s)], imports)
    return module.with_changes(body=body[: last_import + 1] + imports + body[last_import + 1 :])


def _assigns_existing(statement: cst.CSTNode, earlier: list[cst.CSTNode]) -> bool:
    """Whether statement repeats a constant an earlier part already set (METHOD_PLACEHOLDER twice)."""
    return any(_EMPTY.code_for_node(statement).strip() == _EMPTY.code_for_node(s).strip() for s in earlier)
