from __future__ import annotations

import ast
import re

from .. import astutil
from ..package import PACKAGE_FILES, ReviewedPackage
from ..rule import Example, Rule

MODULES = {name[4:-3] for name in PACKAGE_FILES if name.startswith("src/")}


class BareSiblingImport(Rule):
    """Flags an import of a module of src/ without the `src.` prefix.

    ## What it does
    Reports `import model`, `from preprocess import load_data`, `from train import train` and
    the like in any src/*.py, where the imported name is a module of src/. `from src.model
    import ...` and relative imports (`from .model import ...`) are fine, and so is a fallback
    import in an `except ImportError:` handler.

    ## Why is this bad?
    The runner starts `uv run python -m src.main` from the package root, and main.py starts
    `python -m src.train`: only the package root is on sys.path, not src/. A bare `model` is
    then no module at all and the run dies with ModuleNotFoundError before it starts.

    ## Example
    ```python
    from model import build_model
    ```

    ## Use instead
    ```python
    from src.model import build_model
    ```
    """

    code = "HPG307"
    name = "bare-sibling-import"
    message = "{path} imports {module} without the src. prefix: ModuleNotFoundError under python -m src.main"
    fix_title = "Import it as src.{module} (from src.{module} import ...)"
    VALID = [Example({"src/train.py": "from src.model import build_model\nfrom .preprocess import load\n"
                      "try:\n    from src.evaluate import f\nexcept ImportError:\n    from evaluate import f\n"})]
    INVALID = [Example({"src/train.py": "from model import build_model\n"}),
               Example({"src/main.py": "import sys\nimport preprocess\n"}),
               Example({"src/evaluate.py": "from train import run_training as run\n"})]

    def check(self, package: ReviewedPackage):
        local = [r for r in package.listing if re.fullmatch(r"src/[^/]+\.py", r)]
        siblings = MODULES | {r[4:-3] for r in local} - {"__init__"}
        pyproject = package.file("pyproject.toml")
        if pyproject is not None and re.search(r"[\"']evaluate\b", pyproject.text or ""):
            siblings = siblings - {"evaluate"}  # Hugging Face's evaluate library
        for relative in local:
            source = package.file(relative)
            tree = source.python if source is not None else None
            if tree is None:
                continue
            fallback = {id(n) for node in astutil.walk(tree) if isinstance(node, ast.Try)
                        for handler in node.handlers for n in astutil.walk(handler)}
            for node in astutil.walk(tree):
                if id(node) in fallback:
                    continue
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
                for name in names:
                    if name.split(".")[0] in siblings:
                        yield self.at(relative, node, path=relative, module=name.split(".")[0])
