"""Configurations to run a bundle with: corners of its space and the smallest budget SMAC uses.

Imported by the driver processes of the sweep and train tests (a bundle's generated code only
ever runs in those processes), so nothing heavy is imported at module level.
"""

from __future__ import annotations

import json


def corners(space, sides=(0, 1), vary=None) -> list:
    """Each categorical value combined with every numeric (and ordinal) hyperparameter at its
    lower end (side 0), then at its upper end (side 1); the other categoricals keep their
    defaults, and conditional hyperparameters whose condition fails are left out.
    vary: names of the categoricals to go through (all when None)."""
    from ConfigSpace import CategoricalHyperparameter, Configuration, OrdinalHyperparameter

    categorical = [hp for hp in space.values() if isinstance(hp, CategoricalHyperparameter)]
    ends = {}
    for hp in space.values():
        if isinstance(hp, OrdinalHyperparameter):
            ends[hp.name] = (hp.sequence[0], hp.sequence[-1])
        elif not isinstance(hp, CategoricalHyperparameter):
            ends[hp.name] = (hp.lower, hp.upper)
    found = {}
    for side in sides:
        for hp in categorical:
            if vary is not None and hp.name not in vary:
                continue
            for choice in hp.choices:
                values = {name: pair[side] for name, pair in ends.items()}
                values.update({other.name: other.default_value for other in categorical})
                values[hp.name] = choice
                config = Configuration(space, values=active(space, values))
                found[json.dumps(sorted((k, str(v)) for k, v in dict(config).items()))] = config
    return list(found.values())


def active(space, values: dict) -> dict:
    """values without the conditional hyperparameters whose condition does not hold."""
    kept = dict(values)
    for condition in space.conditions:
        allowed = getattr(condition, "values", [condition.value])  # InCondition / EqualsCondition
        if kept.get(condition.parent.name) not in allowed:
            kept.pop(condition.child.name, None)
    return kept


def configuration(space, **values):
    """The space's defaults overridden by values, with failing conditionals left out."""
    from ConfigSpace import Configuration

    defaults = {name: hp.default_value for name, hp in space.items()}
    return Configuration(space, values=active(space, {**defaults, **values}))


def smallest_budget(scenario_module, space) -> float | None:
    """The smallest budget SMAC's Hyperband brackets use for a bundle (None: full fidelity)."""
    scenario = scenario_module.generate_scenario(space, output_directory="unused")
    if scenario.min_budget is None:
        return None
    from smac.intensifier.hyperband_utils import determine_HB

    info = determine_HB(scenario.min_budget, scenario.max_budget, eta=scenario_module.ETA)
    return float(min(min(budgets) for budgets in info["budgets_in_stage"].values()))
