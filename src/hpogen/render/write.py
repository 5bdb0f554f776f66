"""Render a bundle's files from Decisions and write them atomically with a lock file."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..codegen import format_tree
from ..decide.decisions import Decisions
from ..decide.insights import Insights
from ..errors import HpogenError
from .lock import LOCK_NAME, lock_record
from .plan_text import planner_json
from .scenario import render_scenario
from .space import configspace_json, render_config_space


def render_files(d: Decisions) -> dict[str, str]:
    """Every bundle file but the lock, as text (Python not yet formatted)."""
    from .driver import render_driver
    from .train import render_train

    return {
        "plan.json": json.dumps(planner_json(d), indent=2) + "\n",
        "configspace.json": configspace_json(d),
        "config_space.py": render_config_space(d),
        "scenario.py": render_scenario(d),
        "train.py": render_train(d),
        "run_hpo.py": render_driver(d),
        "decisions.json": json.dumps(decisions_record(d), indent=2) + "\n",
    }


def decisions_record(d: Decisions) -> dict[str, Any]:
    """Every decision with its rule and reason, for reading and for `--explain`."""
    return {
        "decisions": [
            {"decision": key, "value": value, "rule": rule, "reason": reason} for key, value, rule, reason in d.explain_rows()
        ],
    }


def write_bundle(d: Decisions, out: Path, insights: Insights | None = None, force: bool = False) -> Path:
    """Build the bundle in a temporary sibling folder, then rename it into place."""
    out = out.resolve()
    if out.exists() and not force and (not out.is_dir() or any(out.iterdir())):
        raise HpogenError(f"output folder {out} exists and is not empty (pass --force to replace it)")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
        staging.chmod(0o777 & ~_umask())
    except OSError as exc:
        raise HpogenError(f"cannot write to {parent}: {exc.strerror}") from None
    try:
        for name, text in render_files(d).items():
            (staging / name).write_text(text, encoding="utf-8")
        format_tree(staging)
        files = {p.name: p.read_bytes() for p in sorted(staging.iterdir()) if p.is_file()}
        lock = lock_record(d, insights, files)
        (staging / LOCK_NAME).write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace(staging: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)
