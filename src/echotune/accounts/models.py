"""Account-linking records. Tokens appear here only as ciphertext (see crypto.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

LinkStatus = Literal["connected", "disconnected"]


class SpotifyLink(BaseModel):
    """An EchoTune user's Spotify account. One per user, and one user per Spotify account.

    A disconnected link (revoked refresh token, logout) keeps who it was but
    holds no tokens: both are empty bytes, and `status_reason` says why.
    """

    model_config = ConfigDict(frozen=True)

    user_id: str
    spotify_user_id: str = Field(min_length=1)
    display_name: str | None = None
    product: str | None = Field(default=None, description="premium, free, open ...")
    scope: str = Field(default="", description="Granted scopes, space separated")
    # repr=False: ciphertext is harmless, but it has no business in logs either.
    access_token_enc: bytes = Field(repr=False)
    refresh_token_enc: bytes = Field(repr=False)
    expires_at: datetime = Field(description="When the access token expires")
    status: LinkStatus = "connected"
    status_reason: str | None = None
    connected_at: datetime
    updated_at: datetime


class SyncState(BaseModel):
    """How far the sync of one resource (saved_tracks, recently_played ...) got.

    `cursor` is the resource's own resume point (an offset, a playlist id, a
    played-at cursor); `done` says the last pass reached the end.
    """

    model_config = ConfigDict(frozen=True)

    user_id: str
    resource: str = Field(min_length=1, max_length=64)
    cursor: str | None = None
    done: bool = False
    updated_at: datetime


class LoginAttempt(BaseModel):
    """A started OAuth login: the one-time `state` and its PKCE verifier."""

    model_config = ConfigDict(frozen=True)

    state: str = Field(min_length=16)
    verifier: str = Field(repr=False)
    created_at: datetime
    return_to: str | None = None


class Session(BaseModel):
    """A signed-in browser. Only the SHA-256 of the cookie value is stored."""

    model_config = ConfigDict(frozen=True)

    id_hash: str = Field(min_length=64, max_length=64)
    user_id: str
    created_at: datetime
    expires_at: datetime


class PlaylistWrite(BaseModel):
    """One "create playlist P with tracks T" request, in the idempotency ledger.

    (user_id, request_key) identifies the request; `payload_hash` what it asked
    for. `owner` names the attempt working on it, which holds it until
    `lease_until`. `items_added` counts the requested tracks (a prefix of the
    list, in order) known to be in the playlist. How the ledger is used is in
    `echotune.storage.base.PlaylistWriteRepo`.
    """

    model_config = ConfigDict(frozen=True)

    user_id: str
    request_key: str = Field(min_length=1, max_length=200)
    payload_hash: str
    owner: str
    lease_until: datetime
    playlist_id: str | None = None
    snapshot_id: str | None = None
    items_added: int = Field(default=0, ge=0)
    done: bool = False
    created_at: datetime
    updated_at: datetime
