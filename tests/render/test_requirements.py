"""Every bundle says what it needs: requirements.txt, run_hpo.py's docstring and its pre-flight
list come from the imports of the rendered files, pinned to the versions the tests ran with."""

import ast
import importlib.metadata
import json
import sys

import pytest
from bundles import generate

from hpogen.tables import table

LOCAL = {"train", "config_space", "scenario", "run_hpo", "bundle_data", "bundle_images", "bundle_rows", "bundle_tables", "bundle_series", "bundle_forecast", "__future__"}


def test_pins_are_the_versions_installed_here():
    for module, entry in table("requirements")["imports"].items():
        distribution = entry["distribution"].split("[")[0]
        assert importlib.metadata.version(distribution) == entry["version"], module


def _imports(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - LOCAL


def _expected(folder, data_type) -> tuple[set[str], set[str]]:
    """(required, optional) import names: every file's imports; the data readers' only where
    [data_imports] says the bundle's data type reads with them."""
    known, for_data = table("requirements")["imports"], table("requirements")["data_imports"]
    by_family = table("requirements")["family_imports"]
    space = json.loads((folder / "configspace.json").read_text())
    choices = [hp.get("choices", []) for hp in space["hyperparameters"] if hp["name"] == "algorithm"]
    families = set(choices[0]) if choices else None  # tabular bundles: the space's families
    required, optional = set(), set()
    for path in folder.glob("*.py"):
        for module in _imports(path):
            unused = families is not None and module in by_family and not families & set(by_family[module]["families"])
            if path.name == "train.py" and unused:
                continue  # imported only inside families this space lacks
            rule = for_data.get(module) if path.name.startswith("bundle_") else None
            if rule is not None and data_type not in rule["types"]:
                continue
            is_optional = "optional" in (rule or known[module])
            (optional if is_optional else required).add(module)
    return required, optional - required


@pytest.mark.parametrize(("args", "data_type"), [(["--dataset", "breast_cancer"], "tabular"),
                                                 (["--dataset", "digits"], "image"),
                                                 (["--dataset", "diabetes"], "tabular"),
                                                 (["--dataset", "GunPoint"], "time_series")])
def test_requirements_follow_the_imports(args, data_type, tmp_path):
    folder = generate(args, tmp_path / "bundle")
    required_modules, optional_modules = _expected(folder, data_type)
    known = table("requirements")["imports"]
    lines = [line for line in (folder / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    pins = {line.split("  #")[0] for line in lines}
    assert pins == {f"{known[m]['distribution']}=={known[m]['version']}" for m in required_modules | optional_modules}
    optional = {line.split("  #")[0] for line in lines if "  # for " in line}
    assert optional == {f"{known[m]['distribution']}=={known[m]['version']}" for m in optional_modules}
    imported = required_modules | optional_modules
    # an image bundle reads folders with Pillow, optionally, and never needs pandas for its data
    assert ("PIL" in optional_modules) == (data_type == "image")

    driver = ast.parse((folder / "run_hpo.py").read_text())
    required = next(ast.literal_eval(node.value) for node in driver.body
                    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "REQUIRED_MODULES")
    assert set(required.values()) == pins - optional and set(required) <= imported
    docstring = " ".join(ast.get_docstring(driver).split())
    assert all(pin in docstring for pin in pins)
    if data_type == "time_series":  # series are numpy arrays; MiniRocket is aeon's, the CNN torch's
        assert "pandas" not in required and {"aeon", "torch", "skops"} <= set(required)
    elif "digits" not in args:  # tabular bundles
        assert {"pandas", "skops"} <= set(required)
    else:
        assert "pandas" not in required and "torch" in required
