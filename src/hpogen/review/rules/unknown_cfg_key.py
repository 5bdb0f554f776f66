from __future__ import annotations

import ast
import difflib

from .. import astutil
from ..astutil import dotted, module_function
from ..package import ReviewedPackage
from ..rule import Example, Rule

HEAD = "import numpy as np\n\n\ndef train(cfg, dataset, seed, budget=None, model_dir=None):\n"


class UnknownCfgKey(Rule):
    """Flags a hyperparameter the code reads from cfg that configspace.json does not define.

    ## What it does
    The configuration is train's first parameter, the parameter of each module function it
    is passed to, and a copy made with `dict(cfg)` or `cfg.get_dictionary()`. With a string key:
    - `cfg["key"]` and `cfg.get("key")` without a default are always checked: they raise
      KeyError (or give None) for a key outside the space;
    - `cfg.get("key", default)` and helper calls `helper(cfg, "key", ...)` are checked only
      when the key is a near miss of a space name (`learning_rat` for `learning_rate`; a
      different family prefix, `mlp_learning_rate` for `hgb_learning_rate`, is no near miss).
      Reading a key some spaces lack, with a fallback, is how a generic train function
      serves several spaces (`_hp(cfg, "svm_C", float, 1.0)`); a misspelt key is a typo.
    A key tested with `"key" in cfg` anywhere in the module is optional and never reported.

    ## Why is this bad?
    A key the space lacks either crashes every trial (KeyError) or, read with a default,
    silently pins that hyperparameter to the default, so SMAC tunes a knob the model ignores.

    ## Example
    ```python
    lr = cfg["lr"]                        # the space defines learning_rate
    ```

    ## Use instead
    ```python
    lr = cfg["learning_rate"]
    ```
    """

    code = "HPG903"
    name = "unknown-cfg-key"
    message = "cfg key {key!r} is not a hyperparameter of configspace.json{hint}"
    fix_title = "Use the exact hyperparameter name from configspace.json"
    modes = frozenset({"train"})
    VALID = [Example({"train.py": HEAD + "    lr = float(cfg['learning_rate'])\n"
                                         "    epochs = int(cfg.get('epochs', 20))\n"
                                         "    depth = cfg['depth'] if 'depth' in cfg else 3\n"
                                         "    return {'loss': lr * epochs * depth}\n"}, mode="train")]
    INVALID = [Example({"train.py": HEAD + "    return {'loss': float(cfg['lr'])}\n"}, mode="train"),
               Example({"train.py": HEAD + "    return {'loss': float(cfg.get('learning_rat', 0.01))}\n"},
                       mode="train"),
               Example({"train.py": HEAD + "    params = dict(cfg)\n"
                                           "    return {'loss': float(params['num_layers'])}\n"}, mode="train"),
               Example({"train.py": HEAD + "    return {'loss': _hp(cfg, 'drop_out', 0.1)}\n\n\n"
                                           "def _hp(cfg, name, fallback):\n"
                                           "    return cfg.get(name, fallback)\n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        source = package.file("train.py")
        tree = source.python if source is not None else None
        names = package.config_space_names()
        if tree is None or names is None:
            return
        configs = config_names(tree)
        optional = {n.left.value for n in astutil.walk(tree) if isinstance(n, ast.Compare)
                    and isinstance(n.left, ast.Constant) and isinstance(n.left.value, str)
                    and any(isinstance(op, (ast.In, ast.NotIn)) for op in n.ops)
                    and any(dotted(c).removesuffix(".keys()") in configs for c in n.comparators)}
        for node, key, strict in reads(tree, configs):
            if key in names or key in optional:
                continue
            close = [n for n in difflib.get_close_matches(key, sorted(names), n=5, cutoff=0.8)
                     if not other_family(key, n)]
            if strict or close:
                yield self.at("train.py", node, key=key, hint=f" (did you mean {close[0]!r}?)" if close else "")


def config_names(tree: ast.Module) -> set[str]:
    """Names that hold the configuration: train's first parameter, the parameters of module
    functions it is passed to (followed through helpers), and copies of it."""
    train = module_function(tree, "train")
    positional = [*train.args.posonlyargs, *train.args.args] if train is not None else []
    found = {positional[0].arg} if positional else {"cfg"}
    helpers = {n.name: [a.arg for a in (*n.args.posonlyargs, *n.args.args, *n.args.kwonlyargs)]
               for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    while True:
        before = len(found)
        for node in astutil.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers:
                params = helpers[node.func.id]
                found |= {params[i] for i, a in enumerate(node.args) if i < len(params) and dotted(a) in found}
                found |= {k.arg for k in node.keywords if k.arg in params and dotted(k.value) in found}
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and isinstance(node.value, ast.Call):
                call, callee = node.value, dotted(node.value.func)
                copied = callee == "dict" and len(call.args) == 1 and dotted(call.args[0]) in found
                if copied or callee.rsplit(".", 1)[0] in found and callee.endswith(("get_dictionary", "copy")):
                    found.add(node.targets[0].id)
        if len(found) == before:
            return found


def other_family(key: str, name: str) -> bool:
    """Whether two names differ only in a leading family prefix (`mlp_lr` / `hgb_lr` / `lr`)."""
    def rest(text: str) -> str:
        return text.partition("_")[2]

    return bool(rest(key)) and rest(key) in (rest(name), name) or bool(rest(name)) and key == rest(name)


def reads(tree: ast.Module, configs: set[str]):
    """(node, key, strict) of every read with a str key; strict: a missing key is an error."""
    for node in astutil.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and dotted(node.value) in configs:
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                yield node, node.slice.value, True
        elif isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            is_str = isinstance(first, ast.Constant) and isinstance(first.value, str)
            callee = node.func
            if is_str and isinstance(callee, ast.Attribute) and callee.attr == "get" and dotted(callee.value) in configs:
                yield node, first.value, len(node.args) == 1 and not node.keywords
                continue
            for argument, after in zip(node.args, node.args[1:], strict=False):
                if dotted(argument) in configs and isinstance(after, ast.Constant) and isinstance(after.value, str):
                    yield after, after.value, False
                    break
