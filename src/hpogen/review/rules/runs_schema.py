from __future__ import annotations

import re

from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..yaml_nodes import kind, parsed_configs, position, text, value_of

PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9_]*PLACEHOLDER")
RUN = "- run_id: {0}\n  seed: 0\n"


class RunsSchema(Rule):
    """Flags a config whose `runs` is missing or not the list of runs the runner expects.

    ## What it does
    Each config file must be a mapping with a `runs` key. In a base package `runs` is a
    placeholder (`SPECIFIC_CONFIG_PLACEHOLDER`) or a list; in a derived package it must be a
    non-empty list of mappings, each with a non-empty string `run_id`.

    ## Why is this bad?
    src/main.py starts one run per entry of `runs` and names its results folder after the
    run_id. Without the key it fails on the first lookup; a derived package whose runs are still
    a placeholder, empty, or entries without a run_id runs nothing, or writes every run's
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
             Example({"config/smoke_test.yaml": "runs:\n" + RUN.format("a") + RUN.format("'7'")}, mode="derived")]
    INVALID = [
        Example({"config/smoke_test.yaml": "experiment:\n  name: x\n"}),
        Example({"config/full_experiment.yaml": "- run_id: a\n"}),
        Example({"config/smoke_test.yaml": "runs: SPECIFIC_CONFIG_PLACEHOLDER\n"}, mode="derived"),
        Example({"config/smoke_test.yaml": "runs:\n" + RUN.format("a") + "- seed: 1\n- run_id: ''\n- run_id: 7\n"},
                mode="derived"),
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
        runs = value_of(root, "runs")
        placeholder = text(runs) is not None and PLACEHOLDER.fullmatch(text(runs).strip())
        if runs is None:
            yield root, "has no `runs` key"
        elif kind(runs) != "sequence":
            if derived and placeholder:
                yield runs, "`runs` is still a placeholder; a derived package lists its runs"
            elif not placeholder:
                yield runs, "`runs` must be a list of runs" + ("" if derived else " or a placeholder")
        elif derived and not runs.value:
            yield runs, "`runs` is empty"
        elif derived:
            for item in runs.value:
                run_id = value_of(item, "run_id")
                if kind(item) != "mapping":
                    yield item, "a run is not a mapping"
                elif not (text(run_id) or "").strip():
                    yield run_id or item, "a run has no non-empty string `run_id`"
