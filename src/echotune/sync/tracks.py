"""Spotify's track objects as catalog tracks; new ones added once, with features if offered."""

from __future__ import annotations

from collections.abc import Sequence

from echotune.catalog.artist_ids import artist_id_for
from echotune.catalog.models import AudioFeatures, Track
from echotune.spotify.client import SpotifyClient
from echotune.spotify.models import AudioFeatures as SpotifyFeatures
from echotune.spotify.models import SpotifyTrack
from echotune.storage.base import TrackRepo


def catalog_track(track: SpotifyTrack, features: SpotifyFeatures | None = None) -> Track:
    # Artist ids are derived from the name, as for the bundled catalog and
    # history imports, so one artist is one artist whichever way it arrived.
    artist = track.artists[0].name if track.artists else "Unknown artist"
    album = track.album
    return Track(
        id=track.id,
        name=track.name,
        artist_id=artist_id_for(artist),
        artist_name=artist,
        album_id=album.id if album else None,
        album_name=album.name if album else None,
        release_date=album.release_date if album else None,
        popularity=track.popularity or 0,
        duration_ms=track.duration_ms or 0,
        explicit=bool(track.explicit),
        features=catalog_features(features) if features else None,
    )


def catalog_features(f: SpotifyFeatures) -> AudioFeatures | None:
    values = f.model_dump()
    try:
        return AudioFeatures.model_validate(values)
    except ValueError:
        return None  # incomplete or out-of-range features: keep the track without


class TrackSink:
    """Adds tracks the catalog lacks; never replaces one it has (its features stay)."""

    def __init__(self, tracks: TrackRepo) -> None:
        self._tracks = tracks
        self._seen: set[str] = set()
        self.features_available = True
        self.added = 0

    async def add(self, client: SpotifyClient, tracks: Sequence[SpotifyTrack | None]) -> int:
        fresh = {t.id: t for t in tracks if t is not None and t.id and t.id not in self._seen}
        if not fresh:
            return 0
        self._seen.update(fresh)
        present = {t.id for t in await self._tracks.get_many(list(fresh))}
        new = [t for i, t in fresh.items() if i not in present]
        if not new:
            return 0
        features = await self._features(client, [t.id for t in new])
        await self._tracks.upsert_many(
            [catalog_track(t, features.get(t.id)) for t in new]
        )
        self.added += len(new)
        return len(new)

    async def _features(self, client: SpotifyClient, ids: list[str]) -> dict[str, SpotifyFeatures]:
        if not self.features_available:
            return {}
        found = await client.audio_features(ids)
        if found is None:
            # Apps created after 2024-11-27 get 403 here: stop asking for this sync.
            self.features_available = False
            return {}
        return {f.id: f for f in found if f is not None}
