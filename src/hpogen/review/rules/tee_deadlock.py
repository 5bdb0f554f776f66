from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted, import_aliases, resolved
from ..flow import own_walk
from ..package import ReviewedPackage
from ..rule import Example, Rule

READS = ("read", "readline", "readlines")
HEAD = ("import subprocess\nimport sys\n\n\ndef run(cmd):\n"
        "    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)\n")


class TeeDeadlock(Rule):
    """Flags one thread reading both a child's stdout and its stderr with blocking reads.

    ## What it does
    Reports a function of src/main.py that reads both `.stdout` and `.stderr` of a process
    (`readline()`, `read()`, `for line in p.stdout`, or a pipe-reading helper called on each in
    turn) unless it waits on them with select/selectors. One reader thread per pipe,
    `communicate()` and `stderr=subprocess.STDOUT` are not reported.

    ## Why is this bad?
    A pipe holds about 64 KB. While the parent blocks on one pipe, the child fills the other
    and blocks writing to it: both wait forever. Training writes stdout steadily and stderr in
    bursts (warnings, tracebacks, progress bars), so the run hangs, often only in the full
    experiment, with no error, until the job's time limit kills it.

    ## Example
    ```python
    for line in p.stdout:
        sys.stdout.write(line)
    for line in p.stderr:
        sys.stderr.write(line)
    ```

    ## Use instead
    ```python
    readers = [threading.Thread(target=pump, args=(p.stdout, sys.stdout)),
               threading.Thread(target=pump, args=(p.stderr, sys.stderr))]
    ```
    """

    code = "HPG304"
    name = "tee-deadlock"
    message = "{function} reads both the child's stdout and its stderr in one thread: a full pipe blocks both processes"
    fix_title = "Read each pipe in a threading.Thread of its own (or merge them with stderr=subprocess.STDOUT)"
    VALID = [Example({"src/main.py": HEAD.replace("subprocess.PIPE, text", "subprocess.STDOUT, text")
                      + "    for line in p.stdout:\n        sys.stdout.write(line)\n    return p.wait()\n"}),
             Example({"src/main.py": "import threading\n" + HEAD + "    threads = [threading.Thread("
                      "target=pump, args=(p.stdout,)), threading.Thread(target=pump, args=(p.stderr,))]\n"
                      "\n\ndef pump(pipe):\n    for line in pipe:\n        print(line, end='')\n"})]
    INVALID = [
        Example({"src/main.py": HEAD + "    for line in p.stdout:\n        sys.stdout.write(line)\n"
                 "    for line in p.stderr:\n        sys.stderr.write(line)\n"}),
        Example({"src/main.py": HEAD + "    while True:\n        out = p.stdout.readline()\n"
                 "        err = p.stderr.readline()\n        if not out and not err:\n            break\n"}),
        Example({"src/main.py": HEAD + "    pump(p.stdout)\n    pump(p.stderr)\n\n\n"
                 "def pump(pipe):\n    for line in iter(pipe.readline, ''):\n        print(line, end='')\n"}),
    ]

    def check(self, package: ReviewedPackage):
        source = package.file("src/main.py")
        tree = source.python if source is not None else None
        if tree is None:
            return
        aliases = import_aliases(tree)
        scopes = [tree, *(n for n in astutil.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]
        readers = {s.name for s in scopes[1:] if _reads_parameter(s)}
        for scope in scopes:
            nodes = list(own_walk(scope))
            if any(resolved(dotted(n), aliases).startswith(("select.", "selectors."))
                   for n in nodes if isinstance(n, ast.Attribute | ast.Name)):
                continue
            first: dict[str, ast.AST] = {}
            for pipe, node in sorted(_pipe_reads(nodes, readers), key=lambda pair: pair[1].lineno):
                first.setdefault(pipe, node)
            if len(first) == 2:
                later = max(first.values(), key=lambda n: (n.lineno, n.col_offset))
                where = f"{scope.name}()" if scope is not tree else "main.py's module code"
                yield self.at(source.path, later, function=where)


def _pipe(node) -> str | None:
    """'stdout' / 'stderr' for `x.stdout` / `x.stderr` of a child process (not sys's)."""
    if isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr") \
            and dotted(node.value) not in ("sys", ""):
        return node.attr
    return None


def _pipe_reads(nodes, readers: set[str]):
    """(pipe, node) of every blocking read among nodes."""
    for node in nodes:
        if isinstance(node, ast.Attribute) and node.attr in READS and _pipe(node.value):
            yield _pipe(node.value), node
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and _pipe(node.iter):
            yield _pipe(node.iter), node.iter
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in readers:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if _pipe(arg):
                    yield _pipe(arg), arg


def _reads_parameter(function) -> bool:
    """Whether a function iterates, or read()s / readline()s, one of its parameters."""
    params = {a.arg for a in function.args.args + function.args.posonlyargs + function.args.kwonlyargs}
    for node in own_walk(function):
        if isinstance(node, (ast.For, ast.comprehension)) and dotted(node.iter) in params:
            return True
        if isinstance(node, ast.Attribute) and node.attr in READS and dotted(node.value) in params:
            return True
    return False
