"""Render a bundle's files from Decisions and write them atomically with a lock file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..decide.decisions import Decisions
from ..decide.insights import Insights
from ..formatting import format_tree, template_source
from ..outdir import staged_folder, write_files
from .lock import LOCK_NAME, lock_record
from .plan_text import planner_json
from .scenario import render_scenario
from .space import configspace_json, render_config_space


def render_files(d: Decisions) -> dict[str, str]:
    """Every bundle file but the lock, as text (Python not yet formatted)."""
    from .driver import render_driver
    from .requirements import DATA_MODULES, bundle_requirements, requirements_txt
    from .train import render_train

    code = {"config_space.py": render_config_space(d), "scenario.py": render_scenario(d), "train.py": render_train(d),
            **{name: data_module_source(name) for name in DATA_MODULES}}
    # the driver's imports are its template's: known before it is filled
    data_type = "forecasting" if d.spec.forecasting else d.spec.type
    requirements = bundle_requirements({**code, "run_hpo.py": template_source("bundle/run_hpo.py")}, data_type)
    return {
        "plan.json": json.dumps(planner_json(d), indent=2) + "\n",
        "configspace.json": configspace_json(d),
        **code,
        "run_hpo.py": render_driver(d, requirements),
        "requirements.txt": requirements_txt(requirements),
        "decisions.json": json.dumps(decisions_record(d), indent=2) + "\n",
    }


def data_module_source(name: str) -> str:
    """One of hpogen's own data readers (hpogen/dataset/NAME), which the bundle carries unchanged."""
    from .. import dataset

    return (Path(dataset.__file__).parent / name).read_text(encoding="utf-8")


def decisions_record(d: Decisions) -> dict[str, Any]:
    """Every decision with its rule and reason, for reading and for `--explain`."""
    record: dict[str, Any] = {
        "decisions": [
            {"decision": key, "value": value, "rule": rule, "reason": reason} for key, value, rule, reason in d.explain_rows()
        ],
    }
    if d.insights:
        record["insights"] = [r.to_dict() for r in d.insights]
    return record


def write_bundle(d: Decisions, out: Path, insights: Insights | None = None, force: bool = False) -> Path:
    """Build the bundle in a temporary sibling folder, then rename it into place."""
    out = out.resolve()
    with staged_folder(out, force) as staging:
        write_files(staging, render_files(d))
        format_tree(staging)
        files = {p.name: p.read_bytes() for p in sorted(staging.iterdir()) if p.is_file()}
        lock = lock_record(d, insights, files)
        (staging / LOCK_NAME).write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    return out
