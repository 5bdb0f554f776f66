from __future__ import annotations

from ..flow import launches, looped
from ..package import ReviewedPackage
from ..rule import Example, Rule

HEAD = "import subprocess\nimport sys\n\n\ndef main(runs):\n"
LOOP = "    for run_id in runs:\n        subprocess.run([sys.executable, '-m', 'src.train', run_id], check=True)\n"
EVALUATE = "subprocess.run([sys.executable, '-m', 'src.evaluate', '--results-dir', 'r'], check=True)\n"


class EvaluateAfterRuns(Rule):
    """Flags a main.py that does not start `python -m src.evaluate` once, after the last run.

    ## What it does
    Looks in src/main.py for a subprocess call (directly or through a helper function of
    main.py) whose command holds `src.evaluate`. Reports when there is none, and when it sits
    inside the loop over the runs. Importing evaluate and calling it in-process does not count.

    ## Why is this bad?
    The comparison of all runs (the JSON on stdout, the figures) is the experiment's result;
    without the call it is never made. Inside the loop it runs after every run on partial
    results, costs time and leaves the figures of whichever run came last. In-process, evaluate's
    argument parser reads main.py's own arguments (`--smoke-test` is unknown to it), its output
    is not logged apart, and a crash in it takes main.py down with no exit code of its own.

    ## Example
    ```python
    for run in runs:
        subprocess.run([sys.executable, "-m", "src.train", "--run-id", run["run_id"]])
        subprocess.run([sys.executable, "-m", "src.evaluate", "--results-dir", results_dir])
    ```

    ## Use instead
    ```python
    for run in runs:
        subprocess.run([sys.executable, "-m", "src.train", "--run-id", run["run_id"]])
    subprocess.run([sys.executable, "-m", "src.evaluate", "--results-dir", results_dir])
    ```
    """

    code = "HPG306"
    name = "evaluate-after-runs"
    message = "src/main.py {problem}"
    fix_title = "After the loop over the runs, start [sys.executable, \"-m\", \"src.evaluate\", ...] once"
    VALID = [Example({"src/main.py": HEAD + LOOP + "    " + EVALUATE})]
    INVALID = [Example({"src/main.py": HEAD + LOOP}),
               Example({"src/main.py": HEAD + LOOP + "        " + EVALUATE}),
               Example({"src/main.py": "from src.evaluate import main as evaluate\n" + HEAD + LOOP
                        + "    evaluate()\n"})]

    def check(self, package: ReviewedPackage):
        source = package.file("src/main.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        found = launches(tree, "src.evaluate")
        if not found:
            script = launches(tree, "evaluate.py")
            yield self.at(source.path, script[0] if script else tree, problem=(
                "starts src/evaluate.py as a script path: its `from src.x import` lines fail there "
                "(use `-m src.evaluate`)") if script else
                "never starts `python -m src.evaluate` as a subprocess after the runs")
            return
        repeated = looped(tree)
        for call in found:
            if id(call) in repeated:
                yield self.at(source.path, call, problem="starts src.evaluate inside the loop over "
                              "the runs: it runs after every run instead of once after the last")
