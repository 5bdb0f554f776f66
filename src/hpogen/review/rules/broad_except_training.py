from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted
from ..package import ReviewedPackage
from ..rule import Example, Rule

BROAD = {"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"}
HEAD = "def train(cfg, dataset, seed, budget=None, model_dir=None):\n"


class BroadExceptTraining(Rule):
    """Flags a bare or `except Exception` in the training code whose handler does not re-raise.

    ## What it does
    In the bundle's train.py (or a package's src/train.py), reports every `except:`,
    `except Exception` and `except BaseException` (alone or in a tuple) whose handler has no
    `raise` statement. Narrow handlers (`except (TypeError, ValueError)`) and broad ones that
    log and re-raise are fine.

    ## Why is this bad?
    A swallowed exception turns a crash (a bad shape, an out-of-memory error, a typo) into a
    plausible result, typically `{"loss": 1.0}` or the metrics of a half-trained model. SMAC
    cannot tell it from a real evaluation, so it optimises around the bug, and the run
    reports success while no configuration ever trained. Let errors propagate: SMAC records
    a crashed trial as such.

    ## Example
    ```python
    try:
        model.fit(X, y)
    except Exception:
        return {"loss": 1.0}
    ```

    ## Use instead
    ```python
    model.fit(X, y)
    ```
    """

    code = "HPG909"
    name = "broad-except-training"
    message = "`{clause}` swallows every error of the training code"
    fix_title = "Let the error propagate, catch only the exceptions you expect, or re-raise"
    modes = frozenset({"train", "base", "derived"})
    VALID = [Example({"train.py": HEAD + "    try:\n        lr = float(cfg['learning_rate'])\n"
                                  "    except (TypeError, ValueError):\n        lr = 1e-3\n"
                                  "    try:\n        loss = 1.0 / lr\n    except Exception as error:\n"
                                  "        print(error)\n        raise\n    return {'loss': loss}\n"}, mode="train")]
    INVALID = [Example({"train.py": HEAD + "    try:\n        loss = 1.0 / float(cfg['learning_rate'])\n"
                                           "    except Exception:\n        loss = 1.0\n"
                                           "    return {'loss': loss}\n"}, mode="train"),
               Example({"train.py": HEAD + "    try:\n        loss = 1.0 / float(cfg['learning_rate'])\n"
                                           "    except:\n        return {'loss': float('inf')}\n"
                                           "    return {'loss': loss}\n"}, mode="train"),
               Example({"src/train.py": "def fit(model, X, y):\n    try:\n        model.fit(X, y)\n"
                                        "    except (ValueError, BaseException) as error:\n"
                                        "        print(error)\n    return model\n"})]

    def check(self, package: ReviewedPackage):
        relative = "train.py" if package.mode == "train" else "src/train.py"
        source = package.file(relative)
        tree = source.python if source is not None else None
        if tree is None:
            return
        for node in astutil.walk(tree):
            if isinstance(node, ast.ExceptHandler) and broad(node.type) \
                    and not any(isinstance(n, ast.Raise) for s in node.body for n in astutil.walk(s)):
                clause = "except:" if node.type is None else f"except {ast.unparse(node.type)}"
                yield self.at(relative, node, clause=clause)


def broad(kind: ast.AST | None) -> bool:
    if kind is None:
        return True
    kinds = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(dotted(k) in BROAD for k in kinds)
