"""The storage seam: one small async Protocol per aggregate, plus the bundle.

What plugs in here: a backend (SQLite, MongoDB) implements every Protocol
below, takes and returns domain models only (never driver types), and
translates its driver's errors into `echotune.errors.StorageError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from echotune.catalog.models import Artist, Track, TrackQuery, UpsertResult
from echotune.listening.models import Feedback, Play, UserTrackStats
from echotune.users.models import ApiToken, User


class TrackRepo(Protocol):
    async def upsert_many(self, tracks: Sequence[Track]) -> UpsertResult:
        """Insert new tracks and replace changed ones, atomically for the batch.

        A track id repeated inside the batch counts once (the last copy wins).
        """
        ...

    async def get_many(self, ids: Sequence[str]) -> list[Track]:
        """The tracks found, in the order their ids were given; unknown ids are left out."""
        ...

    async def count(self) -> int: ...

    def iter_all(self, batch_size: int = 5000) -> AsyncIterator[list[Track]]:
        """Every track, in id order, a batch at a time."""
        ...

    async def search(self, query: TrackQuery, limit: int, offset: int) -> tuple[list[Track], int]:
        """Tracks matching every part of the query (case-insensitive), by popularity
        descending then id; and the total number of matches."""
        ...


class ArtistRepo(Protocol):
    """Artists are aggregated from the tracks that name them."""

    async def get(self, artist_id: str) -> Artist | None: ...

    async def search(self, words: Sequence[str], limit: int, offset: int) -> tuple[list[Artist], int]:
        """Artists whose name contains every word, by popularity descending then id."""
        ...


class UserRepo(Protocol):
    async def get_or_create(self, name: str) -> tuple[User, bool]:
        """The user with this name, and whether it was created just now."""
        ...

    async def get(self, user_id: str) -> User | None: ...

    async def get_by_name(self, name: str) -> User | None: ...

    async def list_all(self) -> list[User]: ...


class TokenRepo(Protocol):
    async def add(self, token: ApiToken) -> None: ...

    async def find_active(self, token_hash: str) -> ApiToken | None:
        """The unrevoked token with this hash, if any."""
        ...

    async def list_for(self, user_id: str | None = None) -> list[ApiToken]:
        """Tokens of one user (or of everyone), oldest first."""
        ...

    async def revoke(self, token_id: str) -> bool:
        """Revoke a token; False when there is no such unrevoked token."""
        ...


class ListeningRepo(Protocol):
    """Plays. (user_id, track_id, played_at) identifies a play: adding it again is a no-op.

    Imports stream into a staging area first, so a file that turns out corrupt
    half way contributes nothing: `stage` batches under an import id, then
    `commit_stage` moves them in (duplicates ignored) or `drop_stage` forgets them.
    """

    async def add_many(self, plays: Sequence[Play]) -> int:
        """Store new plays (atomically for the batch); returns how many were new."""
        ...

    async def stage(self, import_id: str, plays: Sequence[Play]) -> None: ...

    async def commit_stage(self, import_id: str) -> int:
        """Move a staged import in; returns how many plays were new."""
        ...

    async def drop_stage(self, import_id: str) -> None: ...

    async def page(self, user_id: str, before: datetime | None, limit: int) -> list[Play]:
        """A user's plays, newest first, strictly before `before` when given."""
        ...

    async def count(self, user_id: str | None = None) -> int: ...

    def iter_user_track_stats(self, batch_size: int = 50_000) -> AsyncIterator[list[UserTrackStats]]:
        """Every (user, track) pair's aggregated plays, in (user_id, track_id) order."""
        ...


class FeedbackRepo(Protocol):
    async def add(self, feedback: Feedback) -> None:
        """Record one feedback event (the log is append-only; readers decide what wins)."""
        ...

    async def list_for(self, user_id: str, limit: int = 1000) -> list[Feedback]:
        """A user's feedback events, newest first."""
        ...


class StorageStatus(BaseModel):
    backend: str
    reachable: bool
    fallback: bool = False
    indexes_present: bool = True
    missing_indexes: list[str] = Field(default_factory=list)
    detail: str | None = None


class Storage(Protocol):
    """Everything a backend provides, opened and closed as one."""

    tracks: TrackRepo
    artists: ArtistRepo
    users: UserRepo
    tokens: TokenRepo
    listening: ListeningRepo
    feedback: FeedbackRepo

    async def status(self) -> StorageStatus: ...

    async def close(self) -> None: ...
