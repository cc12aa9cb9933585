"""Small Rich tables shared by the import commands."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table


def counts_table(title: str, counts: Iterable[tuple[str, int]]) -> Table:
    """A two-column summary: what happened, and how many times."""
    table = Table(title=title)
    table.add_column("result")
    table.add_column("count", justify="right")
    for label, value in counts:
        table.add_row(label, f"{value:,}")
    return table
