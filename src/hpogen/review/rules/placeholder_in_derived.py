from __future__ import annotations

from ..package import PACKAGE_FILES, ReviewedPackage
from ..rule import Example, Rule


class PlaceholderInDerived(Rule):
    """Flags a placeholder token left in a derived package.

    ## What it does
    Reports every line of the eight files of a derived package that still holds a placeholder
    token (an upper-case name ending in `PLACEHOLDER`).

    ## Why is this bad?
    Deriving a package fills every placeholder of its base with the dataset, the model and the
    runs of one experiment. A token left behind means that step was skipped or cut off: the
    config has no runs, or the loader or the model still raises, so the experiment fails on the
    GPU runner at its first use.

    ## Example
    ```yaml
    runs: SPECIFIC_CONFIG_PLACEHOLDER
    ```

    ## Use instead
    ```yaml
    runs:
    - run_id: baseline-s0
      variant: baseline
      dataset: mnist
      model: small_cnn
    ```
    """

    code = "HPG404"
    name = "placeholder-in-derived"
    message = "{path} still holds the placeholder {token}"
    fix_title = "Fill it with the experiment's dataset, model or runs (run hpogen derive again)"
    modes = frozenset({"derived"})
    VALID = [Example({"src/model.py": '"""Models: placeholders are all filled."""\n\nNAME = "small_cnn"\n'},
                     mode="derived")]
    INVALID = [
        Example({"config/smoke_test.yaml": "experiment: {}\nruns: SPECIFIC_CONFIG_PLACEHOLDER\n"}, mode="derived"),
        Example({"src/preprocess.py": "def load_raw(name):\n"
                                      "    raise NotImplementedError(DATASET_PLACEHOLDER)\n"}, mode="derived"),
        Example({"src/train.py": "# MODEL_PLACEHOLDER is built in model.py\nprint('train')\n"}, mode="derived"),
    ]

    def check(self, package: ReviewedPackage):
        for relative, row, col, token in package.placeholders(PACKAGE_FILES):
            yield self.finding(relative, row, col, path=relative, token=token)
