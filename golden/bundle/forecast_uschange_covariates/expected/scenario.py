"""SMAC scenario and facade of this bundle. SCENARIO_SETTINGS are Scenario's own fields."""

import inspect
from typing import Any

from ConfigSpace import ConfigurationSpace
from smac import HyperparameterOptimizationFacade, Scenario

FACADE = HyperparameterOptimizationFacade
# Hyperband reduction factor for multi-fidelity facades; None for full-fidelity ones.
ETA = None
SCENARIO_SETTINGS = {
    "name": "uschange",
    "output_directory": "smac3_output",
    "deterministic": False,
    "objectives": "loss",
    "crash_cost": 10.0,
    "walltime_limit": 3600.0,
    "n_trials": 60,
    "seed": 0,
    "n_workers": 1,
}
# The initial design: the space's default configuration first, then this many from the facade's
# own design (None: the facade's default count).
INITIAL_CONFIGS = 6


def generate_scenario(cs: ConfigurationSpace, **overrides: Any) -> Scenario:
    """The bundle's Scenario; overrides (n_trials, walltime_limit, output_directory, ...) win."""
    unknown = set(overrides) - set(Scenario.__dataclass_fields__)
    if unknown:
        raise TypeError(f"not Scenario fields: {sorted(unknown)}")
    return Scenario(cs, **{**SCENARIO_SETTINGS, **overrides})


def make_facade(
    scenario: Scenario,
    target_function: Any,
    *,
    overwrite: bool = False,
    dask_client: Any = None,
    callbacks: list | None = None,
    logging_level: int | None = None,
) -> Any:
    """The bundle's facade; pass overwrite explicitly so SMAC never asks on a terminal."""
    if ETA is None:
        intensifier = FACADE.get_intensifier(scenario)
    else:
        intensifier = FACADE.get_intensifier(scenario, eta=ETA)
    default = scenario.configspace.get_default_configuration()
    if "n_configs" in inspect.signature(FACADE.get_initial_design).parameters:
        # SMAC refuses a design that leaves no trial for the default
        count = INITIAL_CONFIGS if scenario.n_trials > 1 else 0
        design = {"additional_configs": [default]}
        if count is not None:
            design["n_configs"] = max(0, min(count, scenario.n_trials - 1))
        initial_design = FACADE.get_initial_design(scenario, **design)
        designed = initial_design.select_configurations
        # SMAC appends additional configurations after its own: the default runs first instead.
        initial_design.select_configurations = lambda: [
            default,
            *[c for c in designed() if c != default],
        ]
    else:  # Hyperband's and random search's design is the default configuration alone
        initial_design = FACADE.get_initial_design(scenario)
    return FACADE(
        scenario,
        target_function,
        intensifier=intensifier,
        initial_design=initial_design,
        overwrite=overwrite,
        dask_client=dask_client,
        callbacks=callbacks or [],
        logging_level=logging_level,
    )
