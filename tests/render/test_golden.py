"""Golden bundles: byte-for-byte outputs, stable regeneration, and real ConfigSpace/SMAC loading."""

import difflib
import json
import subprocess
import sys

import pytest
from bundles import GOLDEN, ROOT, bundle_files, case_args, generate

from hpogen.formatting import ruff_binary
from hpogen.render.requirements import DATA_MODULES
from hpogen.render.write import data_module_source

CASES = sorted(p for p in GOLDEN.iterdir() if (p / "input.json").exists())


def _diff(name: str, expected: bytes, actual: bytes) -> str:
    return "".join(
        difflib.unified_diff(
            expected.decode().splitlines(True), actual.decode().splitlines(True), f"golden/{name}", f"generated/{name}"
        )
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Every golden case generated once for this module."""
    out = {}
    for case in CASES:
        work = tmp_path_factory.mktemp(case.name)
        out[case.name] = generate(case_args(case, work), work / "bundle")
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_matches_golden(case, generated, update_golden):
    actual = bundle_files(generated[case.name])
    for name in DATA_MODULES:  # hpogen's own readers, copied unchanged: checked against their source
        assert actual.pop(name).decode("utf-8") == data_module_source(name)
    expected_dir = case / "expected"
    if update_golden:
        expected_dir.mkdir(exist_ok=True)
        for old in expected_dir.iterdir():
            old.unlink()
        for name, data in actual.items():
            (expected_dir / name).write_bytes(data)
    expected = bundle_files(expected_dir)
    assert sorted(actual) == sorted(expected)
    diffs = [_diff(name, expected[name], actual[name]) for name in expected if expected[name] != actual[name]]
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_regenerates_identically_and_is_formatted(case, generated, tmp_path):
    again = generate(case_args(case, tmp_path), tmp_path / "again")
    assert bundle_files(again) == bundle_files(generated[case.name])
    check = subprocess.run(
        [ruff_binary(), "format", "--check", "--config", str(ROOT / "src/hpogen/ruff_generated.toml"), str(again)],
        capture_output=True, text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    lint = subprocess.run(
        [ruff_binary(), "check", "--config", str(ROOT / "src/hpogen/ruff_generated.toml"), str(again)],
        capture_output=True, text=True,
    )
    assert lint.returncode == 0, lint.stdout


@pytest.fixture(scope="module")
def smac_reports(generated):
    """One process loads every bundle's space, scenario and facade (SMAC imports once)."""
    folders = [str(generated[case.name]) for case in CASES]
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/support/check_bundle.py"), *folders], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_space_scenario_and_facade_load_in_smac(case, generated, smac_reports):
    bundle = generated[case.name]
    report = smac_reports[str(bundle)]
    plan = json.loads((bundle / "plan.json").read_text())
    assert report["json_equal"] is True
    assert report["scenario_is_scenario"] is True
    assert report["facade"] == plan["suggested_facade"]
    assert report["crash_cost"] < float("inf")
    assert report["n_samples_drawn"] == 5
    if report["min_budget"] is not None:
        assert 0 < report["min_budget"] < report["max_budget"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_plan_shape(case, generated):
    plan = json.loads((generated[case.name] / "plan.json").read_text())
    assert sorted(plan) == ["configuration_plan", "scenario_plan", "suggested_facade", "train_function_plan"]
    counts = {key: len(plan[key].splitlines()) for key in plan if key != "suggested_facade"}
    assert 8 <= counts["configuration_plan"] <= 10
    assert 6 <= counts["scenario_plan"] <= 8
    assert 12 <= counts["train_function_plan"] <= 15
    for key, n in counts.items():
        assert [line.split(":")[0] for line in plan[key].splitlines()] == [f"Step {i}" for i in range(1, n + 1)]


def _string_literals_outside(tree, skipped: str) -> set[str]:
    """Every string constant in the module except those inside the `skipped = ...` assignment."""
    import ast

    found = set()
    for statement in tree.body:
        targets = getattr(statement, "targets", [])
        if any(getattr(target, "id", None) == skipped for target in targets):
            continue
        found |= {n.value for n in ast.walk(statement) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return found


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_train_reads_every_hyperparameter_of_its_space_by_name(case, generated):
    """Each dimension of configspace.json is read by name in train.py's code (not only listed in DEFAULTS)."""
    import ast

    bundle = generated[case.name]
    space = json.loads((bundle / "configspace.json").read_text())
    names = {hp["name"] for hp in space["hyperparameters"]}
    read = _string_literals_outside(ast.parse((bundle / "train.py").read_text()), "DEFAULTS")
    assert names and names <= read, sorted(names - read)
