from __future__ import annotations

from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..yaml_nodes import kind, parsed_configs, position, run_identifier, run_list, text


class DuplicateRunId(Rule):
    """Flags a run_id that two runs of one config file share.

    ## What it does
    Reads the list of runs of config/smoke_test.yaml and of config/full_experiment.yaml (the
    `runs` key, or the key such as `experiments` / `run_variations` that holds them, as
    runs-schema finds it) and reports each run whose `run_id` (for a run without one: its
    `name`, else its `id`) an earlier run of the same file already has.

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
                      "config/full_experiment.yaml": "runs:\n- run_id: a\n- run_id: b\n"}, mode="derived"),
             Example({"config/smoke_test.yaml": "experiments:\n  - run_id: a_smoke\n  - run_id: b_smoke\n",
                      "config/full_experiment.yaml": "run_variations:\n- run_id: a\n  name: x\n"
                                                     "- run_id: b\n  name: x\n"}, mode="derived")]
    INVALID = [
        Example({"config/smoke_test.yaml": "runs:\n- run_id: a\n  seed: 0\n- run_id: a\n  seed: 1\n"},
                mode="derived"),
        Example({"config/full_experiment.yaml": "runs:\n- {run_id: b}\n- {run_id: c}\n- {run_id: 'b'}\n"},
                mode="derived"),
        Example({"config/smoke_test.yaml": "runs:\n- run_id: x-s0\n- run_id: x-s0\n"}),
        Example({"config/smoke_test.yaml": "experiments:\n  - run_id: a_smoke\n  - run_id: a_smoke\n"},
                mode="derived"),
    ]

    def check(self, package: ReviewedPackage):
        for relative, _, root in parsed_configs(package):
            found = run_list(root)
            runs = found[1] if found is not None else None
            seen: dict[str, int] = {}
            for item in runs.value if kind(runs) == "sequence" else []:
                named = run_identifier(item)
                node = named[1] if named is not None else None
                run_id = text(node)
                if run_id is None:
                    continue
                if run_id in seen:
                    yield self.finding(relative, *position(node), path=relative, run_id=run_id, first=seen[run_id])
                else:
                    seen[run_id] = position(node)[0]
