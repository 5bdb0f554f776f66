from __future__ import annotations

import ast
import re
import sys

from ...tables import table
from .. import astutil
from ..package import PACKAGE_FILES, ReviewedPackage
from ..rule import Example, Rule

LOCAL = {"src", "__future__", "train", "evaluate", "preprocess", "model", "main"}
OPTIONAL = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def third_party_imports(package: ReviewedPackage) -> list[tuple[str, ast.stmt, list[str]]]:
    """(path, node, dotted names imported) of every absolute import of a third-party module in
    the five modules, file by file, line by line; an import in a `try` that catches ImportError
    is optional and left out."""
    found = []
    for relative in PACKAGE_FILES[:5]:
        source = package.file(relative)
        tree = source.python if source is not None else None
        if tree is None:
            continue
        tries = [t for t in astutil.walk(tree) if isinstance(t, (ast.Try, ast.TryStar)) and _catches_import_error(t)]
        optional = {id(n) for t in tries for statement in t.body for n in astutil.walk(statement)}
        for node in astutil.walk(tree):
            if isinstance(node, ast.Import) and id(node) not in optional:
                groups = [[alias.name] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and id(node) not in optional:
                groups = [[node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]]
            else:
                continue
            found += [(relative, node, names) for names in groups if _third_party(names[0].split(".")[0])]
    found.sort(key=lambda f: (PACKAGE_FILES.index(f[0]), f[1].lineno, f[1].col_offset))
    return found


def _third_party(top: str) -> bool:
    return top not in sys.stdlib_module_names and top not in LOCAL


def _catches_import_error(node: ast.Try | ast.TryStar) -> bool:
    for handler in node.handlers:
        caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if handler.type is None or any(isinstance(c, ast.Name) and c.id in OPTIONAL for c in caught):
            return True
    return False


def provider(names: list[str]) -> tuple[str, list[str]]:
    """The module named in the table (longest dotted prefix first) and its distributions."""
    known = table("import_names")["distributions"]
    for name in names:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in known:
                return ".".join(parts[:end]), list(known[".".join(parts[:end])])
    top = names[0].split(".")[0]
    return top, [top]


def declared(dependencies: list) -> set[str]:
    """The normalized distribution names that the dependency strings start with."""
    found = (re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", item) for item in dependencies if isinstance(item, str))
    return {normalized(name.group(1)) for name in found if name}


class MissingDependency(Rule):
    """Flags a third-party module the code imports that no dependency installs.

    ## What it does
    Collects the top-level modules that the five modules of src/ import (at any depth, inside
    functions too; not the standard library, not the package's own modules, not an import
    guarded by `except ImportError`), finds the PyPI distributions that provide each one (the
    table rules/review/import_names.toml: `yaml` comes from PyYAML, `sklearn` from
    scikit-learn; any other module from the distribution of its own name) and reports each
    module that no entry of `[project] dependencies` provides, at its first import.

    ## Why is this bad?
    The runner installs exactly the declared dependencies into a fresh environment. A module
    that happens to be installed on the machine that wrote the code fails with
    `ModuleNotFoundError` on the runner, often deep inside a run, when a function that imports it
    is first called.

    ## Example
    ```python
    from sklearn.datasets import load_digits  # dependencies = ["numpy>=1.24", "torch>=2.2"]
    ```

    ## Use instead
    ```python
    from sklearn.datasets import load_digits  # dependencies = [..., "scikit-learn>=1.3"]
    ```
    """

    code = "HPG204"
    name = "missing-dependency"
    message = "{module} is imported but no dependency provides it: add {distribution} to the dependencies"
    fix_title = "Add the distribution that provides the module to [project] dependencies"
    VALID = [Example({"src/model.py": "def build():\n    import PIL.Image\n    try:\n        import wandb\n"
                                      "    except ImportError:\n        wandb = None\n    return PIL.Image\n",
                      "pyproject.toml": '[project]\nname = "x"\ndependencies = ["pillow_simd", "numpy", "torch",'
                                        ' "pyyaml>=6", "matplotlib", "scipy", "scikit-learn"]\n'})]
    INVALID = [
        Example({"src/preprocess.py": "def load():\n    from skimage.data import camera\n"
                                      "    return camera()\n"}, mode="derived"),
        Example({"src/model.py": "import cv2\nimport timm\n"}),
        Example({"src/evaluate.py": "from google.protobuf import text_format\n"}),
    ]

    def check(self, package: ReviewedPackage):
        found = package.dependencies()
        if found is None:
            return  # pyproject-invalid and dependencies-not-a-list report these
        source, dependencies = found
        have, reported = declared(dependencies), set()
        for relative, node, names in third_party_imports(package):
            module, distributions = provider(names)
            if module not in reported and not any(normalized(d) in have for d in distributions):
                reported.add(module)
                yield self.at(relative, node, module=module, distribution=distributions[0])
