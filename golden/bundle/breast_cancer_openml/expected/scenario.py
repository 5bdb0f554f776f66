"""SMAC scenario and facade of this bundle. SCENARIO_SETTINGS are Scenario's own fields."""

from typing import Any

from ConfigSpace import ConfigurationSpace
from smac import HyperparameterOptimizationFacade, Scenario

FACADE = HyperparameterOptimizationFacade
# Hyperband reduction factor for multi-fidelity facades; None for full-fidelity ones.
ETA = None
SCENARIO_SETTINGS = {
    "name": "breast_cancer",
    "output_directory": "smac3_output",
    "deterministic": False,
    "objectives": "loss",
    "crash_cost": 1.0,
    "walltime_limit": 3600.0,
    "n_trials": 200,
    "seed": 0,
    "n_workers": 1,
}


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
    return FACADE(
        scenario,
        target_function,
        intensifier=intensifier,
        overwrite=overwrite,
        dask_client=dask_client,
        callbacks=callbacks or [],
        logging_level=logging_level,
    )
