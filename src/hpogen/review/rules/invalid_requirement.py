from __future__ import annotations

import re

from ..package import ReviewedPackage
from ..rule import Example, Rule
from .pyproject_invalid import key_row

PROJECT = '[project]\nname = "x"\nversion = "0.1.0"\n'


def string_place(lines: list[str], value: str, after: tuple[int, int]) -> tuple[int, int] | None:
    """The first (row, column) after `after` where value is written as a TOML string."""
    for row in range(max(after[0], 1), len(lines) + 1):
        skip = after[1] if row == after[0] else 0
        found = [i for q in (f'"{value}"', f"'{value}'") if (i := lines[row - 1].find(q, skip)) >= 0]
        if found:
            return row, min(found) + 1
    return None


class InvalidRequirement(Rule):
    """Flags a dependency that is not a valid PEP 508 requirement string.

    ## What it does
    Parses every string of `[project] dependencies` as a requirement (the `packaging`
    library's parser, the one pip and build use) and reports each one that does not parse, at
    the line where the string is written.

    ## Why is this bad?
    uv and pip read every requirement before installing anything: one malformed string
    (`numpy==` with no version, `torch 2.0` without an operator, a marker that is not a marker
    such as `; cuda`, a local version such as `+cu118` with `>=`) fails the whole install on
    the runner.

    ## Example
    ```toml
    dependencies = ["torch >= 2.0 ; cuda", "numpy==", "scipy 1.10"]
    ```

    ## Use instead
    ```toml
    dependencies = ["torch>=2.0", "numpy==1.26.4", "scipy>=1.10"]
    ```
    """

    code = "HPG203"
    name = "invalid-requirement"
    message = "{requirement!r} is not a valid requirement: {error}"
    fix_title = 'Write a PEP 508 requirement: a name, optional [extras], a version such as ">=2.0", optional "; marker"'
    VALID = [Example({"pyproject.toml": PROJECT + "dependencies = [\n  'pytorch-lightning (>=2)',\n"
                                        '  "torch==2.2.0+cu118",\n  "numpy>=1.24,<2",\n'
                                        '  "scipy; python_version >= \'3.10\'",\n  "pkg @ https://x.org/pkg-1.0.whl",\n]\n'})]
    INVALID = [
        Example({"pyproject.toml": PROJECT + 'dependencies = [\n  "torch >= 2.0 ; cuda",\n]\n'}),
        Example({"pyproject.toml": PROJECT + 'dependencies = ["numpy==", "torch>=2.2"]\n'}, mode="derived"),
        Example({"pyproject.toml": PROJECT + 'dependencies = [\n  "scipy 1.10",\n  "torch>=2.0.0+cu118",\n]\n'}),
    ]

    def check(self, package: ReviewedPackage):
        found = package.dependencies()
        if found is None:
            return  # pyproject-invalid and dependencies-not-a-list report these
        source, dependencies = found
        key = key_row(source.text or "", "project", "dependencies")
        after = (key, 0)
        for item in dependencies:
            if not isinstance(item, str):
                continue
            error = requirement_error(item)
            if error is not None:
                place = string_place(source.lines, item, after)
                after = place or after
                yield self.finding("pyproject.toml", *(place or (key, 1)), requirement=item,
                                   error=error)


# the common shape `name[extras]>=1.2,<3`, certainly valid; anything else goes to packaging
# (the reference PEP 508 parser), which costs a 15 ms import
SIMPLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
                    r"(?:\[[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
                    r"(?:,[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)*\])?"
                    r"(?:(?:>=|<=|==|!=|<|>)\d+(?:\.\d+)*(?:,(?:>=|<=|==|!=|<|>)\d+(?:\.\d+)*)*)?$")


def requirement_error(item: str) -> str | None:
    """Why item is not a PEP 508 requirement, or None when it is one."""
    if SIMPLE.match(item):
        return None
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(item)
    except InvalidRequirement as exc:
        return str(exc).splitlines()[0]
    return None
