from __future__ import annotations

from ..package import PACKAGE_FILES, ReviewedPackage
from ..rule import Example, Rule

ALLOWED_EXTRA = {"src/__init__.py"}  # an empty package marker changes nothing about the layout


class ExtraModule(Rule):
    """Flags a Python module, or a file under src/ or config/, beyond the eight.

    ## What it does
    Reports every `.py` file other than the five modules of src/ (an empty `src/__init__.py`
    is allowed), and any other file inside src/ or config/.

    ## Why is this bad?
    The package format is exactly eight files: the derive step and the runner copy, patch and
    launch those and nothing else. A helper module (`src/utils.py`) is not carried along,
    so the import that needs it fails on the runner; an extra config is never read.

    ## Example
    ```
    src/utils.py   (imported by src/train.py)
    ```

    ## Use instead
    ```
    the helper functions inside src/train.py
    ```
    """

    code = "HPG102"
    name = "extra-module"
    message = "{path} is not one of the package's eight files"
    fix_title = "Move its code into one of the five modules and delete the file"
    VALID = [Example({"README.md": "how to run\n", "src/__init__.py": ""})]
    INVALID = [Example({"src/utils.py": "def helper():\n    return 1\n"}),
               Example({"config/extra.yaml": "runs: []\n"}),
               Example({"scripts/plot.py": "print(1)\n"})]

    def check(self, package: ReviewedPackage):
        for relative in package.listing:
            if relative in PACKAGE_FILES or relative in ALLOWED_EXTRA:
                continue
            if relative.endswith(".py") or relative.startswith(("src/", "config/")):
                yield self.finding(relative, path=relative)
