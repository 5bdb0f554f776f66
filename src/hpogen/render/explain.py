"""`--explain`: every decision of a bundle as a table (decision | value | rule | reason)."""

from __future__ import annotations

from ..console import print_table
from ..decide.decisions import Decisions


def print_explain_table(decisions: Decisions) -> None:
    print_table(f"hpogen decisions for {decisions.spec.name}", ("decision", "value", "rule", "reason"),
                decisions.explain_rows())
