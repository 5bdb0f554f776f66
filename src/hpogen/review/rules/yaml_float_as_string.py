from __future__ import annotations

import ast
import re

from .. import astutil
from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..yaml_nodes import parsed_configs, position, text, walk

# YAML 1.2's core-schema float (JSON's floats are a subset), less its integers
FLOAT_12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
INT_12 = re.compile(r"[-+]?[0-9]+")
# a train.py that hands the config's values on without float(): the loaded string reaches torch
PASSED_STRAIGHT = ("import torch\n\n\ndef train(cfg, params):\n"
                   "    return torch.optim.SGD(params, lr=cfg['training']['learning_rate'])\n")
INDEX = re.compile(r"(?:\[\d+\])+$")


class YamlFloatAsString(Rule):
    """Flags a number such as `1e-3` that PyYAML loads as a string.

    ## What it does
    Reports every unquoted, untagged config value that YAML 1.2 (and JSON) read as a float but
    PyYAML, which follows YAML 1.1, resolves to a string: an exponent without a dot (`1e-3`,
    `5E-4`, `-2e+5`), an exponent without a sign (`1.0e3`), a signed leading dot (`-.5`).
    A key that the package's code converts itself is not reported: its name (the last part of
    the key path, `lr` for `training.lr`) is a string constant inside the argument of a
    `float(...)` call in a src module, as in `float(cfg["lr"])` or
    `float(optim_cfg.get("lr", 5e-4))`.

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
                                                "  name: '1e-3'\n  tag: !!str 2e-4\n  id: x1e3\n  n: 100\nruns: []\n"}),
             Example({"src/train.py": "def train(cfg):\n    optim_cfg = cfg['training']\n"
                                      "    lr = float(optim_cfg.get('lr', 5e-4))\n"
                                      "    return lr * float(cfg['eta_h'])\n",
                      "config/smoke_test.yaml": "training:\n  lr: 1e-3\neta_h: [1e-3]\nruns: []\n"})]
    INVALID = [
        Example({"config/smoke_test.yaml": "training:\n  learning_rate: 1e-3\nruns: R_PLACEHOLDER\n",
                 "src/train.py": PASSED_STRAIGHT}),
        Example({"config/full_experiment.yaml": "runs:\n- run_id: a\n  training:\n    lr: [5E-4, 1.0e3]\n"},
                mode="derived"),
        Example({"config/smoke_test.yaml": "search_space: {low: -.5, high: -2e+5}\nruns: []\n",
                 "src/train.py": PASSED_STRAIGHT}),
        Example({"src/train.py": "def train(cfg):\n    return cfg['lr'], float(cfg['wd'])\n",
                 "config/smoke_test.yaml": "lr: 1e-3\nwd: 1e-4\nruns: []\n"}),
    ]

    def check(self, package: ReviewedPackage):
        cast = self.float_cast_keys(package)
        for relative, source, root in parsed_configs(package):
            for key, node in walk(root):
                value = text(node)
                if value is None or node.style or not FLOAT_12.fullmatch(value) or INT_12.fullmatch(value):
                    continue
                if INDEX.sub("", key.rsplit(".", 1)[-1]) in cast:
                    continue
                row, col = position(node)
                if source.line(row)[col - 1:col] != "!":  # an explicit !!str tag asks for the string
                    yield self.finding(relative, row, col, key=key or "(document)", value=value)

    @staticmethod
    def float_cast_keys(package: ReviewedPackage) -> set[str]:
        """Every string constant inside the arguments of a float(...) call of a src module."""
        found = set()
        for source in package.python_files():
            if source.python is None:
                continue
            for call, name in astutil.calls(source.python):
                if name == "float":
                    found.update(node.value for arg in call.args for node in ast.walk(arg)
                                 if isinstance(node, ast.Constant) and isinstance(node.value, str))
        return found
