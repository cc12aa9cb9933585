"""`echotune import history FILE... --user NAME`: import a Spotify streaming history.

`import_history` is added to the `import` group by `echotune.cli.main`.
Exit codes: 0 every file imported (a second run of the same files too, with
no new plays); 1 a file could not be imported (the others still are, and the
failures are listed) or storage refused; 2 usage errors such as a file that
does not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from echotune.cli.runtime import run_with_services
from echotune.cli.tables import byte_progress, counts_table, train_table
from echotune.listening.history_import import HistoryFile
from echotune.listening.import_report import HistoryImportReport
from echotune.recommend.personal.store import TrainReport
from echotune.wiring import Services

console = Console()

Files = Annotated[
    list[Path],
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        help="Spotify export files: Streaming_History_Audio_*.json, "
        "Streaming_History_Video_*.json or endsong_*.json",
    ),
]
UserName = Annotated[str, typer.Option("--user", help="Whose history it is (created if new)")]
Train = Annotated[
    bool,
    typer.Option(
        "--train/--no-train",
        help="Retrain the collaborative model when plays were added (a running server picks it up)",
    ),
]


async def _import(services: Services, files: list[Path], user_name: str) -> HistoryImportReport:
    user, _ = await services.users.create_user(user_name)
    sources = [HistoryFile.from_path(p) for p in files]
    with byte_progress("listening history", console) as bar:
        task = bar.add_task("history", total=sum(s.size or 0 for s in sources))
        return await services.history.import_files(
            user.id, sources, progress=lambda done: bar.update(task, completed=done)
        )


def _summary(report: HistoryImportReport) -> Table:
    skipped = report.skipped
    return counts_table(
        "Listening history import",
        (
            ("files imported", report.files_imported),
            ("files failed", len(report.failed)),
            ("records read", report.records_read),
            ("plays new", report.plays_new),
            ("duplicates", report.duplicates),
            ("skipped podcast", skipped.podcast),
            ("skipped audiobook", skipped.audiobook),
            ("skipped video", skipped.video),
            ("skipped no track", skipped.no_track),
            ("tracks added to catalog", report.tracks_added),
        ),
    )


def _failures(report: HistoryImportReport) -> Table:
    table = Table(title="Files not imported (nothing of them was stored)")
    table.add_column("file")
    table.add_column("problem")
    for failed in report.failed:
        # Reasons may quote the file's own text, which must not be read as markup.
        table.add_row(escape(failed.file), escape(failed.describe()))
    return table


def import_history(files: Files, user: UserName, train: Train = True) -> None:
    """Import Spotify streaming-history files for a user; re-running adds nothing.
    New plays retrain the collaborative model, as an import through the API does."""

    async def go(services: Services) -> tuple[HistoryImportReport, TrainReport | None]:
        report = await _import(services, files, user)
        if not (train and report.plays_new):
            return report, None
        # The import started the retrain, in the background as on the server;
        # here it is waited for (closing the services would cancel it).
        with console.status("training the collaborative model..."):
            return report, await services.models.wait()

    report, trained = run_with_services(go)
    console.print(_summary(report))
    if trained is not None:
        console.print(train_table(trained))
    elif train and report.plays_new:
        console.print(
            "[yellow]the model was not retrained (see the log); run echotune train[/yellow]"
        )
    if report.failed:
        console.print(_failures(report))
        raise typer.Exit(1)
