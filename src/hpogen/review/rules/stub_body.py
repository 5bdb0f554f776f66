from __future__ import annotations

import ast

from .. import astutil
from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..source import PLACEHOLDER

ALLOWED_DECORATORS = ("abstractmethod", "overload")
PLACEHOLDER_MODULES = ("src/preprocess.py", "src/model.py")
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class StubBody(Rule):
    """Flags a function whose body does nothing: `pass`, `...` or `raise NotImplementedError`.

    ## What it does
    Reports every function or method whose body, docstring aside, is empty, only `pass`, only
    `...`, or only `raise NotImplementedError(...)`. Allowed: `@abstractmethod` and `@overload`
    definitions, methods of a `Protocol` class, a method that a subclass in the same module
    overrides, and in a base package the functions of src/preprocess.py and src/model.py that
    mention a placeholder (they stand for the dataset or the model the derive step fills in).

    ## Why is this bad?
    A stub imports and is called without complaint until the run reaches it: a `pass` body
    returns None where a result was expected, and `NotImplementedError` fails the experiment
    on the GPU runner, after the setup time is spent.

    ## Example
    ```python
    def save_model(model, path):
        pass
    ```

    ## Use instead
    ```python
    def save_model(model, path):
        torch.save(model.state_dict(), path)
    ```
    """

    code = "HPG406"
    name = "stub-body"
    message = "{path}: {function}() is a stub ({kind})"
    fix_title = "Implement the function (or delete it if nothing calls it)"
    modes = frozenset({"base", "derived", "train"})
    VALID = [Example({"src/train.py": "import abc\n\n\nclass Base(abc.ABC):\n    @abc.abstractmethod\n"
                                      "    def step(self):\n        ...\n\n\nclass Real(Base):\n"
                                      "    def step(self):\n        return 1\n"}),
             Example({"src/evaluate.py": "from typing import Protocol\n\n\nclass Plot(Protocol):\n"
                                         "    def draw(self): ...\n"}, mode="derived")]
    INVALID = [
        Example({"src/evaluate.py": "def plot(results):\n    \"\"\"Draw the figures.\"\"\"\n    pass\n"}),
        Example({"src/model.py": "def build_model(name):\n    raise NotImplementedError(MODEL_PLACEHOLDER)\n"},
                mode="derived"),
        Example({"src/train.py": "class Scheduler:\n    def next_job(self):\n        ...\n"}),
        Example({"train.py": "def train(cfg, dataset, seed):\n    raise NotImplementedError\n"}, mode="train"),
    ]

    def check(self, package: ReviewedPackage):
        for source in package.python_files():
            tree = source.python
            if tree is None:
                continue
            placeholders_allowed = package.mode == "base" and source.path in PLACEHOLDER_MODULES
            allowed = self.allowed_methods(tree)
            for node in astutil.walk(tree):
                kind = self.stub_kind(node) if isinstance(node, FUNCTIONS) and id(node) not in allowed else None
                if kind is None or any(astutil.dotted(d).split(".")[-1] in ALLOWED_DECORATORS
                                       for d in node.decorator_list):
                    continue
                text = "\n".join(source.lines[node.lineno - 1:getattr(node, "end_lineno", node.lineno)])
                if not (placeholders_allowed and PLACEHOLDER.search(text)):
                    yield self.at(source.path, node, path=source.path, function=node.name, kind=kind)

    @staticmethod
    def stub_kind(node) -> str | None:
        body = astutil.body_without_docstring(node)
        if not body:
            return "only a docstring"
        if len(body) != 1:
            return None
        only = body[0]
        if isinstance(only, ast.Pass):
            return "only pass"
        if isinstance(only, ast.Expr) and isinstance(only.value, ast.Constant) and only.value.value is Ellipsis:
            return "only ..."
        if isinstance(only, ast.Raise) and only.exc is not None:
            raised = only.exc.func if isinstance(only.exc, ast.Call) else only.exc
            if astutil.dotted(raised) == "NotImplementedError":
                return "raises NotImplementedError"
        return None

    @staticmethod
    def allowed_methods(tree) -> set[int]:
        """ids of the methods of Protocol classes, and of those a subclass in the module overrides."""
        classes = [n for n in astutil.walk(tree) if isinstance(n, ast.ClassDef)]
        allowed: set[int] = set()
        for cls in classes:
            bases = {astutil.dotted(b.value if isinstance(b, ast.Subscript) else b).split(".")[-1] for b in cls.bases}
            names = {m.name for m in cls.body if isinstance(m, FUNCTIONS)}
            allowed |= {id(m) for m in cls.body if isinstance(m, FUNCTIONS) and "Protocol" in bases}
            allowed |= {id(m) for parent in classes if parent.name in bases
                        for m in parent.body if isinstance(m, FUNCTIONS) and m.name in names}
        return allowed
