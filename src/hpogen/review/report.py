"""The review's output: text (`path:row:col: CODE message`), JSON with ruff's field names, or
SARIF 2.1.0 for code-scanning services. Each carries the verdict.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .. import __version__
from .engine import Report
from .registry import all_rules, rule_by_code
from .rule import Finding

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(report: Report, fmt: str, shown_root: Path) -> str:
    """The report in fmt; paths are shown under shown_root (the folder as the user named it)."""
    if fmt == "json":
        return json.dumps({**report.verdict(), "mode": report.mode,
                           "findings": [ruff_fields(f, shown_root) for f in report.findings]}, indent=2)
    if fmt == "sarif":
        return json.dumps(sarif(report, shown_root), indent=2)
    lines = []
    for finding in report.findings:
        lines.append(f"{_shown(shown_root, finding.path)}:{finding.row}:{finding.col}: {finding.code} {finding.message}")
        lines.append(f"  help: {finding.fix_title} ({finding.name})")
    count = len(report.findings)
    lines.append(f"{count} finding{'s' if count != 1 else ''} ({report.mode} mode"
                 + (f", {report.suppressed} suppressed)" if report.suppressed else ")"))
    lines.append(json.dumps(report.verdict()))
    return "\n".join(lines)


def ruff_fields(finding: Finding, shown_root: Path) -> dict[str, object]:
    """One finding as ruff's --output-format json writes one diagnostic (plus our rule name)."""
    return {
        "cell": None,
        "code": finding.code,
        "end_location": {"column": finding.col, "row": finding.row},
        # absolute, links not followed: a link out of the package is named as the link
        "filename": os.path.abspath(shown_root / finding.path if finding.path != "." else shown_root),
        "fix": {"applicability": "display-only", "edits": [], "message": finding.fix_title},
        "location": {"column": finding.col, "row": finding.row},
        "message": finding.message,
        "name": finding.name,
        "noqa_row": finding.row,
        "url": None,
    }


def sarif(report: Report, shown_root: Path) -> dict[str, object]:
    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    descriptors = [{
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.doc_sections().get("What it does", rule.name).split("\n")[0]},
        "fullDescription": {"text": rule.doc_sections().get("Why is this bad?", rule.name)},
        "help": {"text": rule.fix_title, "markdown": rule.docs()},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": [rule.category()]},
    } for rule in rules]
    results = []
    for finding in report.findings:
        result = {
            "ruleId": finding.code,
            "level": "error",
            "message": {"text": f"{finding.message} Fix: {finding.fix_title}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _shown(shown_root, finding.path)},
                "region": {"startLine": finding.row, "startColumn": finding.col},
            }}],
        }
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "hpogen-review", "version": __version__,
                                "informationUri": "https://pypi.org/project/hpogen/", "rules": descriptors}},
            "results": results,
            "properties": {**report.verdict(), "mode": report.mode},
        }],
    }


def explain(code: str) -> str | None:
    """A rule's documentation for `--explain`, or None for an unknown code."""
    rule = rule_by_code(code)
    if rule is None:
        return None
    modes = ", ".join(m for m in ("base", "derived", "train") if m in rule.modes)
    return (f"# {rule.name} ({rule.code})\n\nCategory: {rule.category()}. Modes: {modes}.\n"
            f"Message: {rule.message}\nFix: {rule.fix_title}\n\n{rule.docs()}\n")


def rule_list() -> str:
    return "\n".join(f"{rule.code}  {rule.name:<32} {rule.category()}" for rule in all_rules())


def _shown(shown_root: Path, relative: str) -> str:
    return shown_root.as_posix() if relative == "." else (shown_root / relative).as_posix()
