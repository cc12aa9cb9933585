"""What the history API takes and answers: plays and feedback as a listener sees them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from echotune.listening.models import FeedbackKind

# No single play lasts longer than a day; a bigger number is a client's bug.
MAX_PLAY_MS = 86_400_000


class NewPlay(BaseModel):
    """A play reported by a client; `skipped` is worked out, not taken."""

    model_config = ConfigDict(extra="forbid")

    track_id: str
    played_at: datetime | None = Field(
        default=None, description="When the play ended (ISO-8601; default now, UTC if no zone)"
    )
    ms_played: int = Field(ge=0, le=MAX_PLAY_MS)
    context: str | None = Field(default=None, max_length=200)


class PlayView(BaseModel):
    track_id: str
    track_name: str | None
    artist_name: str | None
    album_name: str | None
    played_at: datetime
    ms_played: int
    skipped: bool
    context: str | None
    source: str


class HistoryPage(BaseModel):
    items: list[PlayView]
    next: str | None = Field(description="URL of the next (older) page; null at the end")


class NewFeedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    track_id: str
    kind: FeedbackKind


class FeedbackView(BaseModel):
    track_id: str
    kind: FeedbackKind
    at: datetime
    source: str | None = None
    """None: the listener's own; "spotify": from their Spotify library (saved or top tracks)."""


class FeedbackList(BaseModel):
    items: list[FeedbackView]
