from __future__ import annotations

import ast

from .. import astutil
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
    Checks that src/evaluate.py reads the runs' results (the string `results.json`, or a glob
    pattern for `*.json` files) and prints its comparison as JSON: `print(json.dumps(...))`
    or `json.dump(x, sys.stdout)`. Reports each one that is missing.

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
                      .replace("import json", "import json\nimport sys")})]
    INVALID = [Example({"src/evaluate.py": GOOD.replace("print(json.dumps(", "print((")}),
               Example({"src/evaluate.py": GOOD.replace('results_dir.glob("*/results.json")', "[]")}),
               Example({"src/evaluate.py": "print('done')\n"})]

    def check(self, package: ReviewedPackage):
        source = package.file("src/evaluate.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        missing = [] if prints_json(tree) else ["never prints its comparison as JSON (print(json.dumps(...)))"]
        globs = {id(s) for n in astutil.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "attr", getattr(n.func, "id", "")) in ("glob", "rglob", "iglob")
                 for a in n.args for s in astutil.walk(a)}
        if not any("results.json" in s.value or id(s) in globs and s.value.endswith(".json")
                   for s in code_strings(tree)):
            missing.append("never reads the runs' results.json files")
        if missing:  # one finding: findings at one place are one finding
            yield self.finding(source.path, 1, 1, problem=" and ".join(missing))
