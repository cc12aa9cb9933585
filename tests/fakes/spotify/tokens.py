"""The accounts service's memory: registered apps, one-time codes, and issued tokens."""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field

from tests.fakes.spotify.ids import token

DEFAULT_CLIENT_ID = "fakeclientid0123456789abcdef0123"
DEFAULT_CLIENT_SECRET = "fakeclientsecret0123456789abcdef"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/auth/callback"
ACCESS_TOKEN_TTL = 3600
ALL_SCOPES = (
    "user-read-private user-read-email user-library-read user-library-modify user-top-read "
    "user-read-recently-played playlist-read-private playlist-read-collaborative "
    "playlist-modify-private playlist-modify-public user-read-playback-state "
    "user-modify-playback-state user-read-currently-playing"
)


@dataclass
class ClientApp:
    client_id: str
    client_secret: str
    redirect_uris: list[str]


@dataclass(frozen=True)
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    user_id: str
    scope: str
    code_challenge: str | None


@dataclass
class AccessToken:
    token: str
    user_id: str
    client_id: str
    scope: str
    expires_at: float  # time.time(), like the expires_in Spotify hands out


@dataclass
class RefreshToken:
    token: str
    user_id: str
    client_id: str
    scope: str


@dataclass(frozen=True)
class TokenPair:
    """What a successful token exchange hands out."""

    access_token: str
    refresh_token: str
    expires_in: int
    scope: str


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class TokenStore:
    clients: dict[str, ClientApp] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    access_ttl: int = ACCESS_TOKEN_TTL
    # Spotify may hand out a new refresh token on refresh; off by default, on to test rotation.
    rotate_refresh: bool = False

    def register_client(
        self, client_id: str, client_secret: str, redirect_uris: list[str]
    ) -> ClientApp:
        app = ClientApp(client_id, client_secret, list(redirect_uris))
        self.clients[client_id] = app
        return app

    def new_code(
        self,
        client_id: str,
        redirect_uri: str,
        user_id: str,
        scope: str,
        code_challenge: str | None,
    ) -> str:
        code = token("AQC")
        self.codes[code] = AuthCode(code, client_id, redirect_uri, user_id, scope, code_challenge)
        return code

    def pop_code(self, code: str) -> AuthCode | None:
        """A code works once: a replayed one is gone."""
        return self.codes.pop(code, None)

    def issue(
        self, user_id: str, client_id: str = DEFAULT_CLIENT_ID, scope: str = ALL_SCOPES
    ) -> TokenPair:
        refresh = RefreshToken(token("AQ"), user_id, client_id, scope)
        self.refresh[refresh.token] = refresh
        return self._access_for(refresh)

    def refreshed(self, refresh_token: str) -> TokenPair:
        """A new access token (and, when rotating, a new refresh token) for a live refresh token."""
        old = self.refresh[refresh_token]
        if self.rotate_refresh:
            self.revoked.add(refresh_token)
            old = RefreshToken(token("AQ"), old.user_id, old.client_id, old.scope)
            self.refresh[old.token] = old
        return self._access_for(old)

    def _access_for(self, refresh: RefreshToken) -> TokenPair:
        access = AccessToken(
            token("BQ"),
            refresh.user_id,
            refresh.client_id,
            refresh.scope,
            time.time() + self.access_ttl,
        )
        self.access[access.token] = access
        return TokenPair(access.token, refresh.token, self.access_ttl, refresh.scope)

    def expire(self, access_token: str) -> None:
        self.access[access_token].expires_at = time.time() - 1

    def revoke(self, refresh_token: str) -> None:
        self.revoked.add(refresh_token)
