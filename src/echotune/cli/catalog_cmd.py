"""`echotune import catalog FILE`: load a catalog CSV into storage.

`import_app` is mounted as the `import` group by `echotune.cli.main`.
Exit codes: 0 done (skipped rows included), 1 the file or storage was
refused (bad header, unreadable bytes, storage error; message, no
traceback), 2 usage errors such as a file that does not exist.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from echotune.catalog.csv_import import ImportReport, import_catalog_csv
from echotune.cli.runtime import err_console, load_settings
from echotune.cli.tables import byte_progress, counts_table
from echotune.errors import EchotuneError
from echotune.settings import Settings
from echotune.storage.factory import open_storage

import_app = typer.Typer(help="Import data (catalog CSV, listening history).", no_args_is_help=True)
console = Console()
# The summary lists this many skipped rows; the report itself keeps up to 1000.
SHOWN_SKIPPED = 20


async def _import(settings: Settings, file: Path, batch_size: int) -> ImportReport:
    storage = await open_storage(settings)
    try:
        with byte_progress("{task.description}", console) as bar:
            # Bytes of the file on disk, so a .gz file's bar fills by compressed bytes.
            task = bar.add_task(escape(file.name), total=file.stat().st_size)
            return await import_catalog_csv(
                file,
                storage.tracks,
                batch_size=batch_size,
                progress=lambda done: bar.update(task, completed=done),
            )
    finally:
        await storage.close()


def _summary(report: ImportReport) -> Table:
    return counts_table(
        "Catalog import",
        (
            ("rows read", report.rows_read),
            ("inserted", report.inserted),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
            ("duplicates", report.duplicates),
            ("skipped", report.skipped),
        ),
    )


def _skipped(report: ImportReport) -> Table:
    shown = report.skipped_rows[:SHOWN_SKIPPED]
    more = report.skipped - len(shown)
    caption = f"{more:,} more skipped rows not shown" if more > 0 else None
    table = Table(title="Skipped rows", caption=caption)
    table.add_column("line", justify="right")
    table.add_column("reason")
    for row in shown:
        # Reasons quote the file's own text, which must not be read as Rich markup.
        table.add_row(str(row.line), escape(row.reason))
    return table


@import_app.command("catalog")
def catalog(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="Catalog CSV (.csv, .csv.gz, .xz)"
        ),
    ],
    batch_size: Annotated[int, typer.Option(min=1, help="Tracks written per atomic batch")] = 2000,
) -> None:
    """Import a catalog CSV (TidyTuesday Spotify Songs columns); re-running changes nothing."""
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        report = asyncio.run(_import(settings, file, batch_size))
    except EchotuneError as exc:
        err_console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from None
    console.print(_summary(report))
    if report.skipped:
        console.print(_skipped(report))
