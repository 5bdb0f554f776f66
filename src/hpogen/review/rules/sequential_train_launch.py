from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted, import_aliases, resolved
from ..flow import launcher_names, launches, looped
from ..package import ReviewedPackage
from ..rule import Example, Rule

CONCURRENT = ("concurrent.futures.", "multiprocessing.", "joblib.", "asyncio.gather", "asyncio.wait",
              "asyncio.create_task", "asyncio.as_completed", "asyncio.TaskGroup")
POPEN = ("subprocess.Popen", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell")
HEAD = "import subprocess\nimport sys\n\nRUNS = ['a', 'b']\n\n\ndef main():\n"
GOOD = HEAD + """    for run_id in RUNS:
        command = [sys.executable, "-m", "src.train", "--run-id", run_id]
        subprocess.run(command, check=True)
"""


class SequentialTrainLaunch(Rule):
    """Flags a main.py that does not start `python -m src.train` once per run, one run at a time.

    ## What it does
    Looks in src/main.py for a subprocess call (`subprocess.run`, `Popen`, ... or a helper
    function of main.py that makes one) whose command holds `src.train`, inside the loop over
    the runs. Reports when there is none (train imported and called in-process), when train.py is
    started as a script path, and when runs are started concurrently: Popen objects collected and
    waited for later, a thread per run, or concurrent.futures, multiprocessing, joblib or asyncio.

    ## Why is this bad?
    Each run needs a process of its own: its own logs and exit code, fresh GPU memory and a
    clean global state (seeds, cuDNN flags). `python src/train.py` puts src/ itself on
    sys.path, so `from src.model import ...` fails. Runs started together share one GPU:
    they run out of memory or slow each other down, and their timings are worthless.

    ## Example
    ```python
    procs = [subprocess.Popen(["python", "src/train.py", "--run-id", r]) for r in runs]
    for p in procs:
        p.wait()
    ```

    ## Use instead
    ```python
    for run in runs:
        subprocess.run([sys.executable, "-m", "src.train", "--run-id", run["run_id"]], check=True)
    ```
    """

    code = "HPG303"
    name = "sequential-train-launch"
    message = "src/main.py {problem}"
    fix_title = "In the loop over the runs, start [sys.executable, \"-m\", \"src.train\", ...] and wait for it"
    VALID = [Example({"src/main.py": GOOD}),
             Example({"src/main.py": HEAD + "    for run_id in RUNS:\n        launch(run_id)\n\n\n"
                      "def launch(run_id):\n    proc = subprocess.Popen([sys.executable, '-m', "
                      "'src.train', run_id])\n    return proc.wait()\n"})]
    INVALID = [
        Example({"src/main.py": "from src.train import train\n\nfor run_id in ['a', 'b']:\n    train(run_id)\n"}),
        Example({"src/main.py": GOOD.replace('"-m", "src.train"', '"src/train.py"')}),
        Example({"src/main.py": HEAD + "    procs = []\n    for run_id in RUNS:\n        procs.append("
                 "subprocess.Popen([sys.executable, '-m', 'src.train', run_id]))\n"
                 "    for proc in procs:\n        proc.wait()\n"}),
        Example({"src/main.py": "from concurrent.futures import ThreadPoolExecutor\n" + HEAD
                 + "    with ThreadPoolExecutor(4) as pool:\n        pool.map(lambda r: subprocess.run("
                 "[sys.executable, '-m', 'src.train', r]), RUNS)\n"}),
    ]

    def check(self, package: ReviewedPackage):
        source = package.file("src/main.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        found, aliases = launches(tree, "src.train"), import_aliases(tree)
        if not found:
            script = launches(tree, "train.py")
            problem = ("starts src/train.py as a script path: its `from src.x import` lines fail "
                       "there (use `-m src.train`)") if script else \
                "never starts `python -m src.train` as a subprocess"
            yield self.at(source.path, script[0] if script else tree, problem=problem)
            return
        repeated = looped(tree)
        if not any(id(call) in repeated for call in found):
            yield self.at(source.path, found[0], problem="starts src.train outside any loop over the runs")
        launchers = launcher_names(tree)
        for node in astutil.walk(tree):
            name = resolved(dotted(node.func), aliases) if isinstance(node, ast.Call) else ""
            if name.startswith(CONCURRENT) or name == "threading.Thread" and any(
                    k.arg == "target" and dotted(k.value) in launchers for k in node.keywords):
                yield self.at(source.path, node, problem=f"starts runs concurrently ({name}): "
                              "one run at a time")
        yield from (self.at(source.path, p, problem="keeps Popen objects to wait for later: "
                            "runs overlap; wait for each before the next")
                    for p in _collected_popens(tree, aliases))


def _collected_popens(tree: ast.AST, aliases: dict[str, str]) -> list[ast.Call]:
    """Popen calls whose process is put in a list, dict or comprehension, not waited for in its loop."""
    held_ids, held_names, names = set(), set(), {}
    for node in astutil.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("append", "add", "extend"):
            held_ids |= {id(a) for a in node.args}
            held_names |= {a.id for a in node.args if isinstance(a, ast.Name)}
        elif isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            held_ids.add(id(node.elt))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            names[id(node.value)] = {t.id for t in node.targets if isinstance(t, ast.Name)}
            if any(isinstance(t, ast.Subscript) for t in node.targets):
                held_ids.add(id(node.value))
    loops = [n for n in astutil.walk(tree) if isinstance(n, (ast.For, ast.While))]
    found = []
    for call in astutil.walk(tree):
        if not (isinstance(call, ast.Call) and resolved(dotted(call.func), aliases) in POPEN):
            continue
        own = names.get(id(call), set())
        if id(call) not in held_ids and not own & held_names:
            continue
        loop = next((lp for lp in reversed(loops) if any(n is call for n in astutil.walk(lp))), None)
        waited = loop is not None and any(
            isinstance(n, ast.Call) and dotted(n.func) in {f"{name}.{m}" for name in own
                                                           for m in ("wait", "communicate")}
            for n in astutil.walk(loop))
        if not waited:
            found.append(call)
    return found
