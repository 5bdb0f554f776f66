from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted, import_aliases, resolved
from ..flow import callee, code_strings, own_walk
from ..package import ReviewedPackage
from ..rule import Example, Rule

HEAD = "import subprocess\nimport sys\n\n\ndef run(cmd, run_dir):\n"
GOOD = HEAD + """    result = subprocess.run(cmd, capture_output=True, text=True)
    (run_dir / "stdout.log").write_text(result.stdout)
    (run_dir / "stderr.log").write_text(result.stderr)
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
"""
THREADS = """    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for pipe, name, stream in ((p.stdout, "stdout.log", sys.stdout), (p.stderr, "stderr.log", sys.stderr)):
        threading.Thread(target=pump, args=(pipe, run_dir / name, stream)).start()


def pump(pipe, path, stream):
    with open(path, "w") as log:
        for line in pipe:
            log.write(line)
            stream.write(line)
"""

ONE_STREAM = """    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for pipe, name in ((p.stdout, "stdout.log"), (p.stderr, "stderr.log")):
        threading.Thread(target=tee, args=(pipe, run_dir / name)).start()


def tee(pipe, path):
    with open(path, "wb") as log:
        for line in iter(pipe.readline, b""):
            sys.stdout.buffer.write(line)
            log.write(line)
"""
NESTED_PRINT = """    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(run_dir / "stdout.log", "w") as out, open(run_dir / "stderr.log", "w") as err:
        threads = [tee(p.stdout, out), tee(p.stderr, err)]
        for t in threads:
            t.join()


def tee(pipe, log):
    def forward():
        for line in iter(pipe.readline, ""):
            log.write(line)
            print(line, end="")

    t = threading.Thread(target=forward)
    t.start()
    return t
"""


