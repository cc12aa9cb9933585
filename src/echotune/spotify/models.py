"""Pydantic models of the Spotify objects EchoTune reads, lenient about everything else.

Fields Spotify marks deprecated (popularity, genres, product) are optional: development-mode
apps no longer receive them. Playlist objects carry `items` since 2026 and `tracks` before;
both are accepted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SpotifyImage(_Model):
    url: str
    height: int | None = None
    width: int | None = None


class SpotifyUser(_Model):
    id: str
    display_name: str | None = None
    product: str | None = None
    country: str | None = None
    uri: str | None = None


class SpotifyArtist(_Model):
    id: str
    name: str
    uri: str | None = None
    genres: list[str] | None = None
    popularity: int | None = None


class SpotifyAlbum(_Model):
    id: str
    name: str
    release_date: str | None = None
    images: list[SpotifyImage] = Field(default_factory=list)


class SpotifyTrack(_Model):
    id: str
    name: str
    uri: str
    duration_ms: int
    explicit: bool = False
    popularity: int | None = None
    artists: list[SpotifyArtist] = Field(default_factory=list)
    album: SpotifyAlbum | None = None
    is_local: bool = False


class SavedTrack(_Model):
    added_at: datetime
    track: SpotifyTrack


class PlayHistory(_Model):
    track: SpotifyTrack
    played_at: datetime
    context_uri: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _context(cls, data: object) -> object:
        if isinstance(data, dict) and "context_uri" not in data:
            context = data.get("context")
            uri = context.get("uri") if isinstance(context, dict) else None
            return {**data, "context_uri": uri}
        return data


class Cursors(_Model):
    after: str | None = None
    before: str | None = None


class CursorPage(_Model, Generic[T]):
    items: list[T]
    next: str | None = None
    cursors: Cursors | None = None
    total: int | None = None


class Page(_Model, Generic[T]):
    items: list[T]
    next: str | None = None
    total: int = 0
    offset: int = 0
    limit: int = 0


class SimplifiedPlaylist(_Model):
    id: str
    name: str
    uri: str
    owner_id: str | None = None
    snapshot_id: str | None = None
    total: int = 0
    public: bool | None = None
    collaborative: bool = False
    description: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        owner = data.get("owner")
        ref = data.get("items") if isinstance(data.get("items"), dict) else data.get("tracks")
        extra = {
            "owner_id": owner.get("id") if isinstance(owner, dict) else data.get("owner_id"),
            "total": ref.get("total", 0) if isinstance(ref, dict) else data.get("total", 0),
        }
        return {**data, **extra}


class PlaylistItem(_Model):
    """One entry of a playlist; `track` is None for episodes and local files (no Spotify id)."""

    added_at: datetime | None = None
    track: SpotifyTrack | None = None

    @model_validator(mode="before")
    @classmethod
    def _item(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        item = data.get("item") or data.get("track")
        usable = isinstance(item, dict) and item.get("type", "track") == "track" and item.get("id")
        return {**data, "track": item if usable else None}


class Device(_Model):
    id: str | None = None
    name: str
    type: str
    is_active: bool = False
    volume_percent: int | None = None


class AudioFeatures(_Model):
    id: str
    acousticness: float
    danceability: float
    energy: float
    instrumentalness: float
    key: int
    liveness: float
    loudness: float
    mode: int
    speechiness: float
    tempo: float
    time_signature: int
    valence: float
    duration_ms: int
    analysis_url: str | None = None
    track_href: str | None = None
    type: str = "audio_features"
    uri: str | None = None
