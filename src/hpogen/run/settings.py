"""What `hpogen run` was asked to do, where it writes, and whether a --resume may continue.

A run folder holds `hpogen_run.json`, the settings that shaped it. `--resume` continues only when
the bundle, the data and every SMAC setting are the same; otherwise SMAC would stop and ask.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import HpogenError

RECORD_NAME = "hpogen_run.json"
SMAC_FOLDER = "smac3_output"
DEFAULT_SEED = 0


@dataclass(frozen=True)
class RunOptions:
    """The command line of `hpogen run`; None means not given."""

    bundle: Path
    data: Path | None = None
    dataset: str | None = None
    target: str | None = None
    n_trials: int | None = None
    walltime: float | None = None
    n_workers: int | None = None
    scheduler_file: Path | None = None
    seed: int | None = None
    resume: bool = False
    out: Path | None = None


def check_options(options: RunOptions) -> None:
    """Refuse contradictory or impossible flags before anything is loaded."""
    if options.n_workers is not None and options.scheduler_file is not None:
        raise HpogenError("give only one of --n-workers and --dask-scheduler-file")
    if options.data is not None and options.dataset is not None:
        raise HpogenError("give only one of --data and --dataset")
    if options.n_trials is not None and options.n_trials < 1:
        raise HpogenError(f"--n-trials must be at least 1, not {options.n_trials}")
    if options.walltime is not None and not options.walltime > 0:
        raise HpogenError(
            f"--walltime must be a positive number of seconds, not {options.walltime}"
        )
    if options.n_workers is not None and options.n_workers < 1:
        raise HpogenError(f"--n-workers must be at least 1, not {options.n_workers}")
    if options.seed is not None and options.seed < 0:
        raise HpogenError(f"--seed must not be negative, not {options.seed}")
    if options.scheduler_file is not None and not options.scheduler_file.is_file():
        raise HpogenError(f"dask scheduler file not found: {options.scheduler_file}")


def output_folder(options: RunOptions, bundle_path: Path, seed: int) -> Path:
    """--out, or BUNDLE/runs/seed-<seed>: the same command always names the same folder."""
    out = options.out if options.out is not None else bundle_path / "runs" / f"seed-{seed}"
    return out.expanduser().resolve()


def read_record(out: Path) -> dict[str, Any] | None:
    path = out / RECORD_NAME
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HpogenError(f"cannot resume {out}: {RECORD_NAME} is not valid JSON") from None


def check_output_folder(out: Path, resume: bool) -> dict[str, Any] | None:
    """The saved record when resuming; refuses a used folder without --resume, and unwritable places."""
    if resume:
        if not out.is_dir():
            raise HpogenError(
                f"nothing to resume: {out} does not exist (drop --resume to start a run)"
            )
        record = read_record(out)
        if record is None:
            raise HpogenError(
                f"cannot resume {out}: it holds no hpogen run ({RECORD_NAME} is missing)"
            )
        if not os.access(out, os.W_OK | os.X_OK):
            raise HpogenError(f"cannot write to output folder {out}")
        return record
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise HpogenError(
            f"output folder {out} exists and is not empty (pass --resume to continue it, or choose another --out)"
        )
    _check_creatable(out)
    return None


def _check_creatable(out: Path) -> None:
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise HpogenError(f"cannot write to output folder {out}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise HpogenError(f"cannot write to output folder {out}: {existing} is not writable")


def make_output_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HpogenError(f"cannot write to output folder {out}: {exc.strerror}") from None


def run_record(
    bundle_digest: str,
    data: Any,
    target: str | None,
    seed: int,
    scenario: Any,
    parallel: dict[str, Any],
) -> dict[str, Any]:
    """The settings a resumed run must share with the run it continues (data: a RunData)."""
    return {
        "hpogen_version": __version__,
        "bundle_digest": bundle_digest,
        "data_source": data.source,
        "data_target": target,
        "data_fingerprint": data.fingerprint,
        "seed": seed,
        "n_trials": scenario.n_trials,
        "walltime_limit": scenario.walltime_limit,
        "parallel": parallel,
    }


# The record's keys and how a mismatch is named to the user.
_CHANGES = {
    "bundle_digest": "the bundle's files",
    "data_fingerprint": "the data",
    "seed": "--seed",
    "n_trials": "--n-trials",
    "walltime_limit": "--walltime",
    "parallel": "the parallel setting (--n-workers / --dask-scheduler-file)",
    "hpogen_version": "the hpogen version",
}


def check_resumable(out: Path, saved: dict[str, Any], new: dict[str, Any]) -> None:
    """One line naming the first setting that differs from the run being resumed."""
    for key, what in _CHANGES.items():
        if saved.get(key) != new.get(key):
            change = (
                f" ({_show(saved.get(key))} -> {_show(new.get(key))})"
                if key in ("seed", "n_trials", "walltime_limit", "parallel")
                else ""
            )
            raise HpogenError(
                f"cannot resume {out}: {what} changed{change}; resume with the same settings or choose another --out"
            )


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def check_saved_scenario(out: Path, scenario: Any) -> None:
    """Compare SMAC's saved scenario.json with the new scenario before SMAC would ask about it."""
    saved_path = Path(scenario.output_directory) / "scenario.json"
    if not saved_path.is_file():
        return
    from smac import Scenario

    try:
        saved = json.loads(saved_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HpogenError(f"cannot resume {out}: {saved_path} is not valid JSON") from None
    new = Scenario.make_serializable(scenario)
    differ = sorted(k for k in set(saved) | set(new) if k != "_meta" and saved.get(k) != new.get(k))
    if differ:
        raise HpogenError(
            f"cannot resume {out}: SMAC's saved scenario differs in {', '.join(differ)}; "
            "resume with the same settings or choose another --out"
        )


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a partial file never replaces a whole one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
