"""Run the rules over a folder: choose the mode, apply the package's own rule settings and inline
suppressions, and turn the findings into the verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import HpogenError
from .package import MODES, ReviewedPackage
from .registry import all_rules, matches
from .rule import Finding, Rule

SELECTOR = re.compile(r"^(ALL|HPG\d{0,3})$")
SUPPRESSION = re.compile(r"#\s*hpogen:\s*ignore\[([A-Z0-9,\s]+)\]")
SUMMARY_RULES = 12  # base_code_issue names this many rules' problems, then counts the rest


@dataclass(frozen=True)
class Selection:
    """Which rules run: select, minus ignore (codes, prefixes such as HPG2, or ALL)."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()

    def enabled(self, code: str) -> bool:
        return matches(code, list(self.select)) and not matches(code, list(self.ignore))


@dataclass(frozen=True)
class Report:
    root: Path
    mode: str
    findings: tuple[Finding, ...]
    suppressed: int

    @property
    def ready(self) -> bool:
        return not self.findings

    def verdict(self) -> dict[str, object]:
        return {"is_base_code_ready": self.ready, "base_code_issue": summarise(self.findings)}


def parse_selectors(text: str | None, option: str) -> tuple[str, ...] | None:
    """--select/--ignore's comma list, refusing a code no rule has."""
    if text is None:
        return None
    selectors = tuple(s.strip().upper() for s in text.split(",") if s.strip())
    for selector in selectors:
        if not SELECTOR.match(selector) or not any(r.code.startswith(selector) or selector == "ALL" for r in all_rules()):
            raise HpogenError(f"{option}: no rule has the code {selector!r} (see hpogen review --list)")
    return selectors


def review(root: Path, mode: str | None = None, base: Path | None = None,
           select: tuple[str, ...] | None = None, ignore: tuple[str, ...] | None = None,
           rules: list[type[Rule]] | None = None) -> Report:
    """Review the folder root; rules default to every rule the selection enables."""
    if not root.is_dir():
        raise HpogenError(f"not a folder: {root}")
    if mode is not None and mode not in MODES:
        raise HpogenError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    if base is not None and not base.is_dir():
        raise HpogenError(f"--base: not a folder: {base}")
    base_package = ReviewedPackage.open(base, "base") if base is not None else None
    package = ReviewedPackage.open(root, mode, base_package)
    selection = package_selection(package, select, ignore)
    chosen = rules if rules is not None else [r for r in all_rules() if selection.enabled(r.code)]
    findings: set[Finding] = set()
    for rule in chosen:
        if package.mode in rule.modes:
            findings |= set(run_rule(rule, package))
    kept = sorted(f for f in findings if not suppressed(package, f))
    return Report(root, package.mode, tuple(kept), len(findings) - len(kept))


def run_rule(rule: type[Rule], package: ReviewedPackage) -> list[Finding]:
    """A rule's findings; a rule that fails on strange input reports that instead of crashing."""
    try:
        return list(rule().check(package))
    except Exception as exc:  # noqa: BLE001 - one rule's bug must not hide every other finding
        return [Finding("HPG000", ".", 1, 1, f"rule {rule.code} could not finish: {type(exc).__name__}: {exc}",
                        "reviewer-error", "report this as an hpogen bug")]


def package_selection(package: ReviewedPackage, select, ignore) -> Selection:
    """[tool.hpogen.review] select / ignore of the reviewed pyproject.toml, then the flags:
    --select replaces the package's select, --ignore adds to its ignore (as ruff does)."""
    settings = {}
    pyproject = package.file("pyproject.toml")
    if pyproject is not None and isinstance(pyproject.toml, dict):
        found = pyproject.toml
        for key in ("tool", "hpogen", "review"):  # any level may be something other than a table
            found = found.get(key, {}) if isinstance(found, dict) else {}
        settings = found if isinstance(found, dict) else {}
    own_select, own_ignore = _codes(settings.get("select")), _codes(settings.get("ignore"))
    return Selection(select or own_select or ("ALL",), (*own_ignore, *(ignore or ())))


def _codes(value) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip().upper() for v in value if isinstance(v, str) and SELECTOR.match(v.strip().upper()))


def suppressed(package: ReviewedPackage, finding: Finding) -> bool:
    """Whether the finding's line carries `# hpogen: ignore[CODE]` for its code."""
    source = package.file(finding.path)
    if source is None or source.text is None:
        return False
    found = SUPPRESSION.search(source.line(finding.row))
    return bool(found) and finding.code in {c.strip() for c in found.group(1).split(",")}


def summarise(findings: tuple[Finding, ...]) -> str:
    """The findings in plain language, most serious first: one sentence per rule."""
    if not findings:
        return ""
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    sentences = []
    for group in list(by_code.values())[:SUMMARY_RULES]:
        first = group[0]
        more = f" (and {len(group) - 1} more like it)" if len(group) > 1 else ""
        where = "" if first.message.startswith(first.path) else f"{first.path}:{first.row}: "
        sentences.append(f"{where}{first.message}{more}; fix: {first.fix_title}")
    rest = sum(len(g) for g in list(by_code.values())[SUMMARY_RULES:])
    if rest:
        sentences.append(f"and {rest} more finding(s) of other rules")
    count = len(findings)
    return f"{count} problem{'s' if count != 1 else ''}. " + ". ".join(sentences) + "."
