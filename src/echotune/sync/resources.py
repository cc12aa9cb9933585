"""One sync run over a user's resources, each resumable from its SyncState."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime

from echotune.accounts.models import SyncState
from echotune.spotify.client import SpotifyClient
from echotune.spotify.library import TimeRange
from echotune.spotify.models import PlayHistory, SimplifiedPlaylist
from echotune.storage.base import SyncStateRepo
from echotune.sync.progress import SyncProgress, SyncReport
from echotune.sync.taste import TasteSink
from echotune.sync.tracks import TrackSink


class ResourceSync:
    def __init__(
        self,
        client: SpotifyClient,
        user_id: str,
        states: SyncStateRepo,
        sink: TrackSink,
        taste: TasteSink,
        progress: SyncProgress,
        clock: Callable[[], datetime],
    ) -> None:
        self.client = client
        self.user_id = user_id
        self.sink = sink
        self.taste = taste
        self.report = SyncReport(user_id=user_id)
        self._states = states
        self._progress = progress
        self._clock = clock

    async def _offset(self, resource: str) -> int:
        """Where a paged resource resumes: its saved offset, or 0 after a finished pass."""
        state = await self._states.get(self.user_id, resource)
        if state is None or state.done or not state.cursor:
            return 0
        return int(json.loads(state.cursor).get("offset", 0))

    async def _put(self, resource: str, cursor: dict[str, object] | None, done: bool) -> None:
        await self._states.put(
            SyncState(
                user_id=self.user_id,
                resource=resource,
                cursor=json.dumps(cursor) if cursor is not None else None,
                done=done,
                updated_at=self._clock(),
            )
        )

    async def profile(self) -> None:
        me = await self.client.me()
        self._progress.resource("profile", 1)
        self.report.of("profile").items = 1
        self._progress.advance("profile", 1)
        await self._put("profile", {"id": me.id}, True)

    async def saved_tracks(self) -> None:
        """Tracks and saves, page by page; after a pass from the start, the saves
        of tracks unsaved since are removed (a resumed pass saw only part)."""
        name = "saved_tracks"
        offset = await self._offset(name)
        report = self.report.of(name)
        self._progress.resource(name, None)
        seen: set[str] | None = set() if offset == 0 else None
        async for page in self.client.saved_tracks(offset=offset):
            report.new_tracks += await self.sink.add(self.client, [s.track for s in page])
            report.taste += await self.taste.saved(page)
            if seen is not None:
                seen.update(s.track.id for s in page)
            offset += len(page)
            report.items += len(page)
            await self._put(name, {"offset": offset}, False)
            self._progress.advance(name, len(page))
        if seen is not None:
            report.taste_removed += await self.taste.unsaved(seen)
        await self._put(name, {"offset": offset}, True)

    async def top_tracks(self, time_range: TimeRange) -> None:
        name = f"top_tracks:{time_range}"
        report = self.report.of(name)
        self._progress.resource(name, None)
        async for page in self.client.top_tracks(time_range):
            report.new_tracks += await self.sink.add(self.client, page)
            report.taste += await self.taste.top(page)
            report.items += len(page)
            self._progress.advance(name, len(page))
        await self._put(name, None, True)

    async def top_artists(self, time_range: TimeRange) -> None:
        name = f"top_artists:{time_range}"
        report = self.report.of(name)
        self._progress.resource(name, None)
        async for page in self.client.top_artists(time_range):
            report.items += len(page)
            self._progress.advance(name, len(page))
        await self._put(name, None, True)

    async def recently_played(
        self, store: Callable[[list[PlayHistory]], Awaitable[int]]
    ) -> None:
        name = "recently_played"
        state = await self._states.get(self.user_id, name)
        after = int(state.cursor) if state and state.cursor else None
        report = self.report.of(name)
        self._progress.resource(name, None)
        while True:
            items, cursor = await self.client.recently_played(after)
            if not items:
                break
            report.plays += await store(items)
            report.items += len(items)
            self._progress.advance(name, len(items))
            if cursor is None or cursor == after:
                break
            after = cursor
            await self._put_cursor(name, after)
        await self._put_cursor(name, after)

    async def _put_cursor(self, name: str, after: int | None) -> None:
        await self._states.put(
            SyncState(user_id=self.user_id, resource=name,
                      cursor=str(after) if after is not None else None,
                      done=True, updated_at=self._clock())
        )

    async def playlists(self) -> None:
        name = "playlists"
        offset = await self._offset(name)
        report = self.report.of(name)
        self._progress.resource(name, None)
        async for page in self.client.my_playlists(offset=offset):
            for playlist in page:
                report.new_tracks += await self._playlist(playlist)
            offset += len(page)
            report.items += len(page)
            await self._put(name, {"offset": offset}, False)
            self._progress.advance(name, len(page))
        await self._put(name, {"offset": offset}, True)

    async def _playlist(self, playlist: SimplifiedPlaylist) -> int:
        """The playlist's tracks, unless its snapshot is the one synced last time."""
        resource = f"playlist:{playlist.id}"
        state = await self._states.get(self.user_id, resource)
        if state is not None and state.done and state.cursor == playlist.snapshot_id:
            return 0
        added = 0
        async for items in self.client.playlist_items(playlist.id):
            added += await self.sink.add(self.client, [i.track for i in items])
        await self._states.put(
            SyncState(user_id=self.user_id, resource=resource, cursor=playlist.snapshot_id,
                      done=True, updated_at=self._clock())
        )
        return added
