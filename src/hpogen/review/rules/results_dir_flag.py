from __future__ import annotations

import ast

from .. import astutil
from ..package import ReviewedPackage
from ..rule import Example, Rule

GOOD = """import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--results-dir", required=True)
args = parser.parse_args()
"""


class ResultsDirFlag(Rule):
    """Flags a main.py without a `--results-dir` option.

    ## What it does
    Checks that src/main.py calls `add_argument` with the option string `--results-dir`.

    ## Why is this bad?
    The runner always starts `python -m src.main --results-dir DIR` and collects the logs, the
    results.json files and the figures from that folder. Without the option argparse exits with
    "unrecognized arguments"; with a spelling such as `--results_dir` or `--output-dir` the
    same happens, and a hard-coded folder leaves the runner's folder empty.

    ## Example
    ```python
    parser.add_argument("--output_dir", default="results")
    ```

    ## Use instead
    ```python
    parser.add_argument("--results-dir", required=True, type=Path)
    ```
    """

    code = "HPG302"
    name = "results-dir-flag"
    message = "src/main.py defines no --results-dir option{detail}"
    fix_title = "Add parser.add_argument(\"--results-dir\", required=True) and write every output under it"
    VALID = [Example({"src/main.py": GOOD}),
             Example({"src/main.py": GOOD.replace('"--results-dir"', '"--results-dir", "-o"')})]
    INVALID = [Example({"src/main.py": GOOD.replace("--results-dir", "--results_dir")}),
               Example({"src/main.py": GOOD.replace("--results-dir", "--output-dir")}),
               Example({"src/main.py": "import sys\n\nRESULTS = 'results'\nprint(sys.argv)\n"})]

    def check(self, package: ReviewedPackage):
        source = package.file("src/main.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        options = [a.value for node in astutil.walk(tree) if isinstance(node, ast.Call)
                   and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"
                   for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if "--results-dir" in options:
            return
        near = [o for o in options if "result" in o or "out" in o]
        detail = f" (it has {', '.join(near)}; the runner passes --results-dir)" if near else ""
        yield self.finding(source.path, 1, 1, detail=detail)
