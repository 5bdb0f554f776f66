"""`hpogen review`: the options checked, the review run, the report printed; the exit code."""

from __future__ import annotations

from pathlib import Path

from ..errors import HpogenError
from .engine import parse_selectors, review
from .report import FORMATS, explain, render, rule_list


def review_command(folder: Path | None, mode: str | None, base: Path | None, output_format: str,
                   select: str | None, ignore: str | None, explain_code: str | None, list_rules: bool) -> int:
    """0 when the folder is ready, 1 when it has findings (usage errors raise HpogenError)."""
    if explain_code is not None:
        text = explain(explain_code)
        if text is None:
            raise HpogenError(f"--explain: no rule has the code {explain_code!r} (see hpogen review --list)")
        print(text, end="")
        return 0
    if list_rules:
        print(rule_list())
        return 0
    if folder is None:
        raise HpogenError("name the folder to review: hpogen review DIR")
    if output_format not in FORMATS:
        raise HpogenError(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    report = review(folder, mode, base, parse_selectors(select, "--select"), parse_selectors(ignore, "--ignore"))
    text = render(report, output_format, folder)
    # a file name that is not UTF-8 reaches the text as surrogates: show its bytes as \xNN
    print(text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
    return 0 if report.ready else 1
