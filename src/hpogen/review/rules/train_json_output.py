from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dict_keys
from ..flow import code_strings, prints_json
from ..package import ReviewedPackage
from ..rule import Example, Rule

GOOD = """import json


def emit(record):
    print(json.dumps(record), flush=True)


def finish(run_dir, run_id, accuracy):
    results = {"run_id": run_id, "accuracy": accuracy}
    (run_dir / "results.json").write_text(json.dumps(results))
    emit(results)
"""


class TrainJsonOutput(Rule):
    """Flags a train.py that does not print JSON with a run_id and write results.json.

    ## What it does
    Checks src/train.py for three things: a `print(json.dumps(...))` (or `json.dump(x,
    sys.stdout)`), a dict with the key `"run_id"`, and the file name `results.json`. Reports
    each one that is missing.

    ## Why is this bad?
    The runner and evaluate.py read the runs through these: the JSON lines on stdout (kept in
    stdout.log) say which run produced which numbers, and results.json is what evaluate.py
    globs for. Logging with f-strings or writing `metrics.txt` leaves nothing to compare.

    ## Example
    ```python
    print(f"run {run_id}: accuracy {acc:.3f}")
    ```

    ## Use instead
    ```python
    results = {"run_id": run_id, "accuracy": acc}
    (run_dir / "results.json").write_text(json.dumps(results))
    print(json.dumps(results), flush=True)
    ```
    """

    code = "HPG502"
    name = "train-json-output"
    message = "src/train.py {problem}"
    fix_title = "Print json.dumps({\"run_id\": ..., ...}) lines and write {results_dir}/{run_id}/results.json"
    VALID = [Example({"src/train.py": GOOD}),
             Example({"src/train.py": GOOD.replace('{"run_id": run_id, "accuracy": accuracy}', "{}")
                      .replace("    emit(", '    results["run_id"] = run_id\n    emit(')})]
    INVALID = [Example({"src/train.py": GOOD.replace("print(json.dumps(record), flush=True)",
                                                     "print(f'result {record}')")}),
               Example({"src/train.py": GOOD.replace('"run_id": run_id, ', "")}),
               Example({"src/train.py": GOOD.replace("results.json", "metrics.txt")})]

    def check(self, package: ReviewedPackage):
        source = package.file("src/train.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        missing = [] if prints_json(tree) else ["never prints json.dumps(...) to stdout"]
        if "run_id" not in dict_keys(tree) and not any(
                isinstance(n, ast.Call) and any(k.arg == "run_id" for k in n.keywords)
                and isinstance(n.func, ast.Attribute) and n.func.attr == "update" for n in astutil.walk(tree)):
            missing.append("builds no record with a \"run_id\" key")
        if not any("results.json" in s.value for s in code_strings(tree)):
            missing.append("never writes results.json")
        if missing:
            yield self.finding(source.path, 1, 1, problem=", ".join(missing))
