"""`echotune export plays FILE`: everyone's plays as the file `echotune eval` reads.

The rows are what training learns from (`ModelStore.pairs`): one per listener
and track with listened-through plays minus skips > 0, as `user item weight`
(user ids, track ids). With it, tuning runs on the service's own listening:

    echotune export plays plays.tsv.gz
    echotune eval --interactions plays.tsv.gz --json > eval.json
    echotune train --params eval.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from echotune.cli.runtime import run_with_services
from echotune.cli.tables import counts_table
from echotune.recommend.cf.files import interaction_writer
from echotune.wiring import Services

export_app = typer.Typer(help="Export data.", no_args_is_help=True)
console = Console()


@export_app.command("plays")
def export_plays(
    path: Annotated[
        Path,
        typer.Argument(dir_okay=False, help="File to write (.tsv, or .tsv.gz to gzip it)"),
    ],
) -> None:
    """Write every listener's plays as `user item weight` rows for `echotune eval`;
    the file is written whole or not at all."""

    async def go(services: Services) -> tuple[int, int, int]:
        users = 0
        last_user: str | None = None
        tracks: set[str] = set()
        with console.status("exporting plays...") as status, interaction_writer(path) as write:
            async for batch in services.models.pairs():
                for user, track, weight in batch:
                    write(user, track, weight)
                    tracks.add(track)
                    if user != last_user:  # pairs come in user order
                        users, last_user = users + 1, user
                status.update(f"exporting plays... {write.rows:,} rows")
            return write.rows, users, len(tracks)

    rows, users, tracks = run_with_services(go)
    console.print(
        counts_table("Plays exported", (("rows", rows), ("listeners", users), ("tracks", tracks)))
    )
    console.print(f"written to {escape(str(path))}")
