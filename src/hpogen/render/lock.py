"""hpogen.lock.json: what made a bundle (spec, insights, hpogen version, rules/ hash) and a
digest of each file, so a bundle can be regenerated and diffed, and `hpogen run` can refuse
one that was edited.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .. import __version__
from ..decide.decisions import Decisions
from ..decide.insights import Insights
from ..resources import rules_hash

LOCK_NAME = "hpogen.lock.json"


def lock_record(d: Decisions, insights: Insights | None, files: dict[str, bytes]) -> dict[str, Any]:
    return {
        "hpogen_version": __version__,
        "rules_hash": rules_hash(),
        "spec": d.spec.to_dict(),
        "insights": insights.summary() if insights is not None else None,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
