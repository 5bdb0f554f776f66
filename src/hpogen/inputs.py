"""Reading what the user hands hpogen (spec, insights, method files): one clear error each."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import HpogenError


def reads_stdin(path: Path | None) -> bool:
    return path is not None and str(path) == "-"


def read_text(path: Path, what: str) -> str:
    """The text of a user's file ('-': standard input); a missing or undecodable one is an HpogenError naming it."""
    if reads_stdin(path):
        if sys.stdin is None or sys.stdin.isatty():
            raise HpogenError(f"{what} from '-' needs standard input piped in (e.g. cat FILE | hpogen ...)")
        try:
            return sys.stdin.read()
        except UnicodeDecodeError:
            raise HpogenError(f"{what} on standard input is not UTF-8 text") from None
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
