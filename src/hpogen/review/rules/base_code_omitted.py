from __future__ import annotations

import ast

from .. import astutil
from ..package import PACKAGE_FILES, ReviewedPackage
from ..rule import Example, Rule
from ..source import PLACEHOLDER

MIN_STATEMENTS = 5  # shorter base functions are not checked for truncation

BASE_TRAIN = "def train(data):\n    total = 0\n    for x in data:\n        total += x\n        if total > 9:\n" \
             "            break\n    print(total)\n    return total\n"


class BaseCodeOmitted(Rule):
    """Flags a function, class or method of the base package that the derived package lost or cut short.

    ## What it does
    Compares each src module of a derived package with the same module of its base package
    (given with `--base`; without it this rule reports nothing). Every top-level function,
    class and method of the base must still be there, unless its base source holds a
    placeholder token (derive replaces those). A base function of five or more statements
    (nested ones counted) whose derived version has fewer than three quarters as many is reported
    as truncated.

    ## Why is this bad?
    Deriving a package fills in the dataset, the model and the runs; the core logic is meant
    to be carried over untouched. A definition that disappears or shrinks was dropped by the
    generator (often "omitted for brevity"): the derived experiment then fails on a missing
    name or quietly runs less than the reviewed base.

    ## Example
    ```python
    # base src/train.py: def train_epochs(...) with a 14-statement loop
    # derived src/train.py:
    def train_epochs(model, optimizer, data, config, epochs, batch_size, generator):
        return model
    ```

    ## Use instead
    ```python
    # derived src/train.py: train_epochs carried over from the base unchanged
    ```
    """

    code = "HPG801"
    name = "base-code-omitted"
    message = "{path}: {definition} of the base package {problem}"
    fix_title = "Carry the base definition over unchanged (derive changes only the placeholders)"
    modes = frozenset({"derived"})
    VALID = [Example({"src/evaluate.py": BASE_TRAIN + "\n\ndef extra():\n    return 1\n"}, mode="derived",
                     base={"src/evaluate.py": BASE_TRAIN}),
             Example({"src/model.py": "def build(name):\n    return name\n"}, mode="derived",
                     base={"src/model.py": "def load(name):\n    raise NotImplementedError(MODEL_PLACEHOLDER)\n"}),
             Example({"src/model.py": "class Ablation:\n    pass\n"}, mode="derived",
                     base={"src/model.py": "class ABLATION_PLACEHOLDER:\n    def __init__(self):\n"
                                           "        self.layers = []\n"})]
    INVALID = [
        Example({"src/main.py": "def main():\n    return 0\n"}, mode="derived",
                base={"src/main.py": "def read_runs(path):\n    return []\n\n\ndef main():\n    return 0\n"}),
        Example({"src/evaluate.py": "def train(data):\n    return 0\n"}, mode="derived",
                base={"src/evaluate.py": BASE_TRAIN}),
        Example({"src/train.py": "class ASHA:\n    def report(self, score):\n        return score\n"},
                mode="derived",
                base={"src/train.py": "class ASHA:\n    def report(self, score):\n        return score\n\n"
                                      "    def next_job(self):\n        return None\n"}),
    ]

    def check(self, package: ReviewedPackage):
        if package.base is None:
            return
        for relative in PACKAGE_FILES[:5]:
            base, derived = package.base.file(relative), package.file(relative)
            if base is None or derived is None or base.python is None or derived.python is None:
                continue
            ours = astutil.functions(derived.python)
            definitions = astutil.functions(base.python)
            for name, node in definitions.items():
                # a placeholder in a class stands for the whole class, its methods included
                owner = definitions.get(name.partition(".")[0], node)
                if any(PLACEHOLDER.search("\n".join(base.lines[n.lineno - 1:getattr(n, "end_lineno", n.lineno)]))
                       for n in (node, owner)):
                    continue
                kind = "class" if isinstance(node, ast.ClassDef) else "function"
                found = ours.get(name)
                if found is None:
                    holder = ours.get(name.partition(".")[0]) if "." in name else None
                    where = (holder.lineno, holder.col_offset + 1) if holder is not None else (1, 1)
                    yield self.finding(relative, *where, path=relative, definition=f"{kind} {name}",
                                       problem="is missing")
                elif kind == "function" and not isinstance(found, ast.ClassDef) \
                        and _text(base, node) != _text(derived, found):  # an unchanged body lost nothing
                    before, after = astutil.statement_count(node), astutil.statement_count(found)
                    if before >= MIN_STATEMENTS and after * 4 < before * 3:
                        yield self.at(relative, found, path=relative, definition=f"{kind} {name}",
                                      problem=f"is truncated ({after} of its {before} statements left)")


def _text(source, node: ast.AST) -> list[str]:
    return source.lines[node.lineno - 1:getattr(node, "end_lineno", node.lineno)]
