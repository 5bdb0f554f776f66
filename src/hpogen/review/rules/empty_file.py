from __future__ import annotations

from ..package import PACKAGE_FILES, ReviewedPackage
from ..rule import Example, Rule


class EmptyFile(Rule):
    """Flags a required file that holds nothing (or only whitespace).

    ## What it does
    Reports any of the eight package files, or a bundle's train.py, that is empty.

    ## Why is this bad?
    An empty module imports without error, so the failure shows only later: `python -m
    src.train` does nothing and exits 0, an empty config has no runs, and an empty
    pyproject.toml installs nothing. Generation pipelines leave empty files when a step was cut
    off.

    ## Example
    ```
    src/evaluate.py: 0 bytes
    ```

    ## Use instead
    ```
    src/evaluate.py: the evaluation script, complete
    ```
    """

    code = "HPG002"
    name = "empty-file"
    message = "{path} is empty"
    fix_title = "Write the file's content (regenerate the package)"
    modes = frozenset({"base", "derived", "train"})
    VALID = [Example({"src/evaluate.py": "import json\n\nprint(json.dumps({}))\n"})]
    INVALID = [Example({"src/evaluate.py": ""}), Example({"config/smoke_test.yaml": "\n\n"}),
               Example({"train.py": "   \n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        names = ("train.py",) if package.mode == "train" else PACKAGE_FILES
        for relative in names:
            source = package.file(relative)
            if source is not None and source.text is not None and not source.text.strip():
                yield self.finding(relative, path=relative)


