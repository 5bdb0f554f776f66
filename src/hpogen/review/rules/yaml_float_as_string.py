from __future__ import annotations

import re

from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..yaml_nodes import parsed_configs, position, text, walk

# YAML 1.2's core-schema float (JSON's floats are a subset), less its integers
FLOAT_12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
INT_12 = re.compile(r"[-+]?[0-9]+")


class YamlFloatAsString(Rule):
    """Flags a number such as `1e-3` that PyYAML loads as a string.

    ## What it does
    Reports every unquoted, untagged config value that YAML 1.2 (and JSON) read as a float but
    PyYAML, which follows YAML 1.1, resolves to a string: an exponent without a dot (`1e-3`,
    `5E-4`, `-2e+5`), an exponent without a sign (`1.0e3`), a signed leading dot (`-.5`).

    ## Why is this bad?
    The training code gets the string `'1e-3'` where it expects a number: the optimizer
    refuses it (`TypeError: '<=' not supported between 'float' and 'str'`), or worse, the value
    is formatted into names and compared as text, and the run silently uses another value.

    ## Example
    ```yaml
    training:
      learning_rate: 1e-3
    ```

    ## Use instead
    ```yaml
    training:
      learning_rate: 1.0e-3
    ```
    """

    code = "HPG208"
    name = "yaml-float-as-string"
    message = "{key}: {value} loads as the string {value!r} in PyYAML"
    fix_title = "Write the number with a dot and a signed exponent (1.0e-3) or as a decimal (0.001)"
    VALID = [Example({"config/smoke_test.yaml": "training:\n  lr: 1.0e-3\n  wd: 0.0005\n  eps: .5e-3\n"
                                                "  name: '1e-3'\n  tag: !!str 2e-4\n  id: x1e3\n  n: 100\nruns: []\n"})]
    INVALID = [
        Example({"config/smoke_test.yaml": "training:\n  learning_rate: 1e-3\nruns: R_PLACEHOLDER\n"}),
        Example({"config/full_experiment.yaml": "runs:\n- run_id: a\n  training:\n    lr: [5E-4, 1.0e3]\n"},
                mode="derived"),
        Example({"config/smoke_test.yaml": "search_space: {low: -.5, high: -2e+5}\nruns: []\n"}),
    ]

    def check(self, package: ReviewedPackage):
        for relative, source, root in parsed_configs(package):
            for key, node in walk(root):
                value = text(node)
                if value is None or node.style or not FLOAT_12.fullmatch(value) or INT_12.fullmatch(value):
                    continue
                row, col = position(node)
                if source.line(row)[col - 1:col] != "!":  # an explicit !!str tag asks for the string
                    yield self.finding(relative, row, col, key=key or "(document)", value=value)

