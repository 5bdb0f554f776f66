"""Tables printed for people (`--explain`): rich is imported only when one is printed."""

from __future__ import annotations

import sys
from collections.abc import Iterable


def print_table(title: str, columns: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*row)
    Console(file=sys.stdout, width=200).print(table)
