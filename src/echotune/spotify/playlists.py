"""The user's playlists: list them, read their items, create one, add items to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from urllib.parse import quote

from pydantic import BaseModel

from echotune.spotify.api import ApiCore, chunks
from echotune.spotify.models import PlaylistItem, SimplifiedPlaylist

PAGE = 50
ITEMS_PER_WRITE = 100


class _Snapshot(BaseModel):
    snapshot_id: str


class PlaylistsApi(ApiCore):
    def my_playlists(self, offset: int = 0) -> AsyncIterator[list[SimplifiedPlaylist]]:
        return self._pages(SimplifiedPlaylist, "/me/playlists", limit=PAGE, offset=offset)

    def playlist_items(
        self, playlist_id: str, offset: int = 0
    ) -> AsyncIterator[list[PlaylistItem]]:
        """Pages of items; episodes and local files come back with `track` None."""
        return self._pages(PlaylistItem, self._items_path(playlist_id), limit=PAGE, offset=offset)

    async def create_playlist(
        self, user_id: str, name: str, description: str = "", public: bool = False
    ) -> SimplifiedPlaylist:
        """A new playlist; development mode must use /me/playlists (no /users/{id} writes)."""
        path = (
            "/me/playlists" if self.development else f"/users/{quote(user_id, safe='')}/playlists"
        )
        body = {"name": name, "description": description, "public": public}
        return await self._model(SimplifiedPlaylist, "POST", path, json=body)

    async def add_items(
        self, playlist_id: str, uris: Sequence[str], position: int | None = None
    ) -> str:
        """Add `uris` in order, 100 per call; returns the last snapshot id.

        A failed call is not resent by the transport (Spotify may have applied it); the caller
        decides, knowing which chunks succeeded from its own ledger.
        """
        if not uris:
            raise ValueError("add_items needs at least one URI")
        snapshot = ""
        for n, chunk in enumerate(chunks(list(uris), ITEMS_PER_WRITE)):
            body: dict[str, object] = {"uris": chunk}
            if position is not None:
                body["position"] = position + n * ITEMS_PER_WRITE
            path = self._items_path(playlist_id)
            snapshot = (await self._model(_Snapshot, "POST", path, json=body)).snapshot_id
        return snapshot

    def _items_path(self, playlist_id: str) -> str:
        # /tracks is the long-standing name; development mode only has /items (February 2026).
        noun = "items" if self.development else "tracks"
        return f"/playlists/{quote(playlist_id, safe='')}/{noun}"
