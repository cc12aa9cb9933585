"""Catalog domain models: what a track, an artist and their audio features are."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# The order of the feature vector used everywhere numeric features are stacked.
FEATURE_NAMES: tuple[str, ...] = (
    "acousticness",
    "danceability",
    "duration_ms",
    "energy",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "mode",
    "speechiness",
    "tempo",
    "time_signature",
    "valence",
)

# Every attribute /v1/recommendations accepts min_/max_/target_ for.
TUNABLE_ATTRIBUTES: tuple[str, ...] = FEATURE_NAMES + ("popularity",)


class AudioFeatures(BaseModel):
    """Spotify's audio features of one track."""

    model_config = ConfigDict(frozen=True)

    acousticness: float = Field(ge=0, le=1)
    danceability: float = Field(ge=0, le=1)
    duration_ms: int = Field(ge=0)
    energy: float = Field(ge=0, le=1)
    instrumentalness: float = Field(ge=0, le=1)
    key: int = Field(ge=-1, le=11)
    liveness: float = Field(ge=0, le=1)
    loudness: float
    mode: int = Field(ge=0, le=1)
    speechiness: float = Field(ge=0, le=1)
    tempo: float = Field(ge=0)
    time_signature: int = Field(default=4, ge=0, le=7)
    valence: float = Field(ge=0, le=1)


class Track(BaseModel):
    """A catalog track. `features` is None for tracks known only by metadata."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=64)
    name: str
    artist_id: str
    artist_name: str
    album_id: str | None = None
    album_name: str | None = None
    release_date: str | None = None
    popularity: int = Field(default=0, ge=0, le=100)
    duration_ms: int = Field(default=0, ge=0)
    explicit: bool = False
    genre: str | None = None
    subgenre: str | None = None
    features: AudioFeatures | None = None


class Artist(BaseModel):
    """An artist, aggregated from the tracks that name it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    genres: list[str] = Field(default_factory=list)
    popularity: int = Field(default=0, ge=0, le=100)
    track_count: int = Field(default=0, ge=0)


class TrackQuery(BaseModel):
    """A catalog search: free words plus Spotify's field filters."""

    model_config = ConfigDict(frozen=True)

    words: tuple[str, ...] = ()
    artist: str | None = None
    track: str | None = None
    album: str | None = None
    genre: str | None = None
    year_from: int | None = None
    year_to: int | None = None


class UpsertResult(BaseModel):
    """What one batch upsert did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            inserted=self.inserted + other.inserted,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
        )
