from __future__ import annotations

import re

from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..yaml_nodes import RUN_ID_KEYS, run_list, runs_data

SEED_SUFFIX = re.compile(r"[-_](?:s|seed)\d+$")
MODE_SUFFIX = re.compile(r"[-_](?:smoke|full)$")
FULL, SMOKE = "config/full_experiment.yaml", "config/smoke_test.yaml"


class SmokeMissingVariation(Rule):
    """Flags a variation of the full experiment that the smoke test never runs.

    ## What it does
    Collects the variations of the runs of config/full_experiment.yaml (a run's `variant`, or
    its run_id, for a run without one its `name` or `id`, without a seed suffix such as `-s0`,
    `_seed1` and a mode suffix `-smoke`, `_smoke`, `-full`, `_full`, in either order) and
    reports each one that no run of config/smoke_test.yaml belongs to. The runs are the list
    under `runs`, or under the key such as `experiments` / `run_variations` that holds them, as
    runs-schema finds it. When the runs carry no `variant` and not one full-experiment variation
    matches a smoke-test one, the two files name their runs by unrelated schemes
    (`baseline_smoke` against `baseline-dnn-mfbo-branin`) and nothing is reported.

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
                      SMOKE: "runs:\n- run_id: a-s0\n- run_id: b-s0\n- run_id: c\n"}, mode="derived"),
             Example({FULL: "experiments:\n- run_id: pasha-baseline-s0\n- run_id: pasha-ohgw-s1\n- run_id: tent_full\n",
                      SMOKE: "experiments:\n- run_id: pasha-baseline-smoke\n- run_id: pasha-ohgw_smoke-s0\n"
                             "- run_id: tent_smoke\n"}, mode="derived"),
             Example({FULL: "run_variations:\n- run_id: baseline\n- run_id: radnn\n",
                      SMOKE: "run_variations:\n- run_id: baseline_smoke\n- run_id: radnn_smoke\n"}, mode="derived"),
             Example({FULL: "experiments:\n- run_id: baseline-dnn-branin\n- run_id: ra-dnn-levy\n",
                      SMOKE: "experiments:\n- run_id: baseline_smoke\n- run_id: radnn_smoke\n"}, mode="derived")]
    INVALID = [
        Example({FULL: "runs:\n- run_id: a-s0\n- run_id: b-s0\n", SMOKE: "runs:\n- run_id: a-s0\n"}, mode="derived"),
        Example({FULL: "runs:\n- {run_id: r1, variant: asha-ohgw}\n",
                 SMOKE: "runs:\n- {run_id: asha-ohgw-s0, variant: asha-none}\n"}, mode="derived"),
        Example({FULL: "experiments:\n- run_id: a_full\n- run_id: b_full\n",
                 SMOKE: "experiments:\n- run_id: a_smoke\n"}, mode="derived"),
    ]

    def check(self, package: ReviewedPackage):
        full, smoke = self.runs(package, FULL), self.runs(package, SMOKE)
        if full is None or smoke is None:
            return
        covered = {variation for variation, _, _ in smoke}
        if not any(by_variant for _, _, by_variant in full + smoke) and not covered & {v for v, _, _ in full}:
            return  # unrelated naming schemes: the run_ids say nothing about which variation is which
        nodes = getattr(run_list(package.file(FULL).yaml_node)[1], "value", None)
        reported = set()
        for variation, index, _ in full:
            if variation not in covered and variation not in reported:
                reported.add(variation)
                row = nodes[index].start_mark.line + 1 if isinstance(nodes, list) and index < len(nodes) else 1
                yield self.finding(FULL, row, path=FULL, variation=variation)

    @staticmethod
    def runs(package: ReviewedPackage, relative: str) -> list[tuple[str, int, bool]] | None:
        """(variation, index, whether it is the run's `variant`) of each run of a config, None
        when it has no list of runs."""
        source = package.file(relative)
        found_list = runs_data(source) if source is not None else None
        runs = found_list[1] if found_list is not None else None
        if not isinstance(runs, list):
            return None
        found = []
        for index, run in enumerate(runs):
            if not isinstance(run, dict):
                continue
            if run.get("variant") is not None:
                found.append((str(run["variant"]), index, True))
                continue
            name = next((run[key] for key in RUN_ID_KEYS if key in run), None)
            if name is not None:
                found.append((SmokeMissingVariation.variation(str(name)), index, False))
        return found

    @staticmethod
    def variation(run_id: str) -> str:
        """The run_id without its seed and mode suffixes (`a-smoke-s0`, `a_s0_full` -> `a`)."""
        for _ in range(2):
            run_id = MODE_SUFFIX.sub("", SEED_SUFFIX.sub("", run_id))
        return run_id
