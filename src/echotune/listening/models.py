"""Plays and feedback: what a listener did, and what they told us."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# A play shorter than this counts as a skip (Spotify's own royalty threshold).
SKIP_THRESHOLD_MS = 30_000

FeedbackKind = Literal["like", "dislike", "skip", "save"]


class Play(BaseModel):
    """One listening event. (user_id, track_id, played_at) identifies it, so
    importing the same history twice stores it once."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    track_id: str
    played_at: datetime = Field(description="When the play ended (UTC)")
    ms_played: int = Field(ge=0)
    skipped: bool = False
    context: str | None = Field(default=None, max_length=200)
    source: str = Field(default="api", max_length=32)
    genre: str | None = None


class Feedback(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    track_id: str
    kind: FeedbackKind
    at: datetime
    source: str | None = None
    """None for the listener's own feedback; "spotify" for what a Spotify sync implies."""


class UserTrackStats(BaseModel):
    """A user's plays of one track, aggregated: the input of model training."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    track_id: str
    plays: int
    skips: int
    ms_played: int
    last_played: datetime
