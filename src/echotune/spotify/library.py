"""The user's profile, saved tracks, top lists and recently played, and saving tracks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Literal

from echotune.spotify.api import ApiCore, chunks, parse
from echotune.spotify.models import (
    CursorPage,
    PlayHistory,
    SavedTrack,
    SpotifyArtist,
    SpotifyTrack,
    SpotifyUser,
)

TimeRange = Literal["short_term", "medium_term", "long_term"]
PAGE = 50
SAVES_PER_CALL = 50
# PUT /me/library takes at most 40 URIs per call (the spec's limit, lower than /me/tracks).
LIBRARY_URIS_PER_CALL = 40
# Spotify keeps about 50 plays; the bound only stops a misbehaving server from looping us.
MAX_HISTORY_PAGES = 20


class LibraryApi(ApiCore):
    async def me(self) -> SpotifyUser:
        return await self._model(SpotifyUser, "GET", "/me")

    def saved_tracks(self, offset: int = 0) -> AsyncIterator[list[SavedTrack]]:
        """Pages of 50, newest first; `offset` resumes an interrupted sync."""
        return self._pages(SavedTrack, "/me/tracks", limit=PAGE, offset=offset)

    def top_tracks(
        self, time_range: TimeRange = "medium_term"
    ) -> AsyncIterator[list[SpotifyTrack]]:
        return self._pages(SpotifyTrack, "/me/top/tracks", {"time_range": time_range}, PAGE)

    def top_artists(
        self, time_range: TimeRange = "medium_term"
    ) -> AsyncIterator[list[SpotifyArtist]]:
        return self._pages(SpotifyArtist, "/me/top/artists", {"time_range": time_range}, PAGE)

    async def recently_played(
        self, after_ms: int | None = None
    ) -> tuple[list[PlayHistory], int | None]:
        """Plays after `after_ms` (Unix ms), newest first, and the cursor to pass next time.

        With a cursor, pages are followed until none is left, so nothing played since is
        skipped. The cursor stays `after_ms` when nothing new was played, so a caller can
        always store what it gets back.
        """
        plays: list[PlayHistory] = []
        cursor = after_ms
        for _ in range(MAX_HISTORY_PAGES):
            page = await self._history_page(cursor)
            plays = page.items + plays
            newest = _newest_ms(page)
            if newest is None or (cursor is not None and newest <= cursor):
                break
            cursor = newest
            if after_ms is None or page.next is None:
                break
        return plays, cursor

    async def _history_page(self, after_ms: int | None) -> CursorPage[PlayHistory]:
        params: dict[str, str | int] = {"limit": PAGE}
        if after_ms is not None:
            params["after"] = after_ms
        body = await self._call("GET", "/me/player/recently-played", params)
        return parse(CursorPage[PlayHistory], body, "GET /me/player/recently-played")

    async def save_tracks(self, ids: Sequence[str]) -> None:
        """Save to "Liked Songs": /me/library with URIs in development mode, else /me/tracks."""
        if self.development:
            for chunk in chunks([f"spotify:track:{i}" for i in ids], LIBRARY_URIS_PER_CALL):
                await self._call("PUT", "/me/library", {"uris": ",".join(chunk)})
            return
        for chunk in chunks(list(ids), SAVES_PER_CALL):
            await self._call("PUT", "/me/tracks", json={"ids": chunk})


def _newest_ms(page: CursorPage[PlayHistory]) -> int | None:
    """The newest play in `page` as Unix ms: the `after` cursor, or the items themselves."""
    if page.cursors is not None and page.cursors.after and page.cursors.after.isdigit():
        return int(page.cursors.after)
    return max((int(p.played_at.timestamp() * 1000) for p in page.items), default=None)
