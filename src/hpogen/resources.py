"""Where the data tables (rules/) and code templates (templates/) live."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "rules"
TEMPLATES_DIR = ROOT / "templates"


def rules_hash() -> str:
    """A digest of every rules/ file, so a bundle records exactly which tables made it."""
    digest = hashlib.sha256()
    for path in sorted(RULES_DIR.glob("*.toml")):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
