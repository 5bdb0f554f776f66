"""scenario.py: the SMAC Scenario settings and the facade recipe."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..codegen import fill_template
from ..decide.decisions import Decisions

OUTPUT_DIRECTORY = "smac3_output"


def scenario_settings(d: Decisions) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "name": d.spec.slug,
        "output_directory": OUTPUT_DIRECTORY,
        "deterministic": d.deterministic,
        "objectives": d.objective,
        "crash_cost": d.crash_cost,
        "walltime_limit": d.walltime_limit,
        "n_trials": d.n_trials,
        "seed": d.seed,
        "n_workers": d.n_workers,
    }
    if d.multi_fidelity:
        settings["min_budget"] = d.min_budget
        settings["max_budget"] = d.max_budget
    return settings


def render_scenario(d: Decisions) -> str:
    return fill_template(
        "bundle/scenario.py",
        facade=cst.Name(d.facade),
        eta=d.eta,
        scenario_settings=scenario_settings(d),
        initial_configs=d.extra.get("initial_configs"),
    )
