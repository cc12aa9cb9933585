"""Rich tables and the byte progress bar shared by the import commands."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table


def byte_progress(label: str, console: Console) -> Progress:
    """A transient bar over bytes read, with speed and time remaining."""
    return Progress(
        TextColumn(f"[bold]importing[/bold] {label}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def counts_table(title: str, counts: Iterable[tuple[str, int]]) -> Table:
    """A two-column summary: what happened, and how many times."""
    table = Table(title=title)
    table.add_column("result")
    table.add_column("count", justify="right")
    for label, value in counts:
        table.add_row(label, f"{value:,}")
    return table
