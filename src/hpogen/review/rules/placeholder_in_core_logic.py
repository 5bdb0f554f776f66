from __future__ import annotations

from ..package import ReviewedPackage
from ..rule import Example, Rule

CORE_MODULES = ("src/train.py", "src/evaluate.py", "src/main.py")


class PlaceholderInCoreLogic(Rule):
    """Flags a placeholder token in the training, evaluation or orchestration code.

    ## What it does
    Reports every line of src/train.py, src/evaluate.py or src/main.py of a base package that
    holds a placeholder token (an upper-case name ending in `PLACEHOLDER`, such as
    `DATASET_PLACEHOLDER`).

    ## Why is this bad?
    Deriving a package replaces only the dataset (src/preprocess.py), the model (src/model.py)
    and the configs' runs. A placeholder anywhere else is never filled: the core logic every
    variation shares stays unfinished, and the run fails (or silently does the wrong thing)
    where the token is used.

    ## Example
    ```python
    # src/train.py
    optimizer = OPTIMIZER_PLACEHOLDER(model.parameters(), lr=lr)
    ```

    ## Use instead
    ```python
    # src/train.py
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    ```
    """

    code = "HPG401"
    name = "placeholder-in-core-logic"
    message = "{path} holds the placeholder {token}: only the dataset, the model and the runs may"
    fix_title = "Write the real code here; keep placeholders to preprocess.py, model.py and the configs' runs"
    modes = frozenset({"base"})
    VALID = [Example({"src/main.py": '"""Run every variation."""\n\nRUNS_KEY = "runs"\n'})]
    INVALID = [
        Example({"src/train.py": "def make_optimizer(model):\n    return OPTIMIZER_PLACEHOLDER(model)\n"}),
        Example({"src/evaluate.py": 'METRIC = "METRIC_PLACEHOLDER"  # will be replaced later\n'}),
        Example({"src/main.py": "# LOOP_PLACEHOLDER: the runs are launched here\nprint('done')\n"}),
    ]

    def check(self, package: ReviewedPackage):
        for relative, row, col, token in package.placeholders(CORE_MODULES):
            yield self.finding(relative, row, col, path=relative, token=token)
