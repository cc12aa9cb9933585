"""SpotifyClient: one account's view of the Web API, assembled from one class per noun."""

from __future__ import annotations

from echotune.spotify.catalog import CatalogApi
from echotune.spotify.library import LibraryApi
from echotune.spotify.player import PlayerApi
from echotune.spotify.playlists import PlaylistsApi


class SpotifyClient(LibraryApi, PlaylistsApi, CatalogApi, PlayerApi):
    """Async client for one account (its TokenSource) over a shared Transport.

    Construct with `(config, transport, tokens, priority=Priority.HIGH)`; background work
    uses `client.with_priority(Priority.LOW)` so interactive calls overtake it.
    """
