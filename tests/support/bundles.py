"""Shared test helpers: turn a golden case's input.json into hpogen CLI arguments."""

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from hpogen.cli import app

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "golden" / "bundle"
HPOGEN = [sys.executable, "-m", "hpogen"]


def case_args(case: Path, workdir: Path) -> list[str]:
    """CLI args for a golden case; spec and insights are written into workdir."""
    data = json.loads((case / "input.json").read_text())
    args = []
    if "dataset_type" in data:
        args += ["--dataset-type", data["dataset_type"]]
    if "task" in data:
        args += ["--task", data["task"]]
    if "spec" in data:
        spec = workdir / "spec.json"
        spec.write_text(json.dumps(data["spec"]))
        args += ["--spec", str(spec)]
    if "dataset" in data:
        args += ["--dataset", data["dataset"]]
    if "insights" in data:
        insights = workdir / "insights.json"
        insights.write_text(json.dumps(data["insights"]))
        args += ["--insights", str(insights)]
    if "insights_text" in data:  # as upstream tools emit it: a Python literal with JSON-encoded values
        insights = workdir / "insights.txt"
        insights.write_text(data["insights_text"])
        args += ["--insights", str(insights)]
    return args


def generate(args: list[str], out: Path) -> Path:
    """Run `hpogen generate` in process (the generator never executes what it writes)."""
    result = CliRunner().invoke(app, ["generate", *args, "--out", str(out), "--force"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """hpogen in its own process, as a user runs it."""
    return subprocess.run([*HPOGEN, *args], capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=300)


def bundle_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
