"""Spotify Web API object shapes, filled from our catalog.

The field names and types follow the official OpenAPI spec, so existing
Spotify clients parse our answers unchanged. Links point at the server that
answered (`base`), so a client that follows `next` or `href` stays with us.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from echotune.catalog.models import Artist, AudioFeatures, Track


class ExternalUrls(BaseModel):
    spotify: str


class ExternalIds(BaseModel):
    """Empty: the catalog carries no ISRC/EAN/UPC, and the spec forbids nulls here."""


class Image(BaseModel):
    url: str
    height: int | None
    width: int | None


class Followers(BaseModel):
    href: str | None = None
    total: int = 0


class SimplifiedArtistObject(BaseModel):
    external_urls: ExternalUrls
    href: str
    id: str
    name: str
    type: Literal["artist"] = "artist"
    uri: str


class ArtistObject(SimplifiedArtistObject):
    followers: Followers = Field(default_factory=Followers)
    genres: list[str]
    images: list[Image] = Field(default_factory=list)
    popularity: int


class SimplifiedAlbumObject(BaseModel):
    album_type: Literal["album", "single", "compilation"] = "album"
    total_tracks: int
    available_markets: list[str] = Field(default_factory=list)
    external_urls: ExternalUrls
    href: str
    id: str
    images: list[Image] = Field(default_factory=list)
    name: str
    release_date: str
    release_date_precision: Literal["year", "month", "day"]
    type: Literal["album"] = "album"
    uri: str
    artists: list[SimplifiedArtistObject]


class TrackObject(BaseModel):
    album: SimplifiedAlbumObject
    artists: list[SimplifiedArtistObject]
    available_markets: list[str] = Field(default_factory=list)
    disc_number: int = 1
    duration_ms: int
    explicit: bool
    external_ids: ExternalIds = Field(default_factory=ExternalIds)
    external_urls: ExternalUrls
    href: str
    id: str
    is_playable: bool = True
    name: str
    popularity: int
    preview_url: str | None = None
    track_number: int = 1
    type: Literal["track"] = "track"
    uri: str
    is_local: bool = False


class AudioFeaturesObject(BaseModel):
    acousticness: float
    analysis_url: str
    danceability: float
    duration_ms: int
    energy: float
    id: str
    instrumentalness: float
    key: int
    liveness: float
    loudness: float
    mode: int
    speechiness: float
    tempo: float
    time_signature: int
    track_href: str
    type: Literal["audio_features"] = "audio_features"
    uri: str
    valence: float


def _open_url(kind: str, item_id: str) -> ExternalUrls:
    return ExternalUrls(spotify=f"https://open.spotify.com/{kind}/{item_id}")


def _precision(release_date: str) -> Literal["year", "month", "day"]:
    parts = release_date.count("-")
    return "day" if parts >= 2 else "month" if parts == 1 else "year"


def simplified_artist(artist_id: str, name: str, base: str) -> SimplifiedArtistObject:
    return SimplifiedArtistObject(
        external_urls=_open_url("artist", artist_id),
        href=f"{base}/artists/{artist_id}",
        id=artist_id,
        name=name,
        uri=f"spotify:artist:{artist_id}",
    )


def artist_object(artist: Artist, base: str) -> ArtistObject:
    simple = simplified_artist(artist.id, artist.name, base)
    return ArtistObject(
        **simple.model_dump(), genres=list(artist.genres), popularity=artist.popularity
    )


def track_object(track: Track, base: str) -> TrackObject:
    artists = [simplified_artist(track.artist_id, track.artist_name, base)]
    # Tracks imported without an album (e.g. from a history export) still need
    # a well-formed album, so they get a stand-in named after the track.
    album_id = track.album_id or track.id
    release = track.release_date or "1970"
    album = SimplifiedAlbumObject(
        total_tracks=1,
        external_urls=_open_url("album", album_id),
        href=f"{base}/albums/{album_id}",
        id=album_id,
        name=track.album_name or track.name,
        release_date=release,
        release_date_precision=_precision(release),
        uri=f"spotify:album:{album_id}",
        artists=artists,
    )
    return TrackObject(
        album=album,
        artists=artists,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        external_urls=_open_url("track", track.id),
        href=f"{base}/tracks/{track.id}",
        id=track.id,
        name=track.name,
        popularity=track.popularity,
        uri=f"spotify:track:{track.id}",
    )


def audio_features_object(track_id: str, f: AudioFeatures, base: str) -> AudioFeaturesObject:
    return AudioFeaturesObject(
        **f.model_dump(),
        analysis_url=f"{base}/audio-analysis/{track_id}",
        id=track_id,
        track_href=f"{base}/tracks/{track_id}",
        uri=f"spotify:track:{track_id}",
    )


class PagingTracks(BaseModel):
    href: str
    items: list[TrackObject]
    limit: int
    next: str | None
    offset: int
    previous: str | None
    total: int


class PagingArtists(BaseModel):
    href: str
    items: list[ArtistObject]
    limit: int
    next: str | None
    offset: int
    previous: str | None
    total: int


class SearchResponse(BaseModel):
    tracks: PagingTracks | None = None
    artists: PagingArtists | None = None

    @model_serializer(mode="wrap")
    def _only_requested_types(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Spotify leaves out the types that were not asked for, rather than null.
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}


class TracksResponse(BaseModel):
    tracks: list[TrackObject | None]


class AudioFeaturesResponse(BaseModel):
    audio_features: list[AudioFeaturesObject | None]


class RecommendationSeedObject(BaseModel):
    afterFilteringSize: int
    afterRelinkingSize: int
    href: str | None
    id: str
    initialPoolSize: int
    type: Literal["ARTIST", "TRACK", "GENRE"]


class RecommendationsResponse(BaseModel):
    seeds: list[RecommendationSeedObject]
    tracks: list[TrackObject]


class GenreSeedsResponse(BaseModel):
    genres: list[str]
