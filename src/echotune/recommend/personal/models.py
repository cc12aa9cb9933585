"""Request and response models of personal recommendations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from echotune.recommend.personal.explain import Reason


class PersonalRequest(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)
    diversity: float = Field(default=0.3, ge=0.0, le=1.0, description="0 = pure relevance")
    novelty: float = Field(default=0.1, ge=0.0, le=1.0, description="Favour less popular tracks")
    mood: str | None = None
    activity: str | None = None
    hour: int | None = Field(default=None, ge=0, le=23, description="Local hour for time of day")
    seed_tracks: tuple[str, ...] = Field(default=(), max_length=5)
    genres: tuple[str, ...] = Field(default=(), max_length=5, description="For cold start")
    include_played: bool = False


class RecommendedTrack(BaseModel):
    id: str
    name: str
    artist_id: str
    artist_name: str
    album_name: str | None
    genre: str | None
    popularity: int
    score: float
    reasons: list[Reason]


class ContextInfo(BaseModel):
    mood: str | None
    activity: str | None
    hour: int | None
    targets: dict[str, float]


class ModelInfo(BaseModel):
    collaborative: bool
    trained_at: datetime | None = None
    name: str | None = None


class PersonalRecommendations(BaseModel):
    user_id: str
    cold_start: bool
    plays_considered: int
    context: ContextInfo
    model: ModelInfo
    items: list[RecommendedTrack]


class TasteSummary(BaseModel):
    """A short picture of a listener, e.g. for a chat assistant's system prompt."""

    plays: int
    usual: dict[str, float]
    top_genres: list[str]
    top_artists: list[str]
