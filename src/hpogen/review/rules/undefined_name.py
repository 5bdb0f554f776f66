from __future__ import annotations

import ast

from .. import astutil
from ..astutil import BUILTINS, bound_names, has_star_import
from ..package import ReviewedPackage
from ..rule import Example, Rule


class UndefinedName(Rule):
    """Flags a name that is read but bound nowhere in the module: usually a forgotten import.

    ## What it does
    Collects every name the module binds anywhere (imports, definitions, parameters,
    assignment and loop targets, `global`, `except ... as`) and reports each name that is
    read but is neither one of them nor a builtin, once per file at its first use. Files
    with a star import are skipped, since any name may come from it.

    ## Why is this bad?
    The classic generated-code slip is `np.mean(...)` with numpy never imported, or a helper
    that was renamed in one place only. Python only notices when the line runs: the module
    imports fine, then every trial dies with a NameError, often only on the branch that a
    particular configuration reaches, after the search has already spent its budget.

    ## Example
    ```python
    def train(cfg, dataset, seed, budget=None, model_dir=None):
        return {"loss": float(np.mean(dataset["y"]))}
    ```

    ## Use instead
    ```python
    import numpy as np

    def train(cfg, dataset, seed, budget=None, model_dir=None):
        return {"loss": float(np.mean(dataset["y"]))}
    ```
    """

    code = "HPG902"
    name = "undefined-name"
    message = "`{name}` is used but never imported or defined in {path}"
    fix_title = "Import or define the name (or fix its spelling)"
    modes = frozenset({"base", "derived", "train"})
    VALID = [Example({"train.py": "import numpy as np\n\n\ndef train(cfg, dataset, seed, budget=None, model_dir=None):\n"
                                  "    values = [float(v) for v in dataset['y']]\n"
                                  "    return {'loss': float(np.mean(values)), 'n': len(values)}\n"}, mode="train"),
             Example({"src/model.py": "from math import *\n\n\ndef build(name):\n    return sqrt(len(name))\n"})]
    INVALID = [Example({"train.py": "def train(cfg, dataset, seed, budget=None, model_dir=None):\n"
                                    "    return {'loss': float(np.mean(dataset['y']))}\n"}, mode="train"),
               Example({"train.py": "import torch\n\n\ndef train(cfg, dataset, seed, budget=None, model_dir=None):\n"
                                    "    model = nn.Linear(4, 2)\n"
                                    "    return {'loss': float(model.weight.sum())}\n"}, mode="train"),
               Example({"train.py": "def train(cfg, dataset, seed, budget=None, model_dir=None):\n"
                                    "    return {'loss': evaluate_model(cfg, dataset)}\n"}, mode="train"),
               Example({"src/evaluate.py": "def score(y, p):\n    return accuracy_score(y, p)\n"})]

    def check(self, package: ReviewedPackage):
        for source in package.python_files():
            tree = source.python
            if tree is None or has_star_import(tree):
                continue
            known = bound_names(tree) | BUILTINS
            reported: set[str] = set()
            unknown = [n for n in astutil.walk(tree)
                       if type(n) is ast.Name and n.id not in known and isinstance(n.ctx, ast.Load)]
            for node in sorted(unknown, key=lambda n: (n.lineno, n.col_offset)):
                if node.id not in reported:
                    reported.add(node.id)
                    yield self.at(source.path, node, name=node.id, path=source.path)
