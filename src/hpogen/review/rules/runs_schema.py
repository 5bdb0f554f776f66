from __future__ import annotations

import re

from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..yaml_nodes import kind, parsed_configs, position, run_identifier, run_list, text

PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9_]*PLACEHOLDER")
RUN = "- run_id: {0}\n  seed: 0\n"


class RunsSchema(Rule):
    """Flags a config whose list of runs is missing or not the list the runner expects.

    ## What it does
    Each config file must be a mapping with a list of runs: the `runs` key, or the key the
    package's src/main.py reads instead: one of `experiments`, `run_variations`, `variations`,
    `run_variants` holding a list of mappings (or a placeholder), else any top-level list of
    mappings that each carry a `run_id` (or a `name` / `id`). In a base package the list may
    still be a placeholder (`SPECIFIC_CONFIG_PLACEHOLDER`); in a derived package it must be a
    non-empty list of mappings, each named by a non-empty string: its `run_id`, or, for a run
    without a `run_id` key, its `name`, else its `id`.

    ## Why is this bad?
    src/main.py starts one run per entry of the list and names its results folder after the
    run's name. Without the list it fails on the first lookup; a derived package whose runs are
    still a placeholder, empty, or entries without a name runs nothing, or writes every run's
    results into one folder.

    ## Example
    ```yaml
    runs:
    - variant: asha-none
      seed: 0
    ```

    ## Use instead
    ```yaml
    runs:
    - run_id: asha-none-s0
      variant: asha-none
      seed: 0
    ```
    """

    code = "HPG206"
    name = "runs-schema"
    message = "{path}: {problem}"
    fix_title = "Give the config a `runs` list of mappings, each with a unique string run_id"
    VALID = [Example({"config/smoke_test.yaml": "experiment: {}\nruns: []\n"}),
             Example({"config/smoke_test.yaml": "runs:\n" + RUN.format("a") + RUN.format("'7'")}, mode="derived"),
             Example({"config/smoke_test.yaml": "experiments:\n  - run_id: a_smoke\n    lr: 0.001\n"
                                                "  - run_id: b_smoke\n"}, mode="derived"),
             Example({"config/full_experiment.yaml": "run_variations:\n- run_id: a\n- run_id: b\n"},
                     mode="derived"),
             Example({"config/smoke_test.yaml": "description: x\ntrials:\n- name: a\n- name: b\n"},
                     mode="derived"),
             Example({"config/smoke_test.yaml": "run_variations: SPECIFIC_CONFIG_PLACEHOLDER\n"})]
    INVALID = [
        Example({"config/smoke_test.yaml": "experiment:\n  name: x\n"}),
        Example({"config/full_experiment.yaml": "- run_id: a\n"}),
        Example({"config/smoke_test.yaml": "runs: SPECIFIC_CONFIG_PLACEHOLDER\n"}, mode="derived"),
        Example({"config/smoke_test.yaml": "runs:\n" + RUN.format("a") + "- seed: 1\n- run_id: ''\n- run_id: 7\n"},
                mode="derived"),
        Example({"config/smoke_test.yaml": "experiments: []\n"}, mode="derived"),
        Example({"config/full_experiment.yaml": "run_variations:\n- run_id: a\n- seed: 1\n"}, mode="derived"),
    ]

    def check(self, package: ReviewedPackage):
        for relative, _, root in parsed_configs(package):
            for node, problem in self.problems(root, package.mode == "derived"):
                yield self.finding(relative, *position(node), path=relative, problem=problem)

    @staticmethod
    def problems(root, derived: bool):
        if kind(root) != "mapping":
            yield root, "the document is not a mapping with a `runs` key"
            return
        found = run_list(root)
        if found is None:
            yield root, "has no `runs` key (nor a list of runs under another key)"
            return
        key, runs = found
        placeholder = text(runs) is not None and PLACEHOLDER.fullmatch(text(runs).strip())
        if kind(runs) != "sequence":
            if derived and placeholder:
                yield runs, f"`{key}` is still a placeholder; a derived package lists its runs"
            elif not placeholder:
                yield runs, f"`{key}` must be a list of runs" + ("" if derived else " or a placeholder")
        elif derived and not runs.value:
            yield runs, f"`{key}` is empty"
        elif derived:
            for item in runs.value:
                named = run_identifier(item)
                if kind(item) != "mapping":
                    yield item, "a run is not a mapping"
                elif named is None:
                    yield item, "a run has no `run_id`"
                elif not (text(named[1]) or "").strip():
                    yield named[1], f"a run has no non-empty string `{named[0]}`"
