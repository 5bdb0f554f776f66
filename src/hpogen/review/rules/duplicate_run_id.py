from __future__ import annotations

from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..yaml_nodes import kind, parsed_configs, position, text, value_of


class DuplicateRunId(Rule):
    """Flags a run_id that two runs of one config file share.

    ## What it does
    Reads the `runs` list of config/smoke_test.yaml and of config/full_experiment.yaml and
    reports each run whose `run_id` an earlier run of the same file already has.

    ## Why is this bad?
    Each run writes its results, checkpoints and metrics under a folder named after its
    run_id: the second run overwrites the first, and the evaluation counts one run where two
    were planned (or mixes their metrics), with no error anywhere.

    ## Example
    ```yaml
    runs:
    - run_id: asha-none-s0
      seed: 0
    - run_id: asha-none-s0
      seed: 1
    ```

    ## Use instead
    ```yaml
    runs:
    - run_id: asha-none-s0
      seed: 0
    - run_id: asha-none-s1
      seed: 1
    ```
    """

    code = "HPG207"
    name = "duplicate-run-id"
    message = "{path}: run_id {run_id!r} is already the run_id of the run at line {first}"
    fix_title = "Give every run of the file its own run_id (variant and seed in the name)"
    VALID = [Example({"config/smoke_test.yaml": "runs:\n- run_id: a\n- run_id: b\n",
                      "config/full_experiment.yaml": "runs:\n- run_id: a\n- run_id: b\n"}, mode="derived")]
    INVALID = [
        Example({"config/smoke_test.yaml": "runs:\n- run_id: a\n  seed: 0\n- run_id: a\n  seed: 1\n"},
                mode="derived"),
        Example({"config/full_experiment.yaml": "runs:\n- {run_id: b}\n- {run_id: c}\n- {run_id: 'b'}\n"},
                mode="derived"),
        Example({"config/smoke_test.yaml": "runs:\n- run_id: x-s0\n- run_id: x-s0\n"}),
    ]

    def check(self, package: ReviewedPackage):
        for relative, _, root in parsed_configs(package):
            runs = value_of(root, "runs")
            seen: dict[str, int] = {}
            for item in runs.value if kind(runs) == "sequence" else []:
                node = value_of(item, "run_id")
                run_id = text(node)
                if run_id is None:
                    continue
                if run_id in seen:
                    yield self.finding(relative, *position(node), path=relative, run_id=run_id, first=seen[run_id])
                else:
                    seen[run_id] = position(node)[0]
