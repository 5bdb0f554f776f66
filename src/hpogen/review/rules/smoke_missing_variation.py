from __future__ import annotations

import re

from .. import astutil
from ..package import ReviewedPackage
from ..rule import Example, Rule

SEED_SUFFIX = re.compile(r"[-_](?:s|seed)\d+$")
FULL, SMOKE = "config/full_experiment.yaml", "config/smoke_test.yaml"


class SmokeMissingVariation(Rule):
    """Flags a variation of the full experiment that the smoke test never runs.

    ## What it does
    Collects the variations of the runs of config/full_experiment.yaml (a run's `variant`, or
    its run_id without a seed suffix such as `-s0`, `_seed1`) and reports each one that no run
    of config/smoke_test.yaml belongs to.

    ## Why is this bad?
    The smoke test is the cheap check that every code path of the experiment runs before the
    full budget is spent. A variation it leaves out (a scheduler, a warm start, an ablation)
    is first executed in the full experiment, where a crash costs hours of GPU time.

    ## Example
    ```yaml
    # full_experiment.yaml runs: asha-none-s0..s9, asha-ohgw-s0..s9
    # smoke_test.yaml runs:
    - run_id: asha-none-s0
    ```

    ## Use instead
    ```yaml
    # smoke_test.yaml runs:
    - run_id: asha-none-s0
    - run_id: asha-ohgw-s0
    ```
    """

    code = "HPG803"
    name = "smoke-missing-variation"
    message = "{path}: the variation {variation!r} has no run in config/smoke_test.yaml"
    fix_title = "Add one short run of this variation to config/smoke_test.yaml"
    modes = frozenset({"derived"})
    VALID = [Example({FULL: "runs:\n- run_id: a-s0\n- run_id: a-s1\n- run_id: b_seed0\n- {run_id: x-s1, variant: c}\n",
                      SMOKE: "runs:\n- run_id: a-s0\n- run_id: b-s0\n- run_id: c\n"}, mode="derived")]
    INVALID = [
        Example({FULL: "runs:\n- run_id: a-s0\n- run_id: b-s0\n", SMOKE: "runs:\n- run_id: a-s0\n"}, mode="derived"),
        Example({FULL: "runs:\n- {run_id: r1, variant: asha-ohgw}\n",
                 SMOKE: "runs:\n- {run_id: asha-ohgw-s0, variant: asha-none}\n"}, mode="derived"),
    ]

    def check(self, package: ReviewedPackage):
        full, smoke = self.runs(package, FULL), self.runs(package, SMOKE)
        if full is None or smoke is None:
            return
        covered = {variation for variation, _ in smoke}
        nodes = getattr(astutil.yaml_value(package.file(FULL).yaml_node, "runs"), "value", None)
        reported = set()
        for variation, index in full:
            if variation not in covered and variation not in reported:
                reported.add(variation)
                row = nodes[index].start_mark.line + 1 if isinstance(nodes, list) and index < len(nodes) else 1
                yield self.finding(FULL, row, path=FULL, variation=variation)

    @staticmethod
    def runs(package: ReviewedPackage, relative: str) -> list[tuple[str, int]] | None:
        """(variation, index) of each run of a config, None when it has no list of runs."""
        source = package.file(relative)
        data = source.yaml_data if source is not None else None
        runs = data.get("runs") if isinstance(data, dict) else None
        if not isinstance(runs, list):
            return None
        found = []
        for index, run in enumerate(runs):
            if isinstance(run, dict) and run.get("variant") is not None:
                found.append((str(run["variant"]), index))
            elif isinstance(run, dict) and run.get("run_id") is not None:
                found.append((SEED_SUFFIX.sub("", str(run["run_id"])), index))
        return found
