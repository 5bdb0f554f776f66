from __future__ import annotations

import ast
import itertools

from .. import astutil
from ..astutil import dotted, import_aliases, resolved
from ..flow import own_walk
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
BY_HAND = """import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--smoke-test", action="store_true")
parser.add_argument("--full-experiment", action="store_true")
args = parser.parse_args()
"""
BOTH_AND_NEITHER = """if args.smoke_test and args.full_experiment:
    parser.error("give only one mode")
if not args.smoke_test and not args.full_experiment:
    parser.error("give one mode")
"""


class ModeFlags(Rule):
    """Flags a main.py whose `--smoke-test` / `--full-experiment` flags are not one required choice.

    ## What it does
    Checks that src/main.py defines both `--smoke-test` and `--full-experiment` with
    `add_argument` on a group made by `parser.add_mutually_exclusive_group(required=True)`.
    Reports a missing flag, flags added to the parser itself, and flags in a group that is not
    required (or in two different groups).

    A check by hand takes the place of the required group: an `if` whose test reads both
    `.smoke_test` and `.full_experiment` and whose body raises, calls `*.error(...)`
    (`parser.error`) or `sys.exit` / `exit` / `quit` / `os._exit`. The rule evaluates each such
    test for the four ways the two flags can be given; together the checks must reject "both
    given" and "neither given" (`a == b`, `not (a ^ b)`, or `a and b` plus `not a and not b`),
    and a check that also rejects a valid call (one flag given) does not count. A test it
    cannot evaluate (it reads something else too) is trusted to reject both.

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
                      .replace("args =", "mode.required = True\nargs =")}),
             Example({"src/main.py": BY_HAND + "if args.smoke_test == args.full_experiment:\n"
                      "    parser.error('give exactly one mode')\n"}),
             Example({"src/main.py": "import sys\n\n\ndef main(cli_args):\n"
                      "    if cli_args.smoke_test == cli_args.full_experiment:\n"
                      "        raise ValueError('give exactly one mode')\n\n\n" + BY_HAND + "main(args)\n"}),
             Example({"src/main.py": "import sys\n" + BY_HAND + "if not (args.smoke_test ^ args.full_experiment):\n"
                      "    print('give exactly one mode', file=sys.stderr)\n    sys.exit(1)\n"}),
             Example({"src/main.py": BY_HAND + BOTH_AND_NEITHER}),
             Example({"src/main.py": GOOD.replace("(required=True)", "()") + "if not"
                      + BOTH_AND_NEITHER.split("if not")[1].replace("parser.error(", "raise SystemExit(")})]
    INVALID = [
        Example({"src/main.py": GOOD.replace("mode.add_argument(\"--smoke", "parser.add_argument(\"--smoke")
                 .replace("mode.add_argument(\"--full", "parser.add_argument(\"--full")}),
        Example({"src/main.py": GOOD.replace("(required=True)", "()")}),
        Example({"src/main.py": GOOD.replace("--full-experiment", "--full")}),
        Example({"src/main.py": GOOD.replace("--smoke-test", "--smoke_test")}),
        Example({"src/main.py": BY_HAND + BOTH_AND_NEITHER.split("if not")[0]}),
        Example({"src/main.py": BY_HAND + "if args.smoke_test != args.full_experiment:\n    parser.error('x')\n"}),
        Example({"src/main.py": BY_HAND + "if args.smoke_test == args.full_experiment:\n    print('give one mode')\n"}),
        Example({"src/main.py": BY_HAND + "cfg = 'smoke' if args.smoke_test else 'full'\n"}),
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
        open_cases = _unrejected(tree)  # of "both", "neither": what no check by hand rejects
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
                    if required is None and open_cases:
                        yield self.at(source.path, node, problem=f"{flag} is added to the parser itself, "
                                      f"so {' or '.join(open_cases)} mode can be given")
                    elif required is False and "neither" in open_cases:
                        yield self.at(source.path, node, problem=f"{flag} is in a mutually exclusive "
                                      "group without required=True, so neither mode may be given")
                    elif required and open_cases and placed and owner not in placed.values():
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


_STOPS = frozenset({"sys.exit", "exit", "quit", "os._exit", "SystemExit"})
_FLAGS = ("smoke_test", "full_experiment")


def _unrejected(tree: ast.AST) -> list[str]:
    """Which of "both" (modes given) and "neither" no check by hand in tree rejects."""
    aliases = import_aliases(tree)
    rejected: set[tuple[bool, bool]] = set()
    for node in astutil.walk(tree):
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare | ast.BoolOp | ast.BinOp | ast.UnaryOp)):
            continue
        read = {n.attr for n in astutil.walk(node.test) if isinstance(n, ast.Attribute)}
        if not set(_FLAGS) <= read or not _stops(node.body, aliases):
            continue
        cases = {}
        for given in itertools.product((True, False), repeat=2):
            try:
                cases[given] = bool(_value(node.test, dict(zip(_FLAGS, given, strict=True))))
            except (_Unknown, TypeError, ValueError, RecursionError):
                cases = {(True, True): True, (False, False): True}  # trusted, see the docstring
                break
        if not cases.get((True, False)) and not cases.get((False, True)):
            rejected |= {given for given, hit in cases.items() if hit}
    return [name for name, given in (("both", (True, True)), ("neither", (False, False))) if given not in rejected]


def _stops(body: list[ast.stmt], aliases: dict[str, str]) -> bool:
    """Whether body raises, calls *.error(...) or exits."""
    for statement in body:
        for node in [statement, *own_walk(statement)]:
            if isinstance(node, ast.Raise) or isinstance(node, ast.Call) and (
                    getattr(node.func, "attr", "") == "error" or resolved(dotted(node.func), aliases) in _STOPS):
                return True
    return False


class _Unknown(Exception):
    """A test that reads more than the two flags and constants."""


def _value(node: ast.AST, flags: dict[str, bool]):
    """node's value when the flags hold the given values."""
    if isinstance(node, ast.Attribute) and node.attr in flags:
        return flags[node.attr]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        return [_value(e, flags) for e in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _value(node.operand, flags)
    if isinstance(node, ast.BoolOp):
        values = [_value(v, flags) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor | ast.BitOr | ast.BitAnd | ast.Add | ast.Sub):
        left, right = _value(node.left, flags), _value(node.right, flags)
        return {ast.BitXor: left ^ right, ast.BitOr: left | right, ast.BitAnd: left & right,
                ast.Add: left + right, ast.Sub: left - right}[type(node.op)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("sum", "int", "bool") \
            and len(node.args) == 1 and not node.keywords:
        return {"sum": sum, "int": int, "bool": bool}[node.func.id](_value(node.args[0], flags))
    if isinstance(node, ast.Compare):
        left = _value(node.left, flags)
        for op, right in zip(node.ops, map(lambda c: _value(c, flags), node.comparators), strict=True):
            if not _compare(op, left, right):
                return False
            left = right
        return True
    raise _Unknown


def _compare(op: ast.cmpop, left, right) -> bool:
    if isinstance(op, ast.Eq | ast.Is):
        return left == right
    if isinstance(op, ast.NotEq | ast.IsNot):
        return left != right
    if isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE):
        return {ast.Lt: left < right, ast.LtE: left <= right, ast.Gt: left > right, ast.GtE: left >= right}[type(op)]
    raise _Unknown
