"""Where the data tables (rules/) and code templates (templates/) live.

Both folders sit at the top of the repository; src/hpogen/rules and src/hpogen/templates are
links to them, so that a wheel carries them as package data and every install finds them here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RULES_DIR = PACKAGE_DIR / "rules"
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def rules_hash(part: str = "bundle") -> str:
    """A digest of the rules/ tables of one product part, so a bundle records exactly which
    tables made it (and a change to the experiment tables does not touch bundle locks)."""
    digest = hashlib.sha256()
    for path in sorted((RULES_DIR / part).rglob("*.toml")):
        digest.update(path.relative_to(RULES_DIR / part).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
