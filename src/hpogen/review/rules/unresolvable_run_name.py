from __future__ import annotations

from .. import astutil
from ..package import CONFIG_FILES, ReviewedPackage
from ..rule import Example, Rule
from ..yaml_nodes import run_list, runs_data, value_of

RESOLVED_IN = {"model": "src/model.py", "dataset": "src/preprocess.py"}


class UnresolvableRunName(Rule):
    """Flags a run whose model or dataset name the package's code does not know.

    ## What it does
    For every run of config/smoke_test.yaml and config/full_experiment.yaml of a derived
    package (the list under `runs`, or under the key such as `experiments` / `run_variations`
    that holds them, as runs-schema finds it), looks up its `model` value among the string constants of src/model.py and its
    `dataset` value among those of src/preprocess.py (case ignored), and reports a name that
    appears in neither.

    ## Why is this bad?
    src/train.py hands the run's names to `build_model(name, ...)` and `load_dataset(name,
    ...)`, which choose the code by comparing the name with the ones they know. A name they do
    not know (a typo, `ResNet-20` for `resnet20`, a smoke-test set the loader never got) fails
    the run when it starts, on the GPU runner.

    ## Example
    ```yaml
    runs:
    - run_id: baseline-s0
      dataset: cifar-10      # preprocess.py knows "cifar10"
      model: resnet20
    ```

    ## Use instead
    ```yaml
    runs:
    - run_id: baseline-s0
      dataset: cifar10
      model: resnet20
    ```
    """

    code = "HPG802"
    name = "unresolvable-run-name"
    message = "{path}: run {run_id!r} names the {key} {value!r}, which {module} never mentions"
    fix_title = "Use a name the module handles, or add its code to the module"
    modes = frozenset({"derived"})
    VALID = [Example({"config/smoke_test.yaml": "runs:\n- run_id: a-s0\n  dataset: CIFAR10\n  model: resnet20\n"
                                                "- run_id: b-s0\n  dataset: fakedata\n"}, mode="derived"),
             Example({"config/smoke_test.yaml": "experiments:\n  - run_id: a_smoke\n    model: resnet20\n"
                                                "    dataset: {name: cifar10}\n"}, mode="derived")]
    INVALID = [
        Example({"config/smoke_test.yaml": "runs:\n- run_id: a-s0\n  dataset: cifar-10\n  model: resnet20\n"},
                mode="derived"),
        Example({"config/full_experiment.yaml": "runs:\n- run_id: a-s0\n  dataset: cifar10\n  model: resnet56\n"},
                mode="derived"),
        Example({"config/full_experiment.yaml": "run_variations:\n- run_id: a-s0\n  model: resnet56\n"},
                mode="derived"),
    ]

    def check(self, package: ReviewedPackage):
        known = {}
        for key, module in RESOLVED_IN.items():
            source = package.file(module)
            if source is not None and source.python is not None:
                known[key] = {node.value.lower() for node in astutil.strings(source.python)}
        for relative in CONFIG_FILES:
            source = package.file(relative)
            found = runs_data(source) if source is not None else None
            runs = found[1] if found is not None else None
            if not isinstance(runs, list):
                continue
            nodes = getattr(run_list(source.yaml_node)[1], "value", None)
            for index, run in enumerate(runs):
                if not isinstance(run, dict):
                    continue
                for key, names in known.items():
                    value = run.get(key)
                    if isinstance(value, str) and value.lower() not in names:
                        row = self.row(nodes, index, key)
                        yield self.finding(relative, row, path=relative, run_id=run.get("run_id"), key=key,
                                           value=value, module=RESOLVED_IN[key])

    @staticmethod
    def row(nodes, index: int, key: str) -> int:
        """The 1-based row of the run's key (or of the run) in the YAML, 1 when unknown."""
        if not isinstance(nodes, list) or index >= len(nodes):
            return 1
        node = value_of(nodes[index], key) or nodes[index]
        return node.start_mark.line + 1
