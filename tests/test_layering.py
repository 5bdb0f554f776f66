"""The package follows the flow: each stage imports only the stages before it, and the generate
and review paths stay light. Imports are read from the syntax trees (lazy ones included), so a
wrong-way import fails here even when no test happens to execute it."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hpogen"

# stage -> the stages it may import (besides the shared top-level modules)
ALLOWED = {
    "dataset": set(),
    "decide": {"dataset"},
    "render": {"dataset", "decide"},
    "run": {"dataset", "decide", "render"},
    "experiment": set(),
    "review": {"experiment"},
}
# the command line and `python -m hpogen` wire every stage together
WIRING = {"hpogen.cli", "hpogen.__main__"}
# what the generate and review paths must never load: the heavy ML stack, and the two
# modules that alone would spend most of generate's 0.5 s budget
HEAVY = ("torch", "smac", "ConfigSpace", "sklearn", "pandas", "dask", "pydantic", "libcst.matchers", "aeon", "numba")


def module_name(path: Path, package_dir: Path = PACKAGE) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, package_dir: Path = PACKAGE) -> set[str]:
    """Every hpogen module that path imports, at module level or inside functions."""
    name = module_name(path, package_dir)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in found if module == "hpogen" or module.startswith("hpogen.")}


def stage_of(module: str) -> str | None:
    """The stage a module belongs to, or None for the shared top-level modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_subpackage_is_a_known_stage():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(ALLOWED)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_imports_run_downstream_only(path):
    name = module_name(path)
    if name in WIRING:
        return
    own = stage_of(name)
    allowed = {own, *ALLOWED.get(own, ())} if own else set()
    wrong = sorted(m for m in imported_modules(path) if stage_of(m) not in (None, *allowed))
    assert not wrong, f"{name} ({own or 'shared'}) imports a later or unrelated stage: {wrong}"
    assert not any(m in WIRING for m in imported_modules(path)), f"{name} imports the command line"


def test_the_checker_sees_a_wrong_way_import(tmp_path):
    """imported_modules resolves relative imports, lazy ones included (so the test above can fail)."""
    fake = tmp_path / "hpogen" / "decide" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from ..render.write import write_bundle\n    from . import bands\n")
    found = imported_modules(fake, tmp_path / "hpogen")
    assert {"hpogen.render.write", "hpogen.decide.bands"} <= found
    assert stage_of("hpogen.render.write") not in ALLOWED["decide"]


def light_modules() -> list[str]:
    """Every module of the generate and review paths, and the run package's entry points that
    dask workers import to unpickle a trial."""
    names = [module_name(p) for p in SOURCES]
    # bundle_forecast is the pandas reader of forecasting files, imported only when one is read
    # (generate with an embedded default never imports it: see the commands below)
    heavy_ok = ("hpogen.run.", "hpogen.dataset.bundle_forecast")
    return [n for n in names if not n.startswith(heavy_ok) and n != "hpogen.__main__"] + ["hpogen.run.target"]


def test_importing_the_generate_and_review_paths_loads_nothing_heavy():
    code = (
        "import importlib, sys\n"
        f"for name in {light_modules()!r}:\n    importlib.import_module(name)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout


GOLDEN_PACKAGE = PACKAGE.parents[1] / "golden" / "experiment" / "ohgw" / "expected"
COMMANDS = [
    ["generate", "--dataset-type", "image", "--out"],
    ["plan", "--dataset-type", "tabular"],
    ["generate", "--dataset-type", "time_series", "--out"],
    ["review", str(GOLDEN_PACKAGE / "derived"), "--base", str(GOLDEN_PACKAGE / "base")],
    ["review", str(PACKAGE.parents[1] / "golden" / "bundle" / "digits" / "expected")],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_running_generate_plan_and_review_loads_nothing_heavy(command, tmp_path):
    argv = command + ([str(tmp_path / "bundle")] if command[-1] == "--out" else [])
    code = (
        "import sys\nfrom hpogen import cli\n"
        f"sys.argv = ['hpogen', *{argv!r}]\n"
        "try:\n    cli.main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
