"""Golden experiment packages: basecode and derive outputs byte for byte, and what every package
must hold (8 files, parseable, formatted, placeholders only where they belong)."""

import ast
import difflib
import re
import shutil
import subprocess
import tomllib

import pytest
import yaml
from packages import PACKAGE_CASES, STOPPED_CASES, build_case, stopped_case, tree

from hpogen.experiment.layout import PACKAGE_FILES
from hpogen.experiment.package import PLACEHOLDERS
from hpogen.formatting import ruff_binary
from hpogen.pyimports import third_party_imports

CHANGED_BY_DERIVE = {"src/preprocess.py", "src/model.py", "config/smoke_test.yaml", "config/full_experiment.yaml",
                     "pyproject.toml"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return {case.name: build_case(case, tmp_path_factory.mktemp(case.name)) for case in PACKAGE_CASES}


def _diff(name: str, expected: bytes, actual: bytes) -> str:
    return "".join(difflib.unified_diff(expected.decode().splitlines(True), actual.decode().splitlines(True),
                                        f"golden/{name}", f"generated/{name}"))


@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("stage", ["base", "derived"])
def test_matches_golden(case, stage, built, update_golden):
    actual = tree(built[case.name][0 if stage == "base" else 1])
    expected_dir = case / "expected" / stage
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, data in actual.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_bytes(data)
    expected = tree(expected_dir)
    assert sorted(actual) == sorted(expected)
    diffs = [_diff(name, expected[name], actual[name]) for name in expected if expected[name] != actual[name]]
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda p: p.name)
def test_regenerates_identically(case, built, tmp_path):
    again = build_case(case, tmp_path)
    for first, second in zip(built[case.name], again, strict=True):
        assert tree(first) == tree(second)


@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("stage", [0, 1], ids=["base", "derived"])
def test_exactly_the_eight_files_parse_and_are_formatted(case, stage, built):
    folder = built[case.name][stage]
    assert sorted(tree(folder)) == sorted(PACKAGE_FILES)
    for name in PACKAGE_FILES:
        text = (folder / name).read_text()
        if name.endswith(".py"):
            ast.parse(text)
        elif name.endswith(".yaml"):
            assert isinstance(yaml.safe_load(text), dict)
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    assert isinstance(project["dependencies"], list) and all(isinstance(d, str) for d in project["dependencies"])
    named = {re.split(r"[<>=!~ \[]", d)[0].lower() for d in project["dependencies"]}
    module_of = {"pyyaml": "yaml", "scikit-learn": "sklearn"}
    sources = {n: (folder / n).read_text() for n in PACKAGE_FILES if n.endswith(".py")}
    assert {module_of.get(n, n) for n in named} == set(third_party_imports(sources.values(), local={"src"}))
    check = subprocess.run([ruff_binary(), "format", "--check", str(folder / "src")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda p: p.name)
def test_placeholders_only_where_dataset_and_model_belong(case, built):
    base, derived = built[case.name]
    for name in PACKAGE_FILES:
        text = (base / name).read_text()
        found = [p for p in PLACEHOLDERS if p in text]
        if name in ("src/preprocess.py", "src/model.py", "config/smoke_test.yaml", "config/full_experiment.yaml"):
            assert found, name
            assert "# PLACEHOLDER: will be replaced with" in text, name
        else:
            assert not found, name
        assert not any(p in (derived / name).read_text() for p in (*PLACEHOLDERS, "TODO", "NotImplementedError"))


@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda p: p.name)
def test_derive_changes_only_dataset_model_and_config_files(case, built):
    base, derived = (tree(folder) for folder in built[case.name])
    unchanged = {name for name in base if base[name] == derived[name]}
    assert unchanged >= set(PACKAGE_FILES) - CHANGED_BY_DERIVE


@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda p: p.name)
def test_smoke_and_full_configs_list_the_same_runs_apart_from_seeds(case, built):
    derived = built[case.name][1]
    runs = {scale: yaml.safe_load((derived / f"config/{scale}.yaml").read_text())["runs"]
            for scale in ("smoke_test", "full_experiment")}
    without_seed = {scale: {re.sub(r"-s\d+$", "", r["run_id"]) for r in found} for scale, found in runs.items()}
    assert without_seed["smoke_test"] == without_seed["full_experiment"]
    assert len(runs["smoke_test"]) == len(without_seed["smoke_test"])  # one seed each
    for run in runs["full_experiment"] + runs["smoke_test"]:
        assert isinstance(run["seed"], int)
        for key, value in run["training"].items():
            assert not isinstance(value, str) or not _numeric(value), (key, value)  # no '1e-3' strings


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_derived_package_builds_with_pip(built, tmp_path):
    """pyproject.toml is valid PEP 621: pip builds the package (as `pip install .` would) offline."""
    import sys
    import zipfile

    derived = tmp_path / "package"  # setuptools writes build/ into the tree it builds
    shutil.copytree(built["ohgw"][1], derived)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                             "--wheel-dir", str(tmp_path / "dist"), str(derived)], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert "src/train.py" in zipfile.ZipFile(wheel).namelist()


def test_uv_reads_the_pyproject_and_runs_main(built, tmp_path):
    """`uv run python -m src.main` from the package root: uv parses pyproject.toml (it refuses a
    `[project.dependencies]` table) and runs main. --no-sync uses this environment, since a sync
    would download torch."""
    import os
    import sys
    from pathlib import Path

    package = tmp_path / "package"
    shutil.copytree(built["ohgw"][1], package)
    uv = Path(sys.executable).with_name("uv")
    environment = {**os.environ, "UV_PROJECT_ENVIRONMENT": sys.prefix, "UV_NO_CACHE": "1"}
    result = subprocess.run([str(uv), "run", "--no-sync", "--offline", "python", "-m", "src.main", "--help"],
                            cwd=package, capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "--smoke-test" in result.stdout and "--full-experiment" in result.stdout


@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda p: p.name)
def test_configs_are_the_same_with_or_without_libyaml(case, built):
    """dump_yaml uses libyaml's emitter where PyYAML has it; PyYAML's own must write the same bytes,
    so a package is identical on machines without libyaml."""
    from hpogen.experiment.configs import dump_yaml

    for name in ("config/smoke_test.yaml", "config/full_experiment.yaml"):
        text = (built[case.name][1] / name).read_text()
        data = yaml.safe_load(text)
        pure = yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True)
        assert dump_yaml(data) == pure
        assert text.endswith(pure)


@pytest.mark.parametrize("case", STOPPED_CASES, ids=lambda p: p.name)
def test_stopped_case_matches_golden(case, tmp_path, update_golden):
    """A refused method: basecode's one error line, nothing written. A method left with
    METHOD_PLACEHOLDER: its base package byte for byte, and derive's one error line naming the hook."""
    stderr = stopped_case(case, tmp_path)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpogen: error:"), stderr
    expected_dir = case / "expected"
    produced = {"error.txt": lines[0].replace(str(tmp_path), "WORK").encode() + b"\n"}
    if (tmp_path / "base").is_dir():
        produced.update({f"base/{name}": data for name, data in tree(tmp_path / "base").items()})
    assert not (tmp_path / "derived").exists()
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, data in produced.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_bytes(data)
    expected = tree(expected_dir)
    assert sorted(produced) == sorted(expected)
    diffs = [_diff(name, expected[name], produced[name]) for name in expected if expected[name] != produced[name]]
    assert not diffs, "\n".join(diffs)
