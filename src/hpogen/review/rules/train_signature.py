from __future__ import annotations

import ast

from ..astutil import bound_names, module_function
from ..package import ReviewedPackage
from ..rule import Example, Rule

EXPECTED = ("cfg", "dataset", "seed", "budget", "model_dir")


class TrainSignature(Rule):
    """Flags a bundle whose train.py has no `train(cfg, dataset, seed, budget=None, model_dir=None)`.

    ## What it does
    Looks for a module-level `def train` in the bundle's train.py and checks its parameters:
    exactly `cfg, dataset, seed, budget, model_dir` in this order, `budget` and `model_dir`
    defaulting to None, and no further parameter without a default. Annotations are allowed.

    ## Why is this bad?
    run_hpo.py calls `train(cfg, dataset, seed, budget=..., model_dir=...)` by keyword and
    SMAC's target function passes the seed and budget by name: a renamed parameter
    (`config`, `epochs`), a missing one or an extra required one fails every trial with a
    TypeError, and a `budget` without a default breaks the final refit without a budget.

    ## Example
    ```python
    def train(config, dataset, seed, budget):
        ...
    ```

    ## Use instead
    ```python
    def train(cfg, dataset, seed, budget=None, model_dir=None):
        ...
    ```
    """

    code = "HPG901"
    name = "train-signature"
    message = "train.py: {problem}"
    fix_title = "Define `def train(cfg, dataset, seed, budget=None, model_dir=None)` at module level"
    modes = frozenset({"train"})
    VALID = [Example({"train.py": "from typing import Any\n\n\ndef train(cfg: Any, dataset: dict, seed: int,"
                                  " budget: float | None = None, model_dir: str | None = None) -> dict:\n"
                                  "    return {'loss': 0.0}\n"}, mode="train"),
             Example({"train.py": "def train(cfg, dataset, seed, budget=None, model_dir=None, *, verbose=False):\n"
                                  "    return {'loss': 0.0}\n"}, mode="train")]
    INVALID = [Example({"train.py": "def fit(cfg, dataset, seed, budget=None, model_dir=None):\n"
                                    "    return {'loss': 0.0}\n"}, mode="train"),
               Example({"train.py": "def train(config, dataset, seed, budget=None, model_dir=None):\n"
                                    "    return {'loss': 0.0}\n"}, mode="train"),
               Example({"train.py": "def train(cfg, dataset, seed, budget, model_dir=None):\n"
                                    "    return {'loss': 0.0}\n"}, mode="train"),
               Example({"train.py": "def train(cfg, dataset, seed):\n    return {'loss': 0.0}\n"}, mode="train"),
               Example({"train.py": "def train(cfg, dataset, seed, budget=None, model_dir=None, *, device):\n"
                                    "    return {'loss': 0.0}\n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        source = package.file("train.py")
        tree = source.python if source is not None else None
        if tree is None:
            return
        node = module_function(tree, "train")
        if node is None:
            if "train" not in bound_names(tree):  # bound some other way: nothing to read here
                yield self.finding("train.py", problem="no module-level `def train(...)`")
            return
        problem = signature_problem(node.args)
        if problem:
            yield self.at("train.py", node, problem=problem)


def signature_problem(args: ast.arguments) -> str:
    """What is wrong with train's parameters, '' when nothing is."""
    positional = [*args.posonlyargs, *args.args]
    names = tuple(a.arg for a in positional)
    defaults = dict(zip(reversed(names), reversed(args.defaults), strict=False))
    if names[:5] != EXPECTED:
        return f"train's parameters are ({', '.join(names[:5])}), not ({', '.join(EXPECTED)})"
    for name in ("budget", "model_dir"):
        default = defaults.get(name)
        if not (isinstance(default, ast.Constant) and default.value is None):
            return f"train's `{name}` must default to None"
    extra = [a.arg for a in positional[5:] if a.arg not in defaults]
    extra += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d is None]
    if extra:
        return f"extra required parameter(s) {', '.join(extra)}"
    return ""
