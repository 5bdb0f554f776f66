from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted, import_aliases, int_literal, resolved
from ..package import ReviewedPackage
from ..rule import Example, Rule

HEAD = "import numpy as np\nimport torch\n\n\ndef train(cfg, dataset, seed, budget=None, model_dir=None):\n"
FUNCTIONS = {"numpy.reshape", "torch.reshape"}  # the array comes first, then the shape
# a constant built here (`torch.tensor(WEIGHTS).view(1, 3, 1, 1)`) has a known shape
CONSTRUCTORS = {"tensor", "as_tensor", "array", "asarray", "arange", "zeros", "ones", "full", "empty"}


class LiteralReshape(Rule):
    """Flags a reshape or view of data to a hard-coded dimension (`x.view(-1, 1, 28, 28)`).

    ## What it does
    Reports `.reshape(...)`, `.view(...)`, `np.reshape(x, ...)` and `torch.reshape(x, ...)`
    calls with an integer literal dimension (or arithmetic on literals, `28 * 28`) other
    than -1, 0 or 1, given positionally or inside a tuple or list. Reshaping a constant built
    on the spot from literals or an UPPER_CASE constant has a known shape and is not reported.

    ## Why is this bad?
    The train function must work for any dataset of its task. `x.view(-1, 1, 28, 28)` fits
    MNIST only: on CIFAR-10 it raises, or worse, silently regroups the pixels of several
    images into one when the sizes happen to divide. Every dimension must come from the data.

    ## Example
    ```python
    images = torch.as_tensor(X).view(-1, 1, 28, 28)
    ```

    ## Use instead
    ```python
    images = torch.as_tensor(X).view(len(X), channels, height, width)  # from X.shape
    ```
    """

    code = "HPG906"
    name = "literal-reshape"
    message = "`{call}` reshapes to the hard-coded dimension {value}"
    fix_title = "Take every dimension from the data (x.shape, len(x), -1)"
    modes = frozenset({"train"})
    VALID = [Example({"train.py": HEAD + "    X = np.asarray(dataset['X'])\n"
                                  "    t = torch.as_tensor(X).view(X.shape[0], -1)\n"
                                  "    w = torch.tensor((0.3, 0.6, 0.1)).view(1, 3, 1, 1)\n"
                                  "    y = np.reshape(dataset['y'], (-1, 1))\n"
                                  "    return {'loss': float(t.sum() + w.sum() + y.sum())}\n"}, mode="train")]
    INVALID = [Example({"train.py": HEAD + "    t = torch.as_tensor(dataset['X']).view(-1, 1, 28, 28)\n"
                                           "    return {'loss': float(t.mean())}\n"}, mode="train"),
               Example({"train.py": HEAD + "    X = np.asarray(dataset['X']).reshape((-1, 32, 32, 3))\n"
                                           "    return {'loss': float(X.mean())}\n"}, mode="train"),
               Example({"train.py": HEAD + "    X = torch.reshape(torch.as_tensor(dataset['X']), (-1, 28 * 28))\n"
                                           "    return {'loss': float(X.mean())}\n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        source = package.file("train.py")
        tree = source.python if source is not None else None
        if tree is None:
            return
        aliases = import_aliases(tree)
        for node in astutil.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if resolved(dotted(node.func), aliases) in FUNCTIONS:
                receiver, shape = (node.args[0] if node.args else None), node.args[1:]
            elif isinstance(node.func, ast.Attribute) and node.func.attr in ("reshape", "view"):
                receiver, shape = node.func.value, list(node.args)
            else:
                continue
            if receiver is None or known_shape(receiver):
                continue
            shape += [k.value for k in node.keywords if k.arg in ("shape", "newshape", "size")]
            for dimension in (e for s in shape for e in (s.elts if isinstance(s, (ast.Tuple, ast.List)) else [s])):
                value = int_literal(dimension)
                if value is not None and value not in (-1, 0, 1):
                    yield self.at("train.py", dimension, call=f"{dotted(node.func) or getattr(node.func, 'attr', 'reshape')}(...)",
                                  value=value)
                    break


def known_shape(node: ast.AST) -> bool:
    """A constant built from literals or an UPPER_CASE name: its shape is known where it is made."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
        return False
    return node.func.attr in CONSTRUCTORS and constant(node.args[0])


def constant(node: ast.AST) -> bool:
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(constant(e) for e in node.elts)
    if isinstance(node, ast.Name):
        return node.id.isupper()
    return isinstance(node, ast.Constant) or int_literal(node) is not None
