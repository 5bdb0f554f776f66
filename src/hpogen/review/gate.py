"""The review as a gate: `hpogen basecode` and `derive` refuse to finish a package with findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import HpogenError
from .engine import review
from .rule import Finding

SHOWN = 3  # findings named in the error line


def require_ready(folder: Path, mode: str, base: Path | None = None,
                  allowed: Callable[[Finding], bool] | None = None) -> None:
    """Raise HpogenError naming the first findings when the package at folder is not ready;
    `allowed` findings (a placeholder hpogen left on purpose, and said so) pass."""
    report = review(folder, mode, base)
    findings = [f for f in report.findings if allowed is None or not allowed(f)]
    if not findings:
        return
    shown = "; ".join(f"{f.path}:{f.row}: {f.code} {f.message}" for f in findings[:SHOWN])
    more = f" (and {len(findings) - SHOWN} more)" if len(findings) > SHOWN else ""
    raise HpogenError(f"the {mode} package fails its review, so nothing was written: {shown}{more}"
                      " (--no-review writes it anyway)")
