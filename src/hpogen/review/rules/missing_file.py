from __future__ import annotations

from ..package import BUNDLE_FILES, PACKAGE_FILES, ReviewedPackage
from ..rule import Example, Rule


class MissingFile(Rule):
    """Flags a required file that is not there.

    ## What it does
    An experiment package has exactly eight files: src/train.py, src/evaluate.py,
    src/preprocess.py, src/model.py, src/main.py, pyproject.toml, config/smoke_test.yaml and
    config/full_experiment.yaml. A bundle's train function needs train.py and configspace.json.
    Reports each one that is missing (or is a folder).

    ## Why is this bad?
    The runner starts `python -m src.main`, which imports the other modules and reads both
    configs; uv installs from pyproject.toml. A missing file fails the run at its first use,
    after the GPU has been allocated.

    ## Example
    ```
    src/ holds train.py, evaluate.py, model.py, main.py (no preprocess.py)
    ```

    ## Use instead
    ```
    src/ holds train.py, evaluate.py, preprocess.py, model.py, main.py
    ```
    """

    code = "HPG101"
    name = "missing-file"
    message = "{path} is missing"
    fix_title = "Add the file (every package has the same eight)"
    modes = frozenset({"base", "derived", "train"})
    VALID = [Example({"README.md": "notes\n"})]
    INVALID = [Example({"src/preprocess.py": None}), Example({"config/full_experiment.yaml": None}),
               Example({"configspace.json": None}, mode="train")]

    def check(self, package: ReviewedPackage):
        required = BUNDLE_FILES if package.mode == "train" else PACKAGE_FILES
        for relative in required:
            if relative not in package.listing:
                yield self.finding(relative, path=relative)
