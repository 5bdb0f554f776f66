from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted
from ..package import ReviewedPackage
from ..rule import Example, Rule

FLAGS = ("--smoke-test", "--full-experiment")
GOOD = """import argparse

parser = argparse.ArgumentParser()
mode = parser.add_mutually_exclusive_group(required=True)
mode.add_argument("--smoke-test", action="store_true")
mode.add_argument("--full-experiment", action="store_true")
args = parser.parse_args()
"""


class ModeFlags(Rule):
    """Flags a main.py whose `--smoke-test` / `--full-experiment` flags are not one required choice.

    ## What it does
    Checks that src/main.py defines both `--smoke-test` and `--full-experiment` with
    `add_argument` on a group made by `parser.add_mutually_exclusive_group(required=True)`.
    Reports a missing flag, flags added to the parser itself, and flags in a group that is not
    required (or in two different groups).

    ## Why is this bad?
    The runner starts `python -m src.main --smoke-test` first and `--full-experiment` later; a
    missing flag makes argparse exit with an error before any run. On the parser itself, both
    flags can be given at once, or neither, and main.py silently picks one config.

    ## Example
    ```python
    parser.add_argument("--smoke-test", action="store_true")
    parser.add_argument("--full-experiment", action="store_true")
    ```

    ## Use instead
    ```python
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--smoke-test", action="store_true")
    mode.add_argument("--full-experiment", action="store_true")
    ```
    """

    code = "HPG301"
    name = "mode-flags"
    message = "{problem}"
    fix_title = "Add --smoke-test and --full-experiment to add_mutually_exclusive_group(required=True)"
    VALID = [Example({"src/main.py": GOOD}),
             Example({"src/main.py": GOOD.replace("(required=True)", "()")
                      .replace("args =", "mode.required = True\nargs =")})]
    INVALID = [
        Example({"src/main.py": GOOD.replace("mode.add_argument(\"--smoke", "parser.add_argument(\"--smoke")
                 .replace("mode.add_argument(\"--full", "parser.add_argument(\"--full")}),
        Example({"src/main.py": GOOD.replace("(required=True)", "()")}),
        Example({"src/main.py": GOOD.replace("--full-experiment", "--full")}),
        Example({"src/main.py": GOOD.replace("--smoke-test", "--smoke_test")}),
    ]

    def check(self, package: ReviewedPackage):
        source = package.file("src/main.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        groups: dict[str, bool] = {}  # group variable -> made with required=True (or set later)
        for node in astutil.walk(tree):
            if isinstance(node, ast.Assign) and _makes_group(node.value):
                groups.update((dotted(t), _required(node.value)) for t in node.targets)
        for node in astutil.walk(tree):
            if isinstance(node, ast.Assign) and any(dotted(t).endswith(".required") for t in node.targets) \
                    and isinstance(node.value, ast.Constant) and node.value.value is True:
                groups.update((dotted(t).removesuffix(".required"), True) for t in node.targets)
        placed: dict[str, str] = {}
        for node in astutil.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add_argument"):
                continue
            for flag in FLAGS:
                if any(isinstance(a, ast.Constant) and a.value == flag for a in node.args):
                    receiver = node.func.value
                    owner = dotted(receiver)
                    required = groups.get(owner) if owner in groups else (
                        _required(receiver) if _makes_group(receiver) else None)
                    if required is None:
                        yield self.at(source.path, node, problem=f"{flag} is added to the parser itself, "
                                      "so both or neither mode can be given")
                    elif not required:
                        yield self.at(source.path, node, problem=f"{flag} is in a mutually exclusive "
                                      "group without required=True, so neither mode may be given")
                    elif placed and owner not in placed.values():
                        yield self.at(source.path, node, problem="--smoke-test and --full-experiment are in different groups")
                    placed[flag] = owner
        missing = [flag for flag in FLAGS if flag not in placed]
        if missing:
            yield self.finding(source.path, 1, 1, problem=f"src/main.py defines no {' or '.join(missing)} flag")


def _makes_group(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and node.func.attr == "add_mutually_exclusive_group"


def _required(call: ast.Call) -> bool:
    return any(k.arg == "required" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in call.keywords)
