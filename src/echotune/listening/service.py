"""HistoryService: a listener's plays and feedback, and the import of their Spotify history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import structlog

from echotune.catalog.models import Track
from echotune.catalog.service import check_id
from echotune.errors import InvalidInput, NotFound
from echotune.listening.history_import import HistoryFile, HistoryImporter, ProgressFn
from echotune.listening.import_report import HistoryImportReport
from echotune.listening.models import SKIP_THRESHOLD_MS, Feedback, Play
from echotune.listening.views import (
    FeedbackList,
    FeedbackView,
    HistoryPage,
    NewFeedback,
    NewPlay,
    PlayView,
)
from echotune.storage.base import FeedbackRepo, ListeningRepo, TrackRepo
from echotune.users.models import User

log = structlog.get_logger(__name__)

# Called with the user id after an import stored new plays (e.g. to retrain).
OnImported = Callable[[str], Awaitable[None]]
API_SOURCE = "api"
# A client's clock may run a little ahead of ours; further ahead is a bug.
_CLOCK_SKEW = timedelta(minutes=5)
_MS = timedelta(milliseconds=1)


def utc_ms(value: datetime) -> datetime:
    """`value` in UTC (naive means UTC), cut to the millisecond storage keeps."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def cut_page(plays: list[Play], limit: int) -> tuple[list[Play], datetime | None]:
    """At most `limit` of `plays` (fetched with one extra) and the `before` of the next page.

    Pages go "strictly before" a time, so a page must not end inside a run of
    plays sharing one millisecond: the rest of the run would be skipped. Such
    a run moves whole to the next page, unless it fills the page by itself.
    """
    if len(plays) <= limit:
        return plays, None
    page, last = plays[:limit], plays[limit - 1].played_at
    if plays[limit].played_at != last:
        return page, last
    kept = [p for p in page if p.played_at != last]
    return (kept, last + _MS) if kept else (page, last)


def _view(play: Play, track: Track | None) -> PlayView:
    return PlayView(
        track_id=play.track_id,
        track_name=track.name if track else None,
        artist_name=track.artist_name if track else None,
        album_name=track.album_name if track else None,
        played_at=play.played_at,
        ms_played=play.ms_played,
        skipped=play.skipped,
        context=play.context,
        source=play.source,
    )


class HistoryService:
    def __init__(
        self,
        listening: ListeningRepo,
        feedback: FeedbackRepo,
        tracks: TrackRepo,
        *,
        on_imported: OnImported | None = None,
        import_batch_size: int = 5000,
    ) -> None:
        self._listening = listening
        self._feedback = feedback
        self._tracks = tracks
        self._on_imported = on_imported
        self._importer = HistoryImporter(listening, tracks, batch_size=import_batch_size)

    async def import_files(
        self, user_id: str, files: Sequence[HistoryFile], progress: ProgressFn | None = None
    ) -> HistoryImportReport:
        """Import Spotify export files for the user; see `history_import`."""
        report = await self._importer.run(user_id, files, progress)
        if report.plays_new and self._on_imported is not None:
            try:
                await self._on_imported(user_id)
            except Exception:
                # The plays are stored and the report is true: a failing
                # follow-up (a retrain) is logged, not turned into a failed import.
                log.exception("history.on_imported_failed", user_id=user_id)
        return report

    async def record_play(self, user: User, new: NewPlay) -> tuple[PlayView, bool]:
        """Store one play; returns it as stored and whether it was new."""
        track = await self._track(new.track_id)
        now = datetime.now(UTC)
        played_at = utc_ms(new.played_at or now)
        if played_at > now + _CLOCK_SKEW:
            raise InvalidInput("played_at is in the future")
        play = Play(
            user_id=user.id,
            track_id=track.id,
            played_at=played_at,
            ms_played=new.ms_played,
            skipped=new.ms_played < SKIP_THRESHOLD_MS,
            context=new.context,
            source=API_SOURCE,
            genre=track.genre,
        )
        if await self._listening.add_many([play]) == 1:
            return _view(play, track), True
        return _view(await self._stored(play), track), False

    async def _stored(self, play: Play) -> Play:
        """The stored play that `play` repeats (its values may differ from the repeat's)."""
        same_time = await self._listening.page(play.user_id, play.played_at + _MS, 100)
        found = [p for p in same_time if p.played_at == play.played_at]
        return next((p for p in found if p.track_id == play.track_id), play)

    async def history(
        self, user: User, before: datetime | None, limit: int, url: str
    ) -> HistoryPage:
        """The user's plays newest first; `url` is this endpoint's, for the next link."""
        plays, next_before = cut_page(await self._listening.page(user.id, before, limit + 1), limit)
        ids = list(dict.fromkeys(p.track_id for p in plays))
        tracks = {t.id: t for t in await self._tracks.get_many(ids)}
        next_url = None
        if next_before is not None:
            query = {"limit": limit, "before": next_before.isoformat(timespec="milliseconds")}
            next_url = f"{url}?{urlencode(query)}"
        return HistoryPage(items=[_view(p, tracks.get(p.track_id)) for p in plays], next=next_url)

    async def add_feedback(self, user: User, new: NewFeedback) -> FeedbackView:
        track = await self._track(new.track_id)
        feedback = Feedback(
            user_id=user.id, track_id=track.id, kind=new.kind, at=utc_ms(datetime.now(UTC))
        )
        await self._feedback.add(feedback)
        return FeedbackView(track_id=feedback.track_id, kind=feedback.kind, at=feedback.at)

    async def feedback(self, user: User, limit: int) -> FeedbackList:
        events = await self._feedback.list_for(user.id, limit)
        return FeedbackList(
            items=[
                FeedbackView(track_id=f.track_id, kind=f.kind, at=f.at, source=f.source)
                for f in events
            ]
        )

    async def _track(self, track_id: str) -> Track:
        found = await self._tracks.get_many([check_id(track_id)])
        if not found:
            raise NotFound(f"Unknown track id '{track_id}': it is not in the catalog")
        return found[0]
