from __future__ import annotations

import re

from .. import astutil
from ..package import CONFIG_FILES, ReviewedPackage
from ..rule import Example, Rule
from ..source import PLACEHOLDER

PLACEHOLDER_FILES = ("src/preprocess.py", "src/model.py", *CONFIG_FILES)
EXPLAINS = re.compile(r"replace|will be", re.I)
YAML_COMMENT = re.compile(r"(?:^|\s)(#.*)$")
DOC_OR_COMMENT = re.compile(r"#|[rRuU]?(?:\"{3}|'{3})")  # a line that starts a comment or a docstring
LOOK_UP = 3  # rows above a placeholder line its explaining comment may start


class PlaceholderWithoutComment(Rule):
    """Flags a placeholder line with no comment saying what will replace it.

    ## What it does
    In src/preprocess.py, src/model.py and both configs of a base package, every line holding a
    placeholder token needs a comment that says what replaces it ("replaced with ..." or "will
    be ..."): on the same line, in the comment lines directly above it (at most three lines
    up, passing other placeholder lines), or in a comment or docstring that starts on the line
    directly below it (`class ABLATION_PLACEHOLDER(nn.Module):` then a docstring `PLACEHOLDER: Will
    be replaced with ...`).

    ## Why is this bad?
    The derive step, and whoever reads the base package, must know what each placeholder stands
    for: the loader of which kind of data, a constructor with which signature, runs of which
    shape. A bare token leaves that to guesswork, and a wrong guess breaks the derived package.

    ## Example
    ```python
    DATASET_PLACEHOLDER = "DATASET_PLACEHOLDER"
    ```

    ## Use instead
    ```python
    # PLACEHOLDER: will be replaced with the loader of the derived dataset
    DATASET_PLACEHOLDER = "DATASET_PLACEHOLDER"
    ```
    """

    code = "HPG402"
    name = "placeholder-without-comment"
    message = "{path}: the placeholder {token} has no comment saying what will replace it"
    fix_title = "Add a comment on or just above the line: '# PLACEHOLDER: will be replaced with ...'"
    modes = frozenset({"base"})
    VALID = [Example({"src/model.py": 'MODEL_PLACEHOLDER = "MODEL_PLACEHOLDER"  # Replaced by the model\n',
                      "config/smoke_test.yaml": "# PLACEHOLDER: will be replaced with the runs\n"
                                                "# (one per variation)\nruns: SPECIFIC_CONFIG_PLACEHOLDER\n"}),
             Example({"src/model.py": "from torch import nn\n\n\nclass ABLATION_PLACEHOLDER(nn.Module):\n"
                                      '    """PLACEHOLDER: Will be replaced with ablation models."""\n\n\n'
                                      "def build_model(name):\n    # the model\n"
                                      "    raise NotImplementedError(MODEL_PLACEHOLDER)\n"
                                      "    # will be replaced with the constructor of the derived model\n"})]
    INVALID = [
        Example({"src/preprocess.py": 'DATASET_PLACEHOLDER = "DATASET_PLACEHOLDER"\n'}),
        Example({"src/model.py": "# the model\nMODEL_PLACEHOLDER = None  # a model\n"}),
        Example({"config/full_experiment.yaml": "experiment: {}\nruns: SPECIFIC_CONFIG_PLACEHOLDER\n"}),
        Example({"src/preprocess.py": "# will be replaced with the loader\n\n\nX = 1\n"
                                      'DATASET_PLACEHOLDER = "DATASET_PLACEHOLDER"\n'}),
        Example({"src/model.py": "class MODEL_PLACEHOLDER:\n    x = 1  # will be replaced\n"}),
    ]

    def check(self, package: ReviewedPackage):
        for relative in PLACEHOLDER_FILES:
            source = package.file(relative)
            if source is None or source.text is None:
                continue
            if relative.endswith(".py"):
                if source.python is None:
                    continue
                comments = astutil.comments(source.text)
            elif source.yaml_node is None:
                continue
            else:
                comments = {row: m.group(1) for row, line in enumerate(source.lines, 1)
                            if (m := YAML_COMMENT.search(line))}
            lines = source.lines
            for row, line in enumerate(lines, 1):
                found = PLACEHOLDER.search(line)
                if found and not self.explained(lines, comments, row):
                    yield self.finding(relative, row, found.start() + 1, path=relative, token=found.group())

    @staticmethod
    def explained(lines: list[str], comments: dict[int, str], row: int) -> bool:
        if EXPLAINS.search(comments.get(row, "")):
            return True
        below = lines[row].strip() if row < len(lines) else ""
        if DOC_OR_COMMENT.match(below) and EXPLAINS.search(below):
            return True
        for above in range(row - 1, max(0, row - 1 - LOOK_UP), -1):
            text = lines[above - 1].strip()
            if text.startswith("#") and EXPLAINS.search(text):
                return True
            if not text.startswith("#") and not PLACEHOLDER.search(text):
                return False
        return False
