from __future__ import annotations

from ..package import ReviewedPackage
from ..rule import Example, Rule


class PythonSyntaxError(Rule):
    """Flags a Python file that does not parse.

    ## What it does
    Parses every Python file of the package (or the bundle's train.py) with Python's own parser
    and reports the first syntax error at its line and column.

    ## Why is this bad?
    A module that does not parse fails the moment it is imported: the whole experiment dies on
    the runner before the first training step. No other rule can read a file that does not
    parse, so its other problems stay hidden until this one is fixed.

    ## Example
    ```python
    def train(cfg)
        return {}
    ```

    ## Use instead
    ```python
    def train(cfg):
        return {}
    ```
    """

    code = "HPG003"
    name = "python-syntax-error"
    message = "{path} does not parse: {error}"
    fix_title = "Fix the syntax at this position"
    modes = frozenset({"base", "derived", "train"})
    VALID = [Example({"src/model.py": "def build(name):\n    return name\n"})]
    INVALID = [Example({"src/model.py": "def build(name)\n    return name\n"}),
               Example({"src/main.py": "print('unterminated)\n"}),
               Example({"train.py": "def train(cfg, dataset, seed, budget=None, model_dir=None):\n"
                                    "    return {'loss': 1.0\n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        for relative in package.listing:
            if not relative.endswith(".py"):
                continue
            source = package.file(relative)
            error = source.python_error if source is not None else None
            if error is not None:
                yield self.finding(relative, error.row, error.col, path=relative, error=error.message)
