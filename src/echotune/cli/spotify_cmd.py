"""`echotune spotify sync|status`: the Spotify library sync from the terminal."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from echotune.cli.runtime import run_with_services
from echotune.errors import NotFound
from echotune.spotify.transport import Priority
from echotune.sync.progress import SyncReport
from echotune.wiring import Services

spotify_app = typer.Typer(help="Spotify: sync connected accounts, show their status.")
err = Console(stderr=True)


class BarProgress:
    """One Rich progress line per resource being synced."""

    def __init__(self, progress: Progress, user: str) -> None:
        self._progress = progress
        self._user = user
        self._tasks: dict[str, TaskID] = {}

    def resource(self, name: str, total: int | None) -> None:
        self._tasks[name] = self._progress.add_task(f"{self._user} {name}", total=total)

    def advance(self, name: str, items: int) -> None:
        task = self._tasks.get(name)
        if task is not None:
            self._progress.advance(task, items)


async def _user_ids(services: Services, user: str | None) -> list[tuple[str, str]]:
    if user is None:
        ids = await services.sync.connected_users()
        names = {u.id: u.name for u in await services.users.list_users()}
        return [(i, names.get(i, i)) for i in ids]
    found = await services.storage.users.get_by_name(user)
    if found is None:
        raise NotFound(f"No user named '{user}'")
    return [(found.id, found.name)]


@spotify_app.command("sync")
def sync(
    user: str | None = typer.Option(None, "--user", help="One user; default every connected one"),
) -> None:
    """Sync Spotify libraries (profile, saved and top tracks, recently played, playlists).
    Resumes where a stopped sync left off; stops at once if Spotify asks for a long wait."""

    async def go(services: Services) -> list[tuple[str, SyncReport]]:
        reports: list[tuple[str, SyncReport]] = []
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=err) as progress:
            for user_id, name in await _user_ids(services, user):
                report = await services.sync.sync_user(
                    user_id, BarProgress(progress, name), priority=Priority.HIGH
                )
                reports.append((name, report))
        return reports

    reports = run_with_services(go)
    if not reports:
        err.print("No connected Spotify accounts: log in at /auth/login first.")
        return
    table = Table("user", "resource", "items", "new tracks", "plays", "taste +/-")
    for name, report in reports:
        for resource, r in report.resources.items():
            taste = f"+{r.taste} / -{r.taste_removed}" if r.taste or r.taste_removed else ""
            table.add_row(
                name, resource, str(r.items), str(r.new_tracks), str(r.plays), taste
            )
    Console().print(table)


@spotify_app.command("status")
def status() -> None:
    """Which users have a Spotify account connected."""

    async def go(services: Services) -> list[tuple[str, str, str, str]]:
        rows = []
        for u in await services.users.list_users():
            st = await services.connections.status(u.id)
            if st.spotify_user_id is not None:
                rows.append((u.name, st.spotify_user_id, "connected" if st.connected
                             else "disconnected", st.detail or ""))  # fmt: skip
        return rows

    table = Table("user", "spotify id", "status", "detail")
    for row in run_with_services(go):
        table.add_row(*row)
    Console().print(table)
