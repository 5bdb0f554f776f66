from __future__ import annotations

import ast

from .. import astutil
from ..astutil import calls, import_aliases, resolved
from ..flow import code_strings, prints_json
from ..package import ReviewedPackage
from ..rule import Example, Rule

GOOD = """import json
from pathlib import Path


def main(results_dir: Path):
    runs = [json.loads(p.read_text()) for p in sorted(results_dir.glob("*/results.json"))]
    print(json.dumps({"runs": len(runs)}))
"""


class EvaluateJsonOutput(Rule):
    """Flags an evaluate.py that does not read the runs' results or print JSON.

    ## What it does
    Checks that src/evaluate.py reads the runs' results (the string `results.json`, a glob
    pattern for `*.json` files, or another `*.json` file name such as `"epoch_metrics.json"`
    where the module also parses JSON with `json.load` / `json.loads` / `read_json`) and
    prints its comparison as JSON: `print(json.dumps(...))`, `json.dump(x, sys.stdout)` or
    `print(df.to_json(...))` (any `.to_json(...)` call printed). Reports each one that is
    missing.

    ## Why is this bad?
    evaluate.py is the step that compares the runs; the JSON it prints is what the runner
    keeps as the experiment's result. One that reads made-up or hard-coded numbers, or prints
    a human-readable table only, gives the runner nothing to parse.

    ## Example
    ```python
    print(df.to_string())
    ```

    ## Use instead
    ```python
    results = [json.loads(p.read_text()) for p in results_dir.glob("*/results.json")]
    print(json.dumps(comparison))
    ```
    """

    code = "HPG503"
    name = "evaluate-json-output"
    message = "src/evaluate.py {problem}"
    fix_title = "Read {results_dir}/*/results.json and print the comparison with print(json.dumps(...))"
    VALID = [Example({"src/evaluate.py": GOOD}),
             Example({"src/evaluate.py": GOOD.replace('"*/results.json"', '"**/*.json"')
                      .replace("print(json.dumps(", "json.dump((").replace("}))", "}), sys.stdout)")
                      .replace("import json", "import json\nimport sys")}),
             Example({"src/evaluate.py": GOOD.replace('sorted(results_dir.glob("*/results.json"))',
                                                      '(d / "epoch_metrics.json" for d in results_dir.iterdir())')}),
             Example({"src/evaluate.py": GOOD.replace("print(json.dumps(", "print(pd.DataFrame(runs).to_json(")
                      .replace('{"runs": len(runs)}))', 'orient="records"))')
                      .replace("import json", "import json\n\nimport pandas as pd")})]
    INVALID = [Example({"src/evaluate.py": GOOD.replace("print(json.dumps(", "print((")}),
               Example({"src/evaluate.py": GOOD.replace('results_dir.glob("*/results.json")', "[]")}),
               Example({"src/evaluate.py": "print('done')\n"}),
               Example({"src/evaluate.py": GOOD.replace('sorted(results_dir.glob("*/results.json"))', "[]")
                        .replace("print(json.dumps(", 'json.dump(runs, open("summary.json", "w"))\n    print(json.dumps(')
                        .replace("json.loads(p.read_text())", "p")}),
               Example({"src/evaluate.py": GOOD.replace("print(json.dumps(", "print(pd.DataFrame(runs).to_string(")
                        .replace('{"runs": len(runs)}))', '))')
                        .replace("import json", "import json\n\nimport pandas as pd")})]

    def check(self, package: ReviewedPackage):
        source = package.file("src/evaluate.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        aliases = import_aliases(tree)
        missing = [] if prints_json(tree) or _prints_to_json(tree, aliases) else \
            ["never prints its comparison as JSON (print(json.dumps(...)))"]
        globs = {id(s) for n in astutil.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "attr", getattr(n.func, "id", "")) in ("glob", "rglob", "iglob")
                 for a in n.args for s in astutil.walk(a)}
        parses = any(resolved(name, aliases).rpartition(".")[2] in ("load", "loads", "read_json")
                     for _, name in calls(tree))
        if not any("results.json" in s.value or s.value.endswith(".json") and (id(s) in globs or parses)
                   for s in code_strings(tree)):
            missing.append("never reads the runs' results (results.json or other *.json files)")
        if missing:  # one finding: findings at one place are one finding
            yield self.finding(source.path, 1, 1, problem=" and ".join(missing))


def _prints_to_json(tree: ast.AST, aliases: dict[str, str]) -> bool:
    """Whether the module prints (or writes to sys.stdout) a `.to_json(...)` call, e.g. a
    DataFrame's: pandas returns the JSON text when no path is given."""
    return any(resolved(name, aliases) in ("print", "sys.stdout.write") and node.args and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "to_json"
        for n in astutil.walk(node.args[0])) for node, name in calls(tree))
