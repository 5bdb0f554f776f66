"""Template text in, formatted generated files out: the steps every generator shares, without
libcst (the experiment path assembles without it; see experiment/splice.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .resources import TEMPLATES_DIR


def template_source(name: str) -> str:
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")


def ruff_binary() -> str:
    """The pinned ruff next to this interpreter (falls back to PATH)."""
    candidate = Path(sys.executable).with_name("ruff")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ruff")
    if found is None:
        raise RuntimeError("ruff is not installed")
    return found


def format_tree(folder: Path) -> None:
    """Sort imports, drop unused ones (F401) and format every .py file under folder."""
    ruff = ruff_binary()
    config = str(Path(__file__).with_name("ruff_generated.toml"))
    subprocess.run(
        [ruff, "check", "--config", config, "--fix", "--quiet", "--select", "I,F401", str(folder)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [ruff, "format", "--config", config, "--quiet", str(folder)],
        check=True,
        capture_output=True,
    )
