"""What a sync reports while it runs (a progress bar on the CLI) and when it ends."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field


class SyncProgress(Protocol):
    def resource(self, name: str, total: int | None) -> None:
        """A resource starts; `total` items when Spotify said how many."""
        ...

    def advance(self, name: str, items: int) -> None: ...


class NullProgress:
    def resource(self, name: str, total: int | None) -> None:
        return None

    def advance(self, name: str, items: int) -> None:
        return None


class ResourceReport(BaseModel):
    items: int = 0
    new_tracks: int = 0
    plays: int = 0
    # Feedback with source "spotify" (saved tracks, top tracks): new, and
    # removed because the track is no longer saved.
    taste: int = 0
    taste_removed: int = 0
    skipped: bool = False


class SyncReport(BaseModel):
    user_id: str
    resources: dict[str, ResourceReport] = Field(default_factory=dict)

    def of(self, name: str) -> ResourceReport:
        return self.resources.setdefault(name, ResourceReport())

    def total(self, what: str) -> int:
        """Summed over resources: 'items', 'new_tracks', 'plays', 'taste' or
        'taste_removed'."""
        return sum(int(getattr(r, what)) for r in self.resources.values())
