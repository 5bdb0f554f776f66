"""Shared helpers of the experiment-package tests: build a case's base and derived packages."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hpogen.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT_GOLDEN = ROOT / "golden" / "experiment"
CASES = sorted(p for p in EXPERIMENT_GOLDEN.iterdir() if (p / "case.json").is_file())


def invoke(*args: str) -> str:
    """hpogen in process (the generator never executes what it writes); its output."""
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def build_case(case: Path, work: Path) -> tuple[Path, Path]:
    """`hpogen basecode` then `hpogen derive` for a golden case; (base folder, derived folder)."""
    spec = json.loads((case / "case.json").read_text())
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
