"""Shared helpers of the experiment-package tests: build a case's base and derived packages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from hpogen.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT_GOLDEN = ROOT / "golden" / "experiment"
CASES = sorted(p for p in EXPERIMENT_GOLDEN.iterdir() if (p / "case.json").is_file())


def case_spec(case: Path) -> dict:
    """A golden case's case.json: `derive` options ({} for the defaults; null when derive must
    refuse the base), `refused` (a fragment of basecode's error), `design`, `method_family`."""
    return json.loads((case / "case.json").read_text())


# cases whose base and derived packages exist (the others stop at basecode or derive, on purpose)
PACKAGE_CASES = [c for c in CASES if case_spec(c).get("derive", {}) is not None and "refused" not in case_spec(c)]
STOPPED_CASES = [c for c in CASES if c not in PACKAGE_CASES]


def invoke(*args: str) -> str:
    """hpogen in process (the generator never executes what it writes); its output."""
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def refusal(*args: str) -> str:
    """hpogen in a process of its own, expected to refuse (exit 2); its stderr, paths made relative."""
    result = subprocess.run([sys.executable, "-m", "hpogen", *map(str, args)], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    return result.stderr


def stopped_case(case: Path, work: Path) -> str:
    """What a case that stops prints: basecode's error for a refused method, or (after its base
    is written) derive's error for a base left with METHOD_PLACEHOLDER."""
    spec = case_spec(case)
    args = ["basecode", case / "method.json", "--out", work / "base", "--force"]
    if "refused" in spec:
        return refusal(*args)
    invoke(*args)
    return refusal("derive", work / "base", "--out", work / "derived")


def build_case(case: Path, work: Path) -> tuple[Path, Path]:
    """`hpogen basecode` then `hpogen derive` for a golden case; (base folder, derived folder)."""
    spec = case_spec(case)
    args = ["basecode", case / "method.json", "--out", work / "base", "--force"]
    if "design" in spec:
        args += ["--design", case / spec["design"]]
    if "method_family" in spec:
        args += ["--method-family", spec["method_family"]]
    invoke(*args)
    derive = ["derive", work / "base", "--out", work / "derived", "--force"]
    for key, value in spec.get("derive", {}).items():
        derive += [f"--{key.replace('_', '-')}", value]
    invoke(*derive)
    return work / "base", work / "derived"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder by its relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
