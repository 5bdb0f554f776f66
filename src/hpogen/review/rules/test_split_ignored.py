from __future__ import annotations

import ast

from .. import astutil
from ..package import ReviewedPackage
from ..rule import Example, Rule

HEAD = ("from sklearn.model_selection import train_test_split\n\n\n"
        "def train(cfg, dataset, seed, budget=None, model_dir=None):\n")
SPLIT = "X, X_val, y, y_val = train_test_split(dataset['X'], dataset['y'], random_state=seed)\n"
KEY = "X_test"


class TestSplitIgnored(Rule):
    """Flags a train function that ignores the dataset's X_test, or reads it without a guard.

    ## What it does
    Reports train.py when it never refers to `X_test` (no "X_test" string or attribute, and
    no f-string `f"X_{part}"` built from a "test" constant), or when it subscripts
    `dataset["X_test"]` with no guard anywhere: no `.get("X_test")`, no `"X_test" in ...`,
    no condition or `try` mentioning it.

    ## Why is this bad?
    The contract: when the dataset brings X_test / y_test (and X_val), train fits on all of
    X and scores on them, so every configuration is judged on the same held-out rows;
    otherwise it splits validation rows off itself. Ignoring X_test scores configurations on
    a different, smaller split than the benchmark's; reading it unguarded raises KeyError on
    every dataset that comes without a test part.

    ## Example
    ```python
    X_val, y_val = dataset["X_test"], dataset["y_test"]
    ```

    ## Use instead
    ```python
    if "X_test" in dataset:
        X_val, y_val = dataset["X_test"], dataset["y_test"]
    else:
        X, X_val, y, y_val = train_test_split(X, y, test_size=0.2, random_state=seed)
    ```
    """

    code = "HPG907"
    name = "test-split-ignored"
    message = "train.py {problem}"
    fix_title = "Use X_test / y_test when the dataset has them, else split validation rows off X"
    modes = frozenset({"train"})
    VALID = [Example({"train.py": HEAD + "    X, y = dataset['X'], dataset['y']\n    if 'X_test' in dataset:\n"
                                  "        X_val, y_val = dataset['X_test'], dataset['y_test']\n    else:\n        " + SPLIT
                                  + "    return {'loss': float(len(X_val))}\n"}, mode="train"),
             Example({"train.py": HEAD + "    X_val = dataset.get('X_test')\n    if X_val is None:\n        " + SPLIT
                                  + "    return {'loss': float(len(X_val))}\n"}, mode="train")]
    INVALID = [Example({"train.py": HEAD + "    " + SPLIT
                                           + "    return {'loss': float(len(X_val))}\n"}, mode="train"),
               Example({"train.py": HEAD + "    X_val, y_val = dataset['X_test'], dataset['y_test']\n"
                                           "    return {'loss': float(len(X_val))}\n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        source = package.file("train.py")
        tree = source.python if source is not None else None
        if tree is None:
            return
        if not refers_to_test(tree):
            yield self.finding("train.py", problem="never uses the dataset's X_test (the contract's test part)")
            return
        reads = [n for n in astutil.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load)
                 and isinstance(n.slice, ast.Constant) and n.slice.value == KEY]
        if reads and not guarded(tree):
            yield self.at("train.py", reads[0], problem="reads dataset[\"X_test\"] without checking it is there")


def refers_to_test(tree: ast.AST) -> bool:
    strings = {n.value for n in astutil.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    if KEY in strings or any(isinstance(n, ast.Attribute) and n.attr == KEY for n in astutil.walk(tree)):
        return True
    if "test" not in strings:
        return False
    for node in astutil.walk(tree):  # f"X_{name}" or "X_" + name, with name running over ("val", "test")
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) \
                and node.values[0].value == "X_":
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant) \
                and node.left.value == "X_":
            return True
    return False


def guarded(tree: ast.AST) -> bool:
    """Whether the module checks anywhere that X_test is there."""
    for node in astutil.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and mentions(node.args[0]):
            return True
        tests = []
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            tests.append(node)
        elif isinstance(node, (ast.If, ast.IfExp, ast.While, ast.Assert)):
            tests.append(node.test)
        elif isinstance(node, ast.comprehension):
            tests += node.ifs
        elif isinstance(node, ast.Try) and node.handlers:
            tests += node.body
        if any(mentions(test) for test in tests):
            return True
    return False


def mentions(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value == KEY for n in astutil.walk(node))
