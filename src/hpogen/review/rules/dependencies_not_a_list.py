from __future__ import annotations

from ..package import ReviewedPackage
from ..rule import Example, Rule
from .missing_dependency import third_party_imports
from .pyproject_invalid import key_row, table_row

PROJECT = '[project]\nname = "x"\nversion = "0.1.0"\n'


class DependenciesNotAList(Rule):
    """Flags `[project] dependencies` that is not a list of requirement strings.

    ## What it does
    Reports `dependencies` written as a TOML table (`[project.dependencies]` with
    `torch = ">=2.2"` lines, or an inline table), as a single string, or as a list holding
    anything but strings, and a `[project]` with no `dependencies` at all while src/ imports
    third-party modules.

    ## Why is this bad?
    The packaging standard defines `dependencies` as an array of PEP 508 strings; uv and pip
    refuse a table (the Poetry style) with a metadata error, so nothing installs on the runner.
    Without the key the install succeeds but leaves out every library the code imports.
    Generation pipelines wrote the table form about half the time.

    ## Example
    ```toml
    [project.dependencies]
    torch = ">=2.2"
    numpy = ">=1.24"
    ```

    ## Use instead
    ```toml
    [project]
    dependencies = ["torch>=2.2", "numpy>=1.24"]
    ```
    """

    code = "HPG202"
    name = "dependencies-not-a-list"
    message = "[project] dependencies {problem}"
    fix_title = 'Write dependencies = ["torch>=2.2", ...] in [project]: a list of requirement strings'
    VALID = [Example({"pyproject.toml": PROJECT + 'dependencies = [\n  "torch>=2.2",\n  "numpy",\n]\n'}),
             Example({"pyproject.toml": PROJECT, "src/model.py": "import json\n", "src/train.py": "import os\n",
                      "src/main.py": "from src import train\n", "src/evaluate.py": "", "src/preprocess.py": ""})]
    INVALID = [
        Example({"pyproject.toml": PROJECT + '\n[project.dependencies]\ntorch = ">=2.2"\nnumpy = "*"\n'}),
        Example({"pyproject.toml": PROJECT + 'dependencies = { torch = ">=2.2" }\n'}, mode="derived"),
        Example({"pyproject.toml": PROJECT + 'dependencies = ["torch", { name = "numpy" }]\n'}),
        Example({"pyproject.toml": PROJECT + '\n[build-system]\nrequires = ["setuptools"]\n'}),
    ]

    def check(self, package: ReviewedPackage):
        source = package.file("pyproject.toml")
        project = source.toml.get("project") if source is not None and source.toml else None
        if not isinstance(project, dict):
            return  # pyproject-invalid reports it
        text = source.text or ""
        if "dependencies" not in project:
            if third_party_imports(package):
                yield self.finding("pyproject.toml", table_row(text, "project") or 1,
                                   problem="are missing while src/ imports third-party modules")
            return
        dependencies = project["dependencies"]
        if isinstance(dependencies, dict):
            problem = "are written as a TOML table; uv and pip accept only a list of strings"
        elif not isinstance(dependencies, list):
            problem = f"must be a list of strings, not {dependencies!r:.60}"
        elif not all(isinstance(item, str) for item in dependencies):
            problem = "hold an entry that is not a string"
        else:
            return
        yield self.finding("pyproject.toml", key_row(text, "project", "dependencies"), problem=problem)
