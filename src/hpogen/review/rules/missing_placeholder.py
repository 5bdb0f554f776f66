from __future__ import annotations

from ..package import CONFIG_FILES, ReviewedPackage
from ..rule import Example, Rule
from ..source import PLACEHOLDER

# file -> (what it leaves open, a word its placeholder token names)
OPEN_PARTS = {"src/preprocess.py": ("the dataset", "DATA"), "src/model.py": ("the model", "MODEL")}


class MissingPlaceholder(Rule):
    """Flags a base package that does not leave the dataset, the model or the runs open.

    ## What it does
    A base package keeps three parts generic: src/preprocess.py holds a dataset placeholder
    token (such as `DATASET_PLACEHOLDER`), src/model.py a model placeholder token (such as
    `MODEL_PLACEHOLDER`), and the `runs` of each config is a placeholder. Reports each part
    that has none.

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
                                      "def build_model(name):\n    raise NotImplementedError(MODEL_PLACEHOLDER)\n"})]
    INVALID = [
        Example({"src/preprocess.py": "def load(name):\n    return list(range(10))\n"}),
        Example({"src/model.py": "from torch import nn\n\nMODEL = nn.Linear(10, 2)\n"}),
        Example({"config/smoke_test.yaml": "runs:\n- run_id: baseline-s0\n  dataset: mnist\n"}),
        Example({"config/full_experiment.yaml": "experiment:\n  name: x\n"}),
    ]

    def check(self, package: ReviewedPackage):
        for relative, (part, word) in OPEN_PARTS.items():
            source = package.file(relative)
            if source is None or source.python is None:
                continue
            if not any(word in token for token in PLACEHOLDER.findall(source.text or "")):
                yield self.finding(relative, path=relative, part=part)
        for relative in CONFIG_FILES:
            source = package.file(relative)
            if source is None or source.yaml_node is None:
                continue
            data = source.yaml_data
            runs = data.get("runs") if isinstance(data, dict) else None
            if not (isinstance(runs, str) and PLACEHOLDER.search(runs)):
                yield self.finding(relative, self.runs_row(source), path=relative, part="the runs")

    @staticmethod
    def runs_row(source) -> int:
        return next((row for row, line in enumerate(source.lines, 1) if line.startswith("runs:")), 1)
