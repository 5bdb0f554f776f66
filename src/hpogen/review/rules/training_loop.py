from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted, imported_top_modules
from ..flow import looped
from ..package import ReviewedPackage
from ..rule import Example, Rule

LOOP = """import torch


def train(model, loader, epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
"""


class TrainingLoop(Rule):
    """Flags a train.py without a training loop: backward, optimizer step, repeated.

    ## What it does
    Checks that src/train.py calls `.backward()` and an optimizer's `.step()` (a receiver
    named like `optimizer` / `opt`, or a grad scaler's `scaler.step(optimizer)`), and that at
    least one of them runs inside a for/while loop, directly or in a function called from one.
    PyTorch Lightning's `trainer.fit(...)` counts as the loop.

    ## Why is this bad?
    Without the backward pass and the update the model never learns, yet the script still runs
    and reports the accuracy of its random initial weights. A single update outside any loop is
    the same mistake: one step is not training. Every variation then compares untrained models.

    ## Example
    ```python
    loss = criterion(model(x), y)
    loss.backward()
    ```

    ## Use instead
    ```python
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    ```
    """

    code = "HPG501"
    name = "training-loop"
    message = "src/train.py {problem}"
    fix_title = "Write the training loop: for each batch, loss.backward() then optimizer.step()"
    VALID = [Example({"src/train.py": LOOP}),
             Example({"src/train.py": LOOP.replace("for x, y in loader:", "if loader:")
                      .replace("def train(", "def step(") + "\n\nfor epoch in range(3):\n    step(None, [], 1)\n"})]
    INVALID = [Example({"src/train.py": LOOP.replace("            optimizer.step()\n", "")}),
               Example({"src/train.py": LOOP.replace("            loss.backward()\n", "")}),
               Example({"src/train.py": LOOP.replace("    for _ in range(epochs):\n        for x, y in loader:",
                                                     "    if epochs:\n        if loader:")}),
               Example({"src/train.py": "def train(model, data):\n    return model(data)\n"})]

    def check(self, package: ReviewedPackage):
        source = package.file("src/train.py")
        tree = source.python if source is not None else None
        if tree is None or not tree.body:  # other rules report a missing, broken or empty file
            return
        if {"lightning", "pytorch_lightning"} & {m for m, _ in imported_top_modules(tree)} and any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "fit"
                for n in astutil.walk(tree)):
            return
        backward = [n for n in astutil.walk(tree) if _method(n) == "backward"]
        optimizers = {dotted(t) for n in astutil.walk(tree) if isinstance(n, ast.Assign)
                      and isinstance(n.value, ast.Call) and _optimizer_like(dotted(n.value.func))
                      for t in n.targets}
        step = [n for n in astutil.walk(tree) if _method(n) == "step"
                and (dotted(n.func.value) in optimizers or _optimizer_like(dotted(n.func.value)))]
        missing = [part for part, found in ((".backward()", backward), ("an optimizer's .step()", step))
                   if not found]
        if missing:
            yield self.finding(source.path, 1, 1, problem=f"never calls {' nor '.join(missing)}: "
                               "the weights never change")
        repeated = looped(tree)
        if backward and step and not any(id(n) in repeated for n in backward + step):
            yield self.at(source.path, backward[0], problem="calls .backward() and .step() "
                          "outside any loop: one update is not training")


def _method(node) -> str:
    return node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else ""


def _optimizer_like(name: str) -> bool:
    """Whether a name reads as an optimizer (or a grad scaler, whose step() takes one)."""
    last = name.lower().rsplit(".", 1)[-1]
    return "sched" not in last and any(word in last for word in ("opt", "scaler", "sgd", "adam"))
