"""Reading what the user hands hpogen (spec, insights, method files): one clear error each."""

from __future__ import annotations

from pathlib import Path

from .errors import HpogenError


def read_text(path: Path, what: str) -> str:
    """The text of a user's file; a missing or undecodable one is an HpogenError naming it."""
    if not path.is_file():
        raise HpogenError(f"{what} file not found: {path}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise HpogenError(f"{path}: {what} file is not UTF-8 text") from None


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
