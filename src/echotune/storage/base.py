"""The storage seam: one small async Protocol per aggregate, plus the bundle.

What plugs in here: a backend (SQLite, MongoDB) implements every Protocol
below, takes and returns domain models only (never driver types), and
translates its driver's errors into `echotune.errors.StorageError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from pydantic import BaseModel, Field

from echotune.catalog.models import Artist, Track, TrackQuery, UpsertResult
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

    async def status(self) -> StorageStatus: ...

    async def close(self) -> None: ...
