"""Sync a user's Spotify library into EchoTune, resumably.

Each resource keeps a SyncState: paged resources store the next offset after
every page, recently played stores its `after` cursor, each playlist the
snapshot id last synced (an unchanged playlist is not read again). A sync
stopped by a RateLimited above the cap, a crash or Ctrl-C resumes there.

Saved and top tracks also become taste (feedback with source "spotify", see
`sync.taste`), so they shape recommendations like the listener's own saves.
When a sync stored new tracks or plays, `on_synced` runs (the wiring retrains
and re-indexes, so the new tracks can be recommended and weighed).

One user's syncs never overlap in this process: a second `sync_user` for the
same user (an API job while the background loop is at that user, say) waits
for the first to end, then resumes from the state it left, so it reads only
what changed. `is_syncing` lets the background loop skip such a user instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import structlog

from echotune.accounts.connections import SpotifyConnections
from echotune.accounts.spotify_errors import spotify_errors
from echotune.listening.models import Play
from echotune.spotify.client import SpotifyClient
from echotune.spotify.library import TimeRange
from echotune.spotify.models import PlayHistory
from echotune.spotify.transport import Priority
from echotune.storage.base import FeedbackRepo, ListeningRepo, SyncStateRepo, TrackRepo
from echotune.sync.progress import NullProgress, SyncProgress, SyncReport
from echotune.sync.resources import ResourceSync
from echotune.sync.taste import TasteSink
from echotune.sync.tracks import TrackSink

TIME_RANGES: tuple[TimeRange, ...] = ("short_term", "medium_term", "long_term")
OnSynced = Callable[[str], Awaitable[None]]

log = structlog.get_logger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class SyncService:
    def __init__(
        self,
        connections: SpotifyConnections,
        tracks: TrackRepo,
        listening: ListeningRepo,
        feedback: FeedbackRepo,
        states: SyncStateRepo,
        clock: Callable[[], datetime] = _now,
        *,
        on_synced: OnSynced | None = None,
    ) -> None:
        self._connections = connections
        self._tracks = tracks
        self._listening = listening
        self._feedback = feedback
        self._states = states
        self._clock = clock
        self._on_synced = on_synced
        # Per user: the lock and how many syncs hold or wait for it (dropped at 0).
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def is_syncing(self, user_id: str) -> bool:
        """Whether a sync of this user is running (or waiting) in this process."""
        return user_id in self._locks

    async def connected_users(self) -> list[str]:
        return await self._connections.connected_users()

    async def sync_user(
        self,
        user_id: str,
        progress: SyncProgress | None = None,
        priority: Priority = Priority.LOW,
    ) -> SyncReport:
        """Sync everything of one user. Spotify errors arrive as EchoTune errors.

        Waits while another sync of the same user runs in this process.
        """
        async with self._one_at_a_time(user_id):
            return await self._sync_user(user_id, progress, priority)

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, user_id: str) -> AsyncIterator[None]:
        lock, holders = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, holders + 1)
        try:
            async with lock:
                yield
        finally:
            _, holders = self._locks[user_id]
            if holders <= 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, holders - 1)

    async def _sync_user(
        self, user_id: str, progress: SyncProgress | None, priority: Priority
    ) -> SyncReport:
        client = await self._connections.client(user_id, priority)
        run = ResourceSync(client, user_id, self._states, TrackSink(self._tracks),
                           TasteSink(self._feedback, user_id, self._clock),
                           progress or NullProgress(), self._clock)  # fmt: skip
        try:
            async with spotify_errors():
                await run.profile()
                await run.saved_tracks()
                for time_range in TIME_RANGES:
                    await run.top_tracks(time_range)
                    await run.top_artists(time_range)
                await self._recently_played(run, client, user_id)
                await run.playlists()
        finally:
            # Also after a stopped sync: what it stored before stopping is kept.
            await self._after(run.report)
        return run.report

    async def _after(self, report: SyncReport) -> None:
        if self._on_synced is None or not (report.total("new_tracks") or report.total("plays")):
            return
        try:
            await self._on_synced(report.user_id)
        except Exception:
            # The library is stored and the report is true: a failing follow-up
            # (a retrain) is logged, not turned into a failed sync.
            log.exception("spotify.sync.on_synced_failed", user_id=report.user_id)

    async def _recently_played(self, run: ResourceSync, client: SpotifyClient, user_id: str) -> None:
        async def store(items: list[PlayHistory]) -> int:
            plays = [_play(user_id, item) for item in items if item.track is not None]
            await run.sink.add(client, [item.track for item in items])
            return await self._listening.add_many(plays)

        await run.recently_played(store)


def _play(user_id: str, item: PlayHistory) -> Play:
    track = item.track
    assert track is not None
    context = item.context_uri
    return Play(
        user_id=user_id,
        track_id=track.id,
        played_at=item.played_at,
        # Spotify lists a track here once it was played to its end (or near it).
        ms_played=track.duration_ms or 0,
        context=context[:200] if context else None,
        source="spotify",
    )
