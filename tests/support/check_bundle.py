"""Load bundles' space, scenario and facade for real, in a process of their own.

Usage: python check_bundle.py BUNDLE [BUNDLE ...]; prints {bundle: report} as JSON.
"""

import importlib.util
import json
import sys
import tempfile
from pathlib import Path

from ConfigSpace import ConfigurationSpace
from smac import Scenario


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def trivial(config, seed: int = 0, budget: float | None = None) -> float:
    return 0.5


def check(bundle: Path, index: int) -> dict:
    space = load_module(bundle / "config_space.py", f"space_{index}")
    scenario_module = load_module(bundle / "scenario.py", f"scenario_{index}")
    cs = space.get_configspace()
    loaded = ConfigurationSpace.from_json(bundle / "configspace.json")
    with tempfile.TemporaryDirectory() as tmp:
        scenario = scenario_module.generate_scenario(cs, output_directory=Path(tmp))
        facade = scenario_module.make_facade(scenario, trivial, overwrite=True, logging_level=40)
        samples = [dict(c) for c in cs.sample_configuration(5)]
    return {
        "json_equal": loaded == cs,
        "scenario_is_scenario": isinstance(scenario, Scenario),
        "facade": type(facade).__name__,
        "min_budget": scenario.min_budget,
        "max_budget": scenario.max_budget,
        "n_trials": scenario.n_trials,
        "crash_cost": scenario.crash_cost,
        "n_samples_drawn": len(samples),
    }


if __name__ == "__main__":
    print(json.dumps({arg: check(Path(arg), i) for i, arg in enumerate(sys.argv[1:])}))
