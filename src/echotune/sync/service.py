"""Sync a user's Spotify library into EchoTune, resumably.

Each resource keeps a SyncState: paged resources store the next offset after
every page, recently played stores its `after` cursor, each playlist the
snapshot id last synced (an unchanged playlist is not read again). A sync
stopped by a RateLimited above the cap, a crash or Ctrl-C resumes there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from echotune.accounts.connections import SpotifyConnections
from echotune.accounts.spotify_errors import spotify_errors
from echotune.listening.models import Play
from echotune.spotify.client import SpotifyClient
from echotune.spotify.library import TimeRange
from echotune.spotify.models import PlayHistory
from echotune.spotify.transport import Priority
from echotune.storage.base import ListeningRepo, SyncStateRepo, TrackRepo
from echotune.sync.progress import NullProgress, SyncProgress, SyncReport
from echotune.sync.resources import ResourceSync
from echotune.sync.tracks import TrackSink

TIME_RANGES: tuple[TimeRange, ...] = ("short_term", "medium_term", "long_term")


def _now() -> datetime:
    return datetime.now(UTC)


class SyncService:
    def __init__(
        self,
        connections: SpotifyConnections,
        tracks: TrackRepo,
        listening: ListeningRepo,
        states: SyncStateRepo,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._connections = connections
        self._tracks = tracks
        self._listening = listening
        self._states = states
        self._clock = clock

    async def connected_users(self) -> list[str]:
        return await self._connections.connected_users()

    async def sync_user(
        self,
        user_id: str,
        progress: SyncProgress | None = None,
        priority: Priority = Priority.LOW,
    ) -> SyncReport:
        """Sync everything of one user. Spotify errors arrive as EchoTune errors."""
        client = await self._connections.client(user_id, priority)
        run = ResourceSync(client, user_id, self._states, TrackSink(self._tracks),
                           progress or NullProgress(), self._clock)
        async with spotify_errors():
            await run.profile()
            await run.saved_tracks()
            for time_range in TIME_RANGES:
                await run.top_tracks(time_range)
                await run.top_artists(time_range)
            await self._recently_played(run, client, user_id)
            await run.playlists()
        return run.report

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
