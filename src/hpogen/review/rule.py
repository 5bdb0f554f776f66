"""What every review rule is: a permanent code, a kebab-case name, a message, a fix title, docs in
four sections (the class docstring) and VALID / INVALID examples its tests are generated from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from .package import ReviewedPackage

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
# the families of codes, most serious first: base_code_issue lists findings in this order
CATEGORIES = {
    "HPG0": "unreadable or unparseable files",
    "HPG1": "package structure",
    "HPG2": "packaging and configs",
    "HPG3": "command line",
    "HPG4": "placeholders and unfinished code",
    "HPG5": "missing core logic",
    "HPG6": "framework",
    "HPG7": "premature specialisation",
    "HPG8": "derived package against its base",
    "HPG9": "train function",
}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place; ordered by code family (most serious first), then place."""

    code: str
    path: str
    row: int
    col: int
    message: str
    name: str = field(compare=False)
    fix_title: str = field(compare=False)


@dataclass(frozen=True)
class Example:
    """Files laid over a known-good package of the mode (None deletes a file).

    `base` does the same to the base package a derived one is reviewed against.
    """

    files: dict[str, str | bytes | None]
    mode: str = "base"
    base: dict[str, str | bytes | None] = field(default_factory=dict)


class Rule:
    """Subclasses set the class attributes and implement check()."""

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]  # the problem, with {fields} filled per finding
    fix_title: ClassVar[str]  # the remedy
    modes: ClassVar[frozenset[str]] = frozenset({"base", "derived"})
    VALID: ClassVar[list[Example]] = []
    INVALID: ClassVar[list[Example]] = []

    def check(self, package: ReviewedPackage) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, path: str, row: int = 1, col: int = 1, /, **fields: object) -> Finding:
        return Finding(self.code, path, max(1, row), max(1, col), self.message.format(**fields),
                       self.name, self.fix_title)

    def at(self, path: str, node, /, **fields: object) -> Finding:
        """A finding at an AST node's position."""
        return self.finding(path, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1, **fields)

    @classmethod
    def docs(cls) -> str:
        return _dedent(cls.__doc__ or "")

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """The docstring's '## Section' parts by title."""
        parts = re.split(r"^## (.+)$", cls.docs(), flags=re.M)
        return {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=False)}

    @classmethod
    def category(cls) -> str:
        return CATEGORIES[cls.code[:4]]


def _dedent(text: str) -> str:
    import textwrap

    first, _, rest = text.partition("\n")
    return (first.strip() + "\n" + textwrap.dedent(rest)).strip()