class RunLogs(Rule):
    """Flags a main.py that does not both log each run's output and show it.

    ## What it does
    Checks that src/main.py writes the files `{results_dir}/{run_id}/stdout.log` and
    `stderr.log` and forwards the child's output to its own streams (`sys.stdout` and
    `sys.stderr` written to or handed on, or each line read from the child printed). A child
    stream (`proc.stdout`, `proc.stderr`) handed to a function of main.py (called, or the
    target of a `threading.Thread`) that writes each line it reads to `sys.stdout`,
    `sys.stderr`, their `.buffer`, or prints it, counts as forwarded, whichever of main.py's
    own streams it lands on: the operator sees it. A name that only appears in a printed
    message, or a log path or stream handed to a function of main.py that never uses that
    parameter, does not count.

    ## Why is this bad?
    The runner keeps the two log files of every run as the record of the experiment, and the
    operator watches main.py's own output while it runs. `stdout=open(log)` alone writes the
    file but shows nothing: a run that hangs or crashes looks the same as one that works.

    ## Example
    ```python
    with open(run_dir / "log.txt", "w") as log:
        subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT)
    ```

    ## Use instead
    ```python
    threading.Thread(target=pump, args=(p.stdout, run_dir / "stdout.log", sys.stdout))
    threading.Thread(target=pump, args=(p.stderr, run_dir / "stderr.log", sys.stderr))
    ```
    """

    code = "HPG305"
    name = "run-logs"
    message = "src/main.py {problem}"
    fix_title = "Tee each run's stdout and stderr into {results_dir}/{run_id}/stdout.log / stderr.log and to sys.stdout / sys.stderr"
    VALID = [Example({"src/main.py": GOOD}),
             Example({"src/main.py": "import threading\n" + HEAD + THREADS}),
             Example({"src/main.py": "import threading\n" + HEAD + ONE_STREAM}),
             Example({"src/main.py": "import threading\n" + HEAD + NESTED_PRINT})]
    INVALID = [
        Example({"src/main.py": HEAD + "    with open(run_dir / 'stdout.log', 'w') as out, "
                 "open(run_dir / 'stderr.log', 'w') as err:\n        subprocess.run(cmd, stdout=out, stderr=err)\n"}),
        Example({"src/main.py": GOOD.replace("stderr.log", "errors.txt")}),
        Example({"src/main.py": GOOD.replace("print(result.stderr, end=\"\", file=sys.stderr)",
                                             "print('run failed', file=sys.stderr)")}),
        Example({"src/main.py": "import threading\n" + HEAD + ONE_STREAM.replace(
            "            sys.stdout.buffer.write(line)\n", "            sys.stdout.buffer.write(b'.')\n")}),
        Example({"src/main.py": "import threading\n" + HEAD + NESTED_PRINT.replace(
            "tee(p.stderr, err)", "err.write(p.stderr.read())")}),
    ]

    def check(self, package: ReviewedPackage):
        source = package.file("src/main.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        flow = _Flow(tree)
        logs = [log for log in ("stdout.log", "stderr.log") if not any(
            log in s.value and not flow.in_message(s) and flow.reaches_use(s) for s in code_strings(tree))]
        forwarded = flow.forwarded()
        streams = [stream for stream in ("stdout", "stderr") if stream not in forwarded]
        problems = [f"never writes {{results_dir}}/{{run_id}}/{' or '.join(logs)}"] if logs else []
        if streams:
            problems.append(f"never shows the runs' {' or '.join(streams)} on its own stdout or stderr "
                            "(the operator cannot follow it while a run works)")
        if problems:
            yield self.finding(source.path, 1, 1, problem=" and ".join(problems))


class _Flow:
    """Where main.py's log names and sys.stdout / sys.stderr go."""

    def __init__(self, tree: ast.AST) -> None:
        self.tree, self.aliases = tree, import_aliases(tree)
        self.parents = {id(c): n for n in astutil.walk(tree) for c in ast.iter_child_nodes(n)}
        self.defs = {n.name: n for n in astutil.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}

    def ancestors(self, node):
        while id(node) in self.parents:
            child, node = node, self.parents[id(node)]
            yield child, node

    def in_message(self, node) -> bool:
        """Whether node is part of a printed, logged or raised message."""
        for _, parent in self.ancestors(node):
            if isinstance(parent, ast.Raise) or isinstance(parent, ast.Call) and (
                    resolved(dotted(parent.func), self.aliases) == "print"
                    or getattr(parent.func, "attr", "") in ("debug", "info", "warning", "error")):
                return True
        return False

    def reaches_use(self, node) -> bool:
        """False when node is handed to a function of main.py whose parameter is never read."""
        for child, parent in self.ancestors(node):
            if isinstance(parent, ast.stmt):
                return True
            if isinstance(parent, ast.Call) and child is not parent.func:
                return self._parameter_read(parent, node)
        return True

    def _parameter_read(self, call: ast.Call, node: ast.AST) -> bool:
        """Whether the function call hands node to reads the parameter that receives it."""
        positional, keywords = call.args, call.keywords
        name = callee(call)
        if resolved(dotted(call.func), self.aliases) == "threading.Thread":
            target = next((k.value for k in keywords if k.arg == "target"), None)
            given = next((k.value for k in keywords if k.arg == "args"), None)
            name = dotted(target) if target is not None else ""
            positional, keywords = getattr(given, "elts", []), []
        function = self.defs.get(name)
        if function is None:
            return True  # handed to code this rule does not follow

        def holds(part):
            return any(n is node for n in astutil.walk(part))

        params = [a.arg for a in function.args.posonlyargs + function.args.args]
        index = next((i for i, a in enumerate(positional) if holds(a)), None)
        param = params[index] if index is not None and index < len(params) else \
            next((k.arg for k in keywords if holds(k.value)), None)
        return param is None or any(isinstance(n, ast.Name) and n.id == param for n in own_walk(function))

    def forwarded(self) -> set[str]:
        """The streams of main.py that child output is written to, and the child streams
        (`proc.stdout`, `proc.stderr`) handed to a pump of main.py that shows each line."""
        found, print_files = set(), set()
        lines = {n.id for f in astutil.walk(self.tree) if isinstance(f, (ast.For, ast.comprehension))
                 for n in astutil.walk(f.target) if isinstance(n, ast.Name)}
        lines |= {t.id for n in astutil.walk(self.tree) if isinstance(n, ast.Assign)
                  and isinstance(n.value, ast.Call) and dotted(n.value.func).endswith(("readline", "read"))
                  for t in n.targets if isinstance(t, ast.Name)}
        for node in astutil.walk(self.tree):
            if isinstance(node, ast.Call) and resolved(dotted(node.func), self.aliases) == "print":
                target = next((k.value for k in node.keywords if k.arg == "file"), None)
                stream = "stdout" if target is None else resolved(dotted(target), self.aliases)[4:]
                print_files.add(id(target))
                if node.args and _is_line(node.args[0], lines) and stream in ("stdout", "stderr"):
                    found.add(stream)
        for node in astutil.walk(self.tree):
            name = resolved(dotted(node), self.aliases) if isinstance(node, ast.Attribute | ast.Name) else ""
            if name in ("sys.stdout", "sys.stderr") and id(node) not in print_files:
                parent = self.parents.get(id(node))
                if isinstance(parent, ast.Attribute):
                    if parent.attr in ("write", "writelines", "buffer"):
                        found.add(name[4:])
                elif self.reaches_use(node):
                    found.add(name[4:])
        return found | self._pumped(lines)

    def _pumped(self, lines: set[str]) -> set[str]:
        """The child streams handed to a function of main.py that writes each line it reads to
        sys.stdout / sys.stderr (or their .buffer) or prints it: the operator sees them, on
        whichever of main.py's own streams they land."""
        pumps = {name for name, function in self.defs.items()
                 if any(self._shows_line(n, lines) for n in astutil.walk(function))}
        found = set()
        for call in astutil.walk(self.tree):
            if not isinstance(call, ast.Call):
                continue
            handed: list[ast.AST] = []
            if callee(call) in pumps:
                handed = [*call.args, *(k.value for k in call.keywords)]
            elif resolved(dotted(call.func), self.aliases) == "threading.Thread":
                target = next((k.value for k in call.keywords if k.arg == "target"), None)
                if target is not None and dotted(target) in pumps:
                    handed = [k.value for k in call.keywords if k.arg in ("args", "kwargs")]
            names = {n.id for a in handed for n in astutil.walk(a) if isinstance(n, ast.Name)}
            handed += [loop.iter for loop in astutil.walk(self.tree) if isinstance(loop, ast.For | ast.comprehension)
                       and any(isinstance(t, ast.Name) and t.id in names for t in astutil.walk(loop.target))]
            found |= {n.attr for a in handed for n in astutil.walk(a)
                      if isinstance(n, ast.Attribute) and n.attr in ("stdout", "stderr")}
        return found

    def _shows_line(self, node: ast.AST, lines: set[str]) -> bool:
        """Whether node writes a line read from a child to sys.stdout / sys.stderr, maybe through
        .buffer, or prints it there."""
        if not (isinstance(node, ast.Call) and node.args and _is_line(node.args[0], lines)):
            return False
        name = resolved(dotted(node.func), self.aliases)
        if name == "print":
            target = next((k.value for k in node.keywords if k.arg == "file"), None)
            return target is None or resolved(dotted(target), self.aliases).removesuffix(".buffer") \
                in ("sys.stdout", "sys.stderr")
        stream, _, method = name.rpartition(".")
        return method in ("write", "writelines") and stream.removesuffix(".buffer") in ("sys.stdout", "sys.stderr")


def _is_line(node: ast.AST, lines: set[str]) -> bool:
    """Whether node is a line read from a child (or its captured output), maybe .strip()ped."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    return isinstance(node, ast.Name) and node.id in lines or \
        isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr")
