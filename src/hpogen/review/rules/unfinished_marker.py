from __future__ import annotations

import re

from .. import astutil
from ..package import CONFIG_FILES, ReviewedPackage
from ..rule import Example, Rule

# markers of unfinished code anywhere, docstrings included
STRONG = re.compile(r"\b(?:TODO|FIXME|XXX)\b|(?i:\b(?:todo|fixme)\s*:|for brevity|your code here"
                    r"|(?:\.\.\.|…)\s*\(?\s*(?:the\s+)?(?:existing|remaining|previous) code"
                    r"|\b(?:code|details|implementation)\s+omitted\b"
                    r"|\b(?:existing|remaining) code (?:unchanged|here|remains|goes here)"
                    r"|simplified version|\brest of (?:the )?(?:code|\w+\(\))"
                    r"|\b(?:unchanged|same as) (?:from |in )?the base\b)")
# markers that a docstring may use in a finished sense ("subclasses implement this")
WEAK = re.compile(r"(?i)\bimplement this\b"
                  r"|\badd more\b(?:\s+[\w-]+){1,4}?\s+as needed")
# a word each marker above contains: a text with none of them has no marker (the regexes are
# slow on a large module, and most modules have none)
CLUES = ("todo", "fixme", "xxx", "brevity", "your code", "existing", "remaining", "previous", "omitted",
         "simplified", "rest of", "the base", "implement this", "add more")


class UnfinishedMarker(Rule):
    """Flags a comment or string that marks the code as unfinished.

    ## What it does
    Searches the comments and string constants of the Python files, and the comments of the
    configs, for the marks of code left unfinished: TODO, FIXME, XXX, "omitted for brevity",
    "your code here", "... existing code ...", "simplified version", "rest of the code",
    "unchanged from the base", "implement this", "add more ... as needed". Docstrings are
    searched for all but the last two, which a docstring may use in a finished sense.

    ## Why is this bad?
    Generated code marks the places it did not write. The module still imports, so nothing
    fails until the missing part matters: a metric that is never computed, a branch that does
    nothing, a loop cut short. The reviewer cannot tell what is missing, only that something is.

    ## Example
    ```python
    def evaluate(model, loader):
        # ... rest of the evaluation omitted for brevity
        return {}
    ```

    ## Use instead
    ```python
    def evaluate(model, loader):
        correct = sum(int((model(x).argmax(1) == y).sum()) for x, y in loader)
        return {"accuracy": correct / len(loader.dataset)}
    ```
    """

    code = "HPG405"
    name = "unfinished-marker"
    message = "{path} marks unfinished code: {marker!r}"
    fix_title = "Write the missing code, then remove the marker"
    modes = frozenset({"base", "derived", "train"})
    VALID = [Example({"src/evaluate.py": '"""Subclasses implement this interface."""\n\nTODO_LIST = []\n'
                                         "todo_items = ['a']  # todo_items: the items, in order\n"}),
             Example({"train.py": "def train(cfg, dataset, seed):\n    return {'loss': 0.0}\n"}, mode="train")]
    INVALID = [
        Example({"src/train.py": "def train():\n    # TODO: add the scheduler\n    return 0\n"}),
        Example({"src/evaluate.py": "def plot():\n    return 'rest of the code omitted for brevity'\n"},
                mode="derived"),
        Example({"config/smoke_test.yaml": "# add more variants as needed\nruns: []\n"}, mode="derived"),
        Example({"train.py": "def train(cfg, dataset, seed):\n    # ... existing code ...\n"
                             "    return {'loss': 0.0}\n"}, mode="train"),
    ]

    def check(self, package: ReviewedPackage):
        for source in package.python_files():
            tree = source.python
            if tree is None or source.text is None:
                continue
            lowered = source.text.lower()
            if not any(clue in lowered for clue in CLUES) or not (STRONG.search(source.text) or WEAK.search(source.text)):
                continue  # no marker anywhere in the text, so none in a comment or string
            for row, comment in sorted(astutil.comments(source.text).items()):
                yield from self.marked(source.path, row, comment, WEAK)
            docs = astutil.docstrings(tree)
            for node in astutil.strings(tree):
                weak = None if id(node) in docs else WEAK
                yield from self.marked(source.path, getattr(node, "lineno", 1), node.value, weak)
        if package.mode == "train":
            return
        for relative in CONFIG_FILES:
            source = package.file(relative)
            if source is None or source.yaml_node is None:
                continue
            for row, line in enumerate(source.lines, 1):
                if "#" in line:
                    yield from self.marked(relative, row, line[line.index("#"):], WEAK)

    def marked(self, path: str, row: int, text: str, weak):
        found = STRONG.search(text) or (weak.search(text) if weak is not None else None)
        if found:
            yield self.finding(path, row, path=path, marker=found.group().strip())
