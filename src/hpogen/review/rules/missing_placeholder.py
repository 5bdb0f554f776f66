from __future__ import annotations

import re

from .. import astutil
from ..package import CONFIG_FILES, ReviewedPackage
from ..rule import Example, Rule
from ..source import PLACEHOLDER
from ..yaml_nodes import position, run_list

PLACEHOLDER_WORD = re.compile(r"\bPLACEHOLDER\b")

# file -> (what it leaves open, a word its placeholder token names)
OPEN_PARTS = {"src/preprocess.py": ("the dataset", "DATA"), "src/model.py": ("the model", "MODEL")}


class MissingPlaceholder(Rule):
    """Flags a base package that does not leave the dataset, the model or the runs open.

    ## What it does
    A base package keeps three parts generic: src/preprocess.py holds a dataset placeholder
    token (such as `DATASET_PLACEHOLDER`) or a comment with the word PLACEHOLDER (`#
    PLACEHOLDER: Will be replaced with specific dataset loading logic`), src/model.py a model
    placeholder token (such as `MODEL_PLACEHOLDER`) or such a comment, and each config holds a
    placeholder token somewhere (`runs: SPECIFIC_CONFIG_PLACEHOLDER`, or runs whose fields are
    placeholders). Reports each part that has none.

    ## Why is this bad?
    A part without its placeholder was either specialised already (a real loader, a concrete
    architecture, hand-written runs) or never made generic at all. The derive step has nothing
    to fill there, so every variation derived from the base inherits one dataset, one model or
    one list of runs.

    ## Example
    ```yaml
    runs:
    - run_id: baseline-s0
      dataset: cifar10
    ```

    ## Use instead
    ```yaml
    # PLACEHOLDER: will be replaced with one run per variation and seed
    runs: SPECIFIC_CONFIG_PLACEHOLDER
    ```
    """

    code = "HPG403"
    name = "missing-placeholder"
    message = "{path} does not leave {part} open: it has no placeholder for it"
    fix_title = "Replace the specific code with a placeholder (and a comment saying what replaces it)"
    modes = frozenset({"base"})
    VALID = [Example({"src/model.py": "# PLACEHOLDER: will be replaced with the model\n"
                                      "def build_model(name):\n    raise NotImplementedError(MODEL_PLACEHOLDER)\n"}),
             Example({"src/preprocess.py": "def load(name):\n"
                                           "    # PLACEHOLDER: Will be replaced with specific dataset loading logic\n"
                                           "    raise NotImplementedError(name)\n",
                      "config/full_experiment.yaml": "run_variations:\n- run_id: BASELINE_PLACEHOLDER\n"
                                                     "  model_name: MODEL_PLACEHOLDER\n"})]
    INVALID = [
        Example({"src/preprocess.py": "def load(name):\n    return list(range(10))\n"}),
        Example({"src/model.py": "from torch import nn\n\nMODEL = nn.Linear(10, 2)\n"}),
        Example({"config/smoke_test.yaml": "runs:\n- run_id: baseline-s0\n  dataset: mnist\n"}),
        Example({"config/full_experiment.yaml": "experiment:\n  name: x\n"}),
        Example({"src/model.py": "# the placeholder model is gone\nMODEL = 1  # placeholders\n"}),
    ]

    def check(self, package: ReviewedPackage):
        for relative, (part, word) in OPEN_PARTS.items():
            source = package.file(relative)
            if source is None or source.python is None:
                continue
            if any(word in token for token in PLACEHOLDER.findall(source.text or "")):
                continue
            if not any(PLACEHOLDER_WORD.search(comment) for comment in astutil.comments(source.text or "").values()):
                yield self.finding(relative, path=relative, part=part)
        for relative in CONFIG_FILES:
            source = package.file(relative)
            if source is None or source.yaml_node is None:
                continue
            if not PLACEHOLDER.search(source.text or ""):
                yield self.finding(relative, self.runs_row(source), path=relative, part="the runs")

    @staticmethod
    def runs_row(source) -> int:
        """The row of the config's list of runs, 1 when it has none."""
        found = run_list(source.yaml_node)  # not None: the root is a mapping
        keys = [key for key, _ in source.yaml_node.value if getattr(key, "value", None) == found[0]] if found else []
        return position(keys[-1])[0] if keys else 1
