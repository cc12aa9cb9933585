"""Spotify's JSON objects built from the fake's state, hrefs pointing back at the fake.

`next` links must lead to the fake itself (clients follow them), so every href is built on
the base URL the request came in on. In development mode the fields Spotify removed in
February 2026 are left out, so a client that still relies on them fails here first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from tests.fakes.spotify.catalog import Album, Artist, Track
from tests.fakes.spotify.ids import iso
from tests.fakes.spotify.state import Device, FakeState, Playlist, PlaylistEntry, User

Json = dict[str, object]
MARKETS = ["GB", "SE", "US"]
OPEN = "https://open.spotify.com"


def _images(seed: str) -> list[Json]:
    digest = hashlib.blake2b(seed.encode(), digest_size=20).hexdigest()
    return [
        {
            "url": f"https://i.scdn.co/image/ab67616d0000{size:04x}{digest}",
            "height": size,
            "width": size,
        }
        for size in (640, 300, 64)
    ]


@dataclass(frozen=True)
class Renderer:
    state: FakeState
    api: str  # e.g. http://127.0.0.1:PORT/v1
    dev: bool = False

    def _ref(self, kind: str, object_id: str) -> Json:
        return {
            "external_urls": {"spotify": f"{OPEN}/{kind}/{object_id}"},
            "href": f"{self.api}/{kind}s/{object_id}",
            "id": object_id,
            "type": kind,
            "uri": f"spotify:{kind}:{object_id}",
        }

    def artist_simple(self, artist: Artist) -> Json:
        return {**self._ref("artist", artist.id), "name": artist.name}

    def artist(self, artist: Artist) -> Json:
        body = {**self.artist_simple(artist), "genres": artist.genres, "images": _images(artist.id)}
        if not self.dev:
            body["followers"] = {"href": None, "total": artist.followers}
            body["popularity"] = artist.popularity
        return body

    def album(self, album: Album) -> Json:
        artists = self.state.catalog.artists
        return {
            **self._ref("album", album.id),
            "album_type": album.album_type,
            "name": album.name,
            "total_tracks": album.total_tracks,
            "available_markets": MARKETS,
            "images": _images(album.id),
            "release_date": album.release_date,
            "release_date_precision": "day",
            "artists": [self.artist_simple(artists[a]) for a in album.artist_ids],
        }

    def track(self, track: Track) -> Json:
        catalog = self.state.catalog
        body: Json = {
            **self._ref("track", track.id),
            "name": track.name,
            "album": self.album(catalog.albums[track.album_id]),
            "artists": [self.artist_simple(catalog.artists[a]) for a in track.artist_ids],
            "disc_number": 1,
            "track_number": track.track_number,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "external_ids": {"isrc": track.isrc},
            "is_local": False,
            "is_playable": True,
            "preview_url": None,
        }
        if not self.dev:
            body["popularity"] = track.popularity
            body["available_markets"] = MARKETS
        return body

    def track_by_uri(self, uri: str) -> Json | None:
        track = self.state.catalog.track(uri.rsplit(":", 1)[-1])
        return None if track is None else self.track(track)

    def owner(self, user_id: str) -> Json:
        user = self.state.users.get(user_id)
        return {**self._ref("user", user_id), "display_name": user.display_name if user else None}

    def me(self, user: User) -> Json:
        body: Json = {
            **self._ref("user", user.id),
            "display_name": user.display_name,
            "images": [],
            "account_id": user.id,
        }
        if not self.dev:
            body.update(
                country=user.country,
                email=user.email,
                product=user.product,
                followers={"href": None, "total": 3},
                explicit_content={"filter_enabled": False, "filter_locked": False},
            )
        return body

    def playlist(self, playlist: Playlist) -> Json:
        ref = {"href": f"{self.api}/playlists/{playlist.id}/items", "total": len(playlist.entries)}
        body: Json = {
            **self._ref("playlist", playlist.id),
            "name": playlist.name,
            "description": playlist.description,
            "collaborative": playlist.collaborative,
            "public": playlist.public,
            "images": [],
            "owner": self.owner(playlist.owner_id),
            "snapshot_id": playlist.snapshot_id,
            "items": ref,
        }
        if not self.dev:  # renamed to `items` by the February 2026 rules
            body["tracks"] = {**ref, "href": f"{self.api}/playlists/{playlist.id}/tracks"}
        return body

    def playlist_full(self, playlist: Playlist) -> Json:
        entries = [self.playlist_entry(e) for e in playlist.entries[:100]]
        page = self.paging(
            f"/playlists/{playlist.id}/items", entries, len(playlist.entries), 0, 100
        )
        body = {**self.playlist(playlist), "items": page, "followers": {"href": None, "total": 0}}
        if not self.dev:
            body["tracks"] = page
        return body

    def playlist_entry(self, entry: PlaylistEntry) -> Json:
        track = self.track_by_uri(entry.uri)
        body: Json = {
            "added_at": iso(entry.added_at),
            "added_by": self._ref("user", entry.added_by),
            "is_local": False,
            "item": track,
        }
        if not self.dev:  # `track` became `item` in February 2026
            body["track"] = track
        return body

    def device(self, device: Device) -> Json:
        return {
            "id": device.id,
            "name": device.name,
            "type": device.type,
            "is_active": device.is_active,
            "is_private_session": False,
            "is_restricted": False,
            "supports_volume": device.volume_percent is not None,
            "volume_percent": device.volume_percent,
        }

    def audio_features(self, track: Track) -> Json:
        h = int.from_bytes(hashlib.blake2b(track.id.encode(), digest_size=16).digest())

        def unit(shift: int) -> float:
            return round(((h >> shift) & 0xFFFF) / 0xFFFF, 4)

        return {
            "id": track.id,
            "type": "audio_features",
            "uri": f"spotify:track:{track.id}",
            "track_href": f"{self.api}/tracks/{track.id}",
            "analysis_url": f"{self.api}/audio-analysis/{track.id}",
            "duration_ms": track.duration_ms,
            "acousticness": unit(0),
            "danceability": unit(16),
            "energy": unit(32),
            "instrumentalness": unit(48),
            "liveness": unit(64),
            "speechiness": unit(80),
            "valence": unit(96),
            "loudness": round(-30 * unit(112), 3),
            "tempo": round(60 + 120 * unit(8), 3),
            "key": h % 12,
            "mode": (h >> 4) % 2,
            "time_signature": 3 + (h >> 6) % 3,
        }

    def paging(
        self,
        path: str,
        items: list[Json],
        total: int,
        offset: int,
        limit: int,
        params: dict[str, str] | None = None,
    ) -> Json:
        def url(at: int) -> str:
            return f"{self.api}{path}?{urlencode({**(params or {}), 'offset': at, 'limit': limit})}"

        return {
            "href": url(offset),
            "items": items,
            "limit": limit,
            "offset": offset,
            "total": total,
            "next": url(offset + limit) if offset + limit < total else None,
            "previous": url(max(0, offset - limit)) if offset > 0 else None,
        }
