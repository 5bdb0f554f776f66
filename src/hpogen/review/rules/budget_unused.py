from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted, int_literal, loaded_names, module_function
from ..package import ReviewedPackage
from ..rule import Example, Rule

HEAD = "def train(cfg, dataset, seed, budget=None, model_dir=None):\n"
BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
# epoch-named settings that are not the training length, and counters (which start at 0 or 1)
NOT_LENGTH = ("patience", "warmup", "every", "interval", "freq", "best", "since", "improve", "bad", "stop",
              "log", "print", "save", "checkpoint")


class BudgetUnused(Rule):
    """Flags a train function that ignores its budget or trains a hard-coded number of epochs.

    ## What it does
    Reports train() when its body never reads `budget`; a loop `for epoch in range(20)`
    (an epoch-named loop variable over a range of int literals) anywhere in the module; and a
    name containing "epoch" assigned an int literal of 2 or more inside train() when no
    statement of train() combines that name with budget (counters starting at 0 and settings
    such as `patience_epochs` or `warmup_epochs` are not the training length). Module-level constants (`FULL_EPOCHS = 100`,
    used when budget is None) are fine.

    ## Why is this bad?
    The budget is the fidelity a multi-fidelity facade (Hyperband, BOHB) hands each trial:
    epochs, iterations, trees or a data fraction. A train function that ignores it trains
    every trial at full cost, so the low-budget rungs rank nothing and the search costs as
    much as a full grid; a hard-coded epoch count does the same for neural networks.

    ## Example
    ```python
    def train(cfg, dataset, seed, budget=None, model_dir=None):
        for epoch in range(10):
            ...
    ```

    ## Use instead
    ```python
    def train(cfg, dataset, seed, budget=None, model_dir=None):
        for epoch in range(FULL_EPOCHS if budget is None else max(1, int(budget))):
            ...
    ```
    """

    code = "HPG904"
    name = "budget-unused"
    message = "{problem}"
    fix_title = "Derive the epochs / iterations / data fraction from budget (a module constant when it is None)"
    modes = frozenset({"train"})
    VALID = [Example({"train.py": "EPOCHS = 30\n\n\n" + HEAD + "    epochs = 10\n"
                                  "    if budget is not None:\n        epochs = int(budget)\n"
                                  "    for epoch in range(epochs):\n        pass\n"
                                  "    return {'loss': 0.0, 'full': EPOCHS}\n"}, mode="train")]
    INVALID = [Example({"train.py": HEAD + "    return {'loss': float(cfg['learning_rate'])}\n"}, mode="train"),
               Example({"train.py": HEAD + "    budget = budget or 1\n    for epoch in range(20):\n        pass\n"
                                           "    return {'loss': float(budget)}\n"}, mode="train"),
               Example({"train.py": HEAD + "    n = int(budget or 1)\n    num_epochs = 50\n"
                                           "    for _ in range(num_epochs):\n        pass\n"
                                           "    return {'loss': float(n)}\n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        source = package.file("train.py")
        tree = source.python if source is not None else None
        train = module_function(tree, "train") if tree is not None else None
        if train is None or "budget" not in {a.arg for a in astutil.walk(train.args) if isinstance(a, ast.arg)}:
            return  # no train, or no budget parameter: train-signature reports that
        if "budget" not in loaded_names(train):
            yield self.at("train.py", train, problem="train() never reads budget")
        for node in astutil.walk(tree):
            if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Call) \
                    and dotted(node.iter.func) == "range" and node.iter.args \
                    and all(int_literal(a) is not None for a in node.iter.args) \
                    and any("epoch" in n.lower() for n in stored_names(node.target)):
                yield self.at("train.py", node, problem="the training loop runs a hard-coded number of epochs")
        pieces = [loaded_names(p) | stored_names(p) for p in statement_pieces(train)]
        for node in astutil.walk(train):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                    and (int_literal(node.value) or 0) >= 2:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for name in {n for t in targets for n in stored_names(t) if epoch_count(n)}:
                    if not any(name in piece and "budget" in piece for piece in pieces):
                        yield self.at("train.py", node, problem=f"`{name}` is a hard-coded epoch count "
                                                               "that budget never changes")


def epoch_count(name: str) -> bool:
    lower = name.lower()
    return "epoch" in lower and not any(word in lower for word in NOT_LENGTH)


def stored_names(node: ast.AST) -> set[str]:
    return {n.id for n in astutil.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def statement_pieces(function: ast.AST):
    """Each simple statement, and each compound statement's header (test, iterable, items)."""
    for node in astutil.walk(function):
        if not isinstance(node, ast.stmt) or node is function:
            continue
        if not any(hasattr(node, block) for block in BLOCKS):
            yield node
            continue
        for field, value in ast.iter_fields(node):
            if field not in BLOCKS and field not in ("decorator_list", "args", "returns"):
                for part in value if isinstance(value, list) else [value]:
                    if isinstance(part, ast.AST):
                        yield part
