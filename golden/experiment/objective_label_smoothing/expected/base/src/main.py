"""Run every variation of the experiment in turn, then evaluate them.

Usage (from the package root):
  python -m src.main --smoke-test --results-dir RESULTS        (config/smoke_test.yaml)
  python -m src.main --full-experiment --results-dir RESULTS   (config/full_experiment.yaml)

Each run starts `python -m src.train` in a process of its own. Its stdout and stderr go to
{results_dir}/{run_id}/stdout.log and stderr.log and to this process's own streams at once (one
reader thread per pipe, so neither pipe can fill up and block the other). A run that exits
non-zero stops the experiment; after the last run, `python -m src.evaluate` compares them all.
The config schema is in src/train.py's docstring.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
from pathlib import Path

import yaml

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def read_runs(config_path: Path) -> list[dict]:
    """The runs of a config file, refusing missing, unsafe or duplicate run_ids."""
    with open(config_path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    runs = config.get("runs")
    if not isinstance(runs, list) or not runs:
        raise SystemExit(
            f"error: {config_path} lists no runs (derive the package first: hpogen derive)"
        )
    seen = set()
    for run in runs:
        run_id = run.get("run_id") if isinstance(run, dict) else None
        if not isinstance(run_id, str) or not RUN_ID_PATTERN.match(run_id):
            raise SystemExit(f"error: {config_path}: unsafe or missing run_id {run_id!r}")
        if run_id in seen:
            raise SystemExit(f"error: {config_path}: run_id {run_id!r} appears twice")
        seen.add(run_id)
    return runs


def _pump(pipe, log_path: Path, stream) -> None:
    """Copy one pipe to its log file and to stream, line by line, until it closes."""
    with open(log_path, "w", encoding="utf-8") as log:
        for line in iter(pipe.readline, ""):
            log.write(line)
            log.flush()
            stream.write(line)
            stream.flush()
    pipe.close()


def run_logged(command: list[str], log_dir: Path) -> int:
    """Run command from the package root, teeing stdout and stderr into log_dir; its exit code."""
    log_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        command,
        cwd=PACKAGE_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        bufsize=1,
    )
    readers = [
        threading.Thread(target=_pump, args=(process.stdout, log_dir / "stdout.log", sys.stdout)),
        threading.Thread(target=_pump, args=(process.stderr, log_dir / "stderr.log", sys.stderr)),
    ]
    for reader in readers:
        reader.start()
    code = process.wait()
    for reader in readers:
        reader.join()
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--smoke-test", action="store_true", help="every variation, one seed, tiny data and budget"
    )
    mode.add_argument(
        "--full-experiment", action="store_true", help="every variation and seed at full scale"
    )
    parser.add_argument("--results-dir", required=True, type=Path)
    args = parser.parse_args()
    config = (
        PACKAGE_ROOT / "config" / ("smoke_test.yaml" if args.smoke_test else "full_experiment.yaml")
    )
    runs = read_runs(config)
    results_dir = args.results_dir.expanduser().resolve()
    results_dir.mkdir(parents=True, exist_ok=True)
    for index, run in enumerate(runs, start=1):
        run_id = run["run_id"]
        print(f"[{index}/{len(runs)}] {run_id}", flush=True)
        command = [
            sys.executable,
            "-m",
            "src.train",
            "--config",
            str(config),
            "--run-id",
            run_id,
            "--results-dir",
            str(results_dir),
        ]
        code = run_logged(command, results_dir / run_id)
        if code != 0:
            print(
                f"error: run {run_id} exited with code {code}; see {results_dir / run_id / 'stderr.log'}",
                file=sys.stderr,
            )
            return code
    command = [
        sys.executable,
        "-m",
        "src.evaluate",
        "--results-dir",
        str(results_dir),
        "--config",
        str(config),
    ]
    return run_logged(command, results_dir / "_evaluate")


if __name__ == "__main__":
    sys.exit(main())
