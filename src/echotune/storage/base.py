"""The storage seam: one small async Protocol per aggregate, plus the bundle.

What plugs in here: a backend (SQLite, MongoDB) implements every Protocol
below, takes and returns domain models only (never driver types), and
translates its driver's errors into `echotune.errors.StorageError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, Field

from echotune.accounts.models import LoginAttempt, PlaylistWrite, Session, SpotifyLink, SyncState
from echotune.catalog.models import Artist, Track, TrackQuery, UpsertResult
from echotune.chat.models import ChatMessage, ConversationSummary, NewMessage
from echotune.listening.models import Feedback, FeedbackKind, Play, UserTrackStats
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
    """Feedback: the listener's own events (`add`, an append-only log), and
    entries mirrored from a `source` such as a Spotify sync (`add_many`), kept
    once per (user, track, kind, source). A source's writes and removals never
    touch the listener's own events; readers see both and decide what wins."""

    async def add(self, feedback: Feedback) -> None:
        """Record one of the listener's own events (repeats are kept: it is a log)."""
        ...

    async def add_many(self, feedback: Sequence[Feedback], source: str) -> int:
        """Store the entries `source` has not stored yet, keyed on (user_id,
        track_id, kind, source); returns how many were new. A known key keeps
        its first copy. Idempotent: repeating a batch, or the rest of one that
        failed half way, adds nothing twice."""
        ...

    async def retain(
        self, user_id: str, source: str, kind: FeedbackKind, track_ids: Collection[str]
    ) -> int:
        """Remove the user's `source` entries of `kind` whose track is not in
        `track_ids` (e.g. a track no longer saved); returns how many went."""
        ...

    async def list_for(self, user_id: str, limit: int = 1000) -> list[Feedback]:
        """A user's feedback events of every source, newest first."""
        ...

    async def count(self, user_id: str) -> int:
        """How many events the user has, of every source (a cheap change check)."""
        ...


class SpotifyLinkRepo(Protocol):
    """Linked Spotify accounts, one per user. Tokens arrive and leave encrypted."""

    async def upsert(self, link: SpotifyLink) -> None:
        """Store the user's link, replacing theirs if any.

        Raises `Conflict` when another user holds this Spotify account.
        """
        ...

    async def get_for_user(self, user_id: str) -> SpotifyLink | None: ...

    async def get_by_spotify_id(self, spotify_user_id: str) -> SpotifyLink | None: ...

    async def list_connected(self) -> list[SpotifyLink]:
        """Every connected link, by user_id."""
        ...

    async def update_tokens(
        self,
        user_id: str,
        access_enc: bytes,
        refresh_enc: bytes | None,
        expires_at: datetime,
        at: datetime,
    ) -> bool:
        """After a refresh: write the tokens (refresh_enc None keeps the stored
        one) and nothing else. False, writing nothing, unless the link is connected,
        so a refresh finishing after a logout cannot bring the tokens back."""
        ...

    async def mark_disconnected(self, user_id: str, reason: str, at: datetime) -> bool:
        """Forget both tokens and record why; the link and all user data stay.
        False when there is no connected link."""
        ...


class SyncStateRepo(Protocol):
    """Where each resource's sync of each user got to, so a stopped sync resumes."""

    async def get(self, user_id: str, resource: str) -> SyncState | None: ...

    async def put(self, state: SyncState) -> None:
        """Store it, replacing the same (user_id, resource)."""
        ...

    async def list_for(self, user_id: str) -> list[SyncState]:
        """A user's states, by resource."""
        ...


class LoginAttemptRepo(Protocol):
    """Started logins, each usable once. Attempts never completed are forgotten
    after a day."""

    async def add(self, attempt: LoginAttempt) -> None: ...

    async def pop(self, state: str, now: datetime, max_age: timedelta) -> LoginAttempt | None:
        """Take the attempt out, atomically: of concurrent pops of one state only
        one gets it. None when unknown, already taken, or created `max_age` or
        more before `now` (it is removed all the same)."""
        ...


class SessionRepo(Protocol):
    """Browser sessions by the SHA-256 of their cookie value (never the value)."""

    async def add(self, session: Session) -> None: ...

    async def get_active(self, id_hash: str, now: datetime) -> Session | None:
        """The session if it expires after `now`."""
        ...

    async def delete(self, id_hash: str) -> bool: ...

    async def delete_for_user(self, user_id: str) -> int: ...


class PlaylistWriteRepo(Protocol):
    """The ledger that keeps a retried playlist write from adding a track twice.

    How a write runs (the service's side):
    1. `claim` a PlaylistWrite(owner=<new random id>, lease_until=now + lease).
       The stored entry comes back. Another payload_hash under the key: a
       conflict. `done`: answer with its playlist_id, write nothing. Another
       owner: that attempt is live, so answer "in progress"; it can be claimed
       once its lease has run out (its worker died).
    2. No playlist_id yet: create the playlist, then `save` its id at once.
    3. Add the tracks after `items_added`, each chunk at its position, and
       `save` the new count after each chunk (renewing the lease); then
       save done=True.
    `save` is fenced by owner: False means the claim was lost, so stop.
    A chunk whose answer was lost (a crash, a timeout) is the one gap the
    ledger cannot see: before re-adding, compare the playlist's item total on
    Spotify with `items_added`, since nobody else writes to a playlist we created.
    """

    async def claim(self, write: PlaylistWrite, now: datetime) -> PlaylistWrite:
        """Store `write` if its (user_id, request_key) is new; else take the stored
        entry over (owner, lease_until, updated_at; progress kept) when it is not
        done, has the same payload_hash, and its lease ended by `now` or is
        already `write.owner`'s. Returns what is stored afterwards."""
        ...

    async def get(self, user_id: str, request_key: str) -> PlaylistWrite | None: ...

    async def save(self, write: PlaylistWrite) -> bool:
        """Record progress (playlist_id, snapshot_id, items_added, done,
        lease_until, updated_at) if `write.owner` still holds the entry."""
        ...


class ConversationRepo(Protocol):
    """Chat conversations with their messages in order; ids are made here. Another
    user's conversation is exactly like a missing one (NotFound, None, False), and
    concurrent appends to one conversation never interleave nor lose a message."""

    async def create(
        self, user_id: str, at: datetime, messages: Sequence[NewMessage] = ()
    ) -> ConversationSummary:
        """A new conversation created `at`, holding `messages` (orders 0..n-1)."""
        ...

    async def append(
        self, conversation_id: str, user_id: str, messages: Sequence[NewMessage]
    ) -> list[ChatMessage]:
        """Store `messages` after the last one, in consecutive orders."""
        ...

    async def get(self, conversation_id: str, user_id: str) -> ConversationSummary | None: ...

    async def messages(
        self, conversation_id: str, user_id: str, limit: int | None = None
    ) -> list[ChatMessage]:
        """In order; only the last `limit` when given."""
        ...

    async def list_for(
        self, user_id: str, limit: int, before: datetime | None = None
    ) -> list[ConversationSummary]:
        """Latest activity (`updated_at`) first, strictly before `before` if given."""
        ...

    async def delete(self, conversation_id: str, user_id: str) -> bool: ...


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
    spotify_links: SpotifyLinkRepo
    sync_state: SyncStateRepo
    login_attempts: LoginAttemptRepo
    sessions: SessionRepo
    playlist_writes: PlaylistWriteRepo
    conversations: ConversationRepo

    async def status(self) -> StorageStatus: ...

    async def close(self) -> None: ...
