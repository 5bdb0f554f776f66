"""`--explain`: every decision of a bundle as a table (decision | value | rule | reason)."""

from __future__ import annotations

import sys

from ..decide.decisions import Decisions


def print_explain_table(decisions: Decisions) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("decision", "value", "rule", "reason", title=f"hpogen decisions for {decisions.spec.name}")
    for row in decisions.explain_rows():
        table.add_row(*row)
    Console(file=sys.stdout, width=200).print(table)
