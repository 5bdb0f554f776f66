"""Shared helpers of the review tests: known-good packages of each mode, with files laid over."""

from __future__ import annotations

import shutil
from pathlib import Path

from hpogen.review.engine import Report, review
from hpogen.review.rule import Example, Rule

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "golden"
# the known-good folder each mode's examples are laid over
GOOD = {
    "base": GOLDEN / "experiment" / "ohgw" / "expected" / "base",
    "derived": GOLDEN / "experiment" / "ohgw" / "expected" / "derived",
    "train": GOLDEN / "bundle" / "digits" / "expected",
}


def lay_over(source: Path, target: Path, files: dict[str, str | bytes | None]) -> Path:
    """A copy of source at target with files replaced, added (str or bytes) or deleted (None)."""
    shutil.copytree(source, target)
    for relative, content in files.items():
        path = target / relative
        if content is None:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return target


def review_example(rule: type[Rule], example: Example, work: Path) -> Report:
    """Only rule's findings on the mode's good package with the example's files laid over."""
    folder = lay_over(GOOD[example.mode], work / "package", example.files)
    base = None
    if example.mode == "derived":
        base = lay_over(GOOD["base"], work / "base", example.base)
    return review(folder, example.mode, base, rules=[rule])
