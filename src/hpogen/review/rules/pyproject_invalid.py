from __future__ import annotations

import re
import tomllib

from ..package import ReviewedPackage
from ..rule import Example, Rule

HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(#.*)?$")
KEY = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")


def _dotted(name: str) -> str:
    return re.sub(r"\s*\.\s*", ".", name.replace('"', "").replace("'", "").strip())


def table_row(text: str, table: str) -> int | None:
    """Row of the `[table]` header, None when the text has none (the helpers of HPG201-204)."""
    for row, line in enumerate(text.splitlines(), 1):
        found = HEADER.match(line)
        if found and _dotted(found.group(1)) == table:
            return row
    return None


def key_row(text: str, table: str, key: str) -> int:
    """Row of `key = ...` inside [table] (or of a [table.key] header), else of [table], else 1."""
    current = ""
    for row, line in enumerate(text.splitlines(), 1):
        header, assignment = HEADER.match(line), KEY.match(line)
        if header:
            current = _dotted(header.group(1))
        elif assignment and ".".join(filter(None, (current, _dotted(assignment.group(1))))) == f"{table}.{key}":
            return row
    return table_row(text, f"{table}.{key}") or table_row(text, table) or 1


def _end_row(text: str) -> tuple[int, int]:
    """The last row when tomllib stopped at the end of the document (it gives no line then)."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if "end of document" in str(exc):
            return max(1, len(text.splitlines())), 1
    except RecursionError:
        pass
    return 1, 1


class PyprojectInvalid(Rule):
    """Flags a pyproject.toml that is not TOML, or has no `[project]` table with a name.

    ## What it does
    Parses pyproject.toml with Python's TOML parser and reports the first syntax error at its
    line and column; a file that parses must have a `[project]` table whose `name` is a
    non-empty string.

    ## Why is this bad?
    `uv sync` and `pip install .` read pyproject.toml first: a syntax error, a missing
    `[project]` table or a project without a name stops the install on the runner, before any
    code runs, and no dependency is installed.

    ## Example
    ```toml
    [project]
    version = "0.1.0"
    dependencies = ["torch>=2.2"
    ```

    ## Use instead
    ```toml
    [project]
    name = "ohgw-experiment"
    version = "0.1.0"
    dependencies = ["torch>=2.2"]
    ```
    """

    code = "HPG201"
    name = "pyproject-invalid"
    message = "pyproject.toml {problem}"
    fix_title = "Write pyproject.toml as valid TOML with a [project] table that has a name"
    VALID = [Example({"pyproject.toml": '[project]\nname = "x"\nversion = "0.1.0"\ndependencies = []\n'}),
             Example({"pyproject.toml": 'project = { name = "x", version = "0.1.0", dependencies = [] }\n'})]
    INVALID = [
        Example({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["torch>=2.2"\n'}),
        Example({"pyproject.toml": '[tool.setuptools]\npackages = ["src"]\n'}),
        Example({"pyproject.toml": '[project]\nversion = "0.1.0"\ndependencies = []\n'}, mode="derived"),
        Example({"pyproject.toml": 'project = "x"\n'}),
    ]

    def check(self, package: ReviewedPackage):
        source = package.file("pyproject.toml")
        if source is None or source.text is None or not source.text.strip():
            return
        error = source.toml_error
        if error is not None:
            row, col = (error.row, error.col) if (error.row, error.col) != (1, 1) else _end_row(source.text)
            yield self.finding("pyproject.toml", row, col, problem=f"does not parse: {error.message}")
            return
        project = (source.toml or {}).get("project")
        row = table_row(source.text, "project") or 1
        if not isinstance(project, dict):
            yield self.finding("pyproject.toml", row, problem="has no [project] table")
        elif not isinstance(project.get("name"), str) or not project["name"].strip():
            yield self.finding("pyproject.toml", row, problem="has no name in [project]")
