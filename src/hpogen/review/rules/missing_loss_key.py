from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dict_keys, module_function
from ..package import ReviewedPackage
from ..rule import Example, Rule

HEAD = "def train(cfg, dataset, seed, budget=None, model_dir=None):\n"


class MissingLossKey(Rule):
    """Flags a train function whose returned dict never gets a "loss" key.

    ## What it does
    Looks for "loss" as a key anywhere in train.py: in a dict display (`{"loss": ...}`), a
    store (`metrics["loss"] = ...`), `dict(loss=...)`, `.update(loss=...)` or
    `.setdefault("loss", ...)`, also through a str constant (`LOSS = "loss"`). The returned dict is often built by a helper
    (`return compute_metrics(...)`), so any such key in the module counts; a module with none
    cannot return one.

    ## Why is this bad?
    run_hpo.py hands SMAC `result["loss"]`, the validation error it minimises. A result with
    only `accuracy` or `val_loss` fails every trial with a KeyError, or, where the runner
    falls back to a default, gives every configuration the same cost, so SMAC searches blind.

    ## Example
    ```python
    return {"accuracy": accuracy, "val_loss": val_loss}
    ```

    ## Use instead
    ```python
    return {"loss": 1.0 - accuracy, "accuracy": accuracy}
    ```
    """

    code = "HPG905"
    name = "missing-loss-key"
    message = "no dict in train.py has a \"loss\" key, so train() cannot return the validation error"
    fix_title = "Return {\"loss\": <validation error>, ...} (lower is better), with other metrics beside it"
    modes = frozenset({"train"})
    VALID = [Example({"train.py": HEAD + "    metrics = {'accuracy': 0.9}\n"
                                  "    metrics.update(loss=1.0 - metrics['accuracy'])\n"
                                  "    return metrics\n"}, mode="train"),
             Example({"train.py": HEAD + "    return _metrics(0.9)\n\n\n"
                                  "def _metrics(accuracy):\n    result = {}\n"
                                  "    result['loss'] = 1.0 - accuracy\n    return result\n"}, mode="train")]
    INVALID = [Example({"train.py": HEAD + "    return {'accuracy': 0.9, 'val_loss': 0.3}\n"}, mode="train"),
               Example({"train.py": HEAD + "    metrics = {}\n    metrics['error'] = 0.1\n"
                                           "    return metrics\n"}, mode="train"),
               Example({"train.py": HEAD + "    return dict(accuracy=0.9, f1=0.8)\n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        source = package.file("train.py")
        tree = source.python if source is not None else None
        train = module_function(tree, "train") if tree is not None else None
        if train is None or "loss" in dict_keys(tree) or "loss" in method_keys(tree):
            return
        returns = [n for n in astutil.walk(train) if isinstance(n, ast.Return) and n.value is not None]
        yield self.at("train.py", returns[0] if returns else train)


def method_keys(tree: ast.AST) -> set[str]:
    """Keys given to `.update(key=...)` and `.setdefault("key", ...)`, and str constants
    (`LOSS_KEY = "loss"`) used as a dict display's key or a subscript store's."""
    keys: set[str] = set()
    constants = {t.id: n.value.value for n in astutil.walk(tree) if isinstance(n, ast.Assign)
                 and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                 for t in n.targets if isinstance(t, ast.Name)}
    for node in astutil.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "update":
                keys |= {k.arg for k in node.keywords if k.arg}
            elif node.func.attr == "setdefault" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                keys.add(node.args[0].value)
        elif isinstance(node, ast.Dict):
            keys |= {constants.get(k.id, "") for k in node.keys if isinstance(k, ast.Name)}
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.slice, ast.Name):
            keys.add(constants.get(node.slice.id, ""))
    return keys
