"""Assemble package modules from template modules, whole statement by whole statement.

compose_modules puts a family's definitions into a core module; insert_before puts catalogue
parts ahead of a registry; replace_definitions swaps a base module's placeholder definitions
for a catalogue entry's. Imports are merged and de-duplicated, and the caller formats the
result with ruff, which also sorts them. Statements are located with the stdlib's ast (see
splice.py for why not libcst).
"""

from __future__ import annotations

from .splice import Statement, docstring, join, statements, with_docstring


def _split(body: list[Statement]) -> tuple[list[Statement], list[Statement]]:
    """(import statements, other statements) of a module body, without its docstring."""
    rest = [s for s in body if s.kind != "docstring"]
    return [s for s in rest if s.kind == "import"], [s for s in rest if s.kind != "import"]


def _new_imports(existing: list[Statement], extra: list[Statement]) -> list[Statement]:
    seen = {s.code.strip() for s in existing}
    return [s for s in extra if s.code.strip() not in seen]


def _with_imports(body: list[Statement], extra: list[Statement]) -> list[Statement]:
    """body with the imports it lacks from extra put after its last import."""
    last_import = max(i for i, s in enumerate(body) if s.kind == "import")
    imports = _new_imports([s for s in body if s.kind == "import"], extra)
    return body[: last_import + 1] + imports + body[last_import + 1 :]


Module = tuple[list[Statement], str]  # (statements, the comment lines after the last one)


def _statements(source: str | Module) -> Module:
    return statements(source) if isinstance(source, str) else source


def compose_modules(core_source: str, family_source: str | Module, before: str = "main") -> str:
    """core with the family's imports added and its definitions placed before core's `before`
    function; the family's docstring is appended to core's."""
    (core, footer), (family, _) = statements(core_source), _statements(family_source)
    family_imports, family_body = _split(family)
    position = next(i for i, s in enumerate(core) if s.name == before)
    body = _with_imports(core[:position] + family_body + core[position:], family_imports)
    doc = docstring(core).rstrip("\n") + "\n\n" + docstring(family).strip() + "\n"
    return join(with_docstring(body, doc), footer)


def insert_before(module_source: str, parts: list[list[Statement]], name: str) -> Module:
    """module with each part's imports merged in and its other statements put before the
    statement that assigns `name` (a part's docstring is dropped); statements, for compose_modules."""
    body, footer = statements(module_source)
    imports, added = [], []
    for part in parts:
        part_imports, part_body = _split(part)
        imports += _new_imports(imports, part_imports)
        added += [s for s in part_body if s.code.strip() not in {e.code.strip() for e in added}]
    position = next(i for i, s in enumerate(body) if name in s.assigns)
    return _with_imports(body[:position] + added + body[position:], imports), footer


def replace_definitions(base_source: str, entry_source: str, placeholder: str) -> str:
    """base with its `placeholder` constant removed and each definition it shares a name with
    the entry replaced by the entry's; the entry's other statements go before the first one."""
    (base, footer), (entry, _) = statements(base_source), statements(entry_source)
    entry_imports, entry_body = _split(entry)
    replacements = {s.name: s for s in entry_body if s.name}
    base_names = {s.name for s in base if s.name}
    extra = [s for s in entry_body if s.name not in base_names]
    body, inserted = [], False
    for statement in base:
        if placeholder in statement.assigns:
            continue
        if statement.name in replacements:
            if not inserted:
                body += extra
                inserted = True
            body.append(replacements[statement.name])
        else:
            body.append(statement)
    return join(_with_imports(body, entry_imports), footer)
