"""Authorization Code with PKCE (S256) against Spotify's accounts service.

The accounts base URL is configuration, so tests and staging point it at a loopback server.
Token endpoint errors are reported by their OAuth error code only; the code, verifier,
refresh token and client secret never reach a message.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlencode

from echotune.spotify.config import SpotifyConfig
from echotune.spotify.errors import SpotifyAuthError, SpotifyError, SpotifyTokenRevoked
from echotune.spotify.transport import SpotifyRequest, SpotifyResponse, Transport


def new_pkce() -> tuple[str, str]:
    """(verifier, S256 challenge): a 64-character verifier of RFC 7636's unreserved alphabet."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime
    scope: str


class TokenSource(Protocol):
    """Supplies bearer tokens for one account; the application implements it over its store."""

    key: str

    async def access_token(self) -> str:
        """A token valid for a while yet; refreshes ahead of expiry by itself."""
        ...

    async def refreshed(self) -> str:
        """Force a refresh (Spotify said 401) and return the new token."""
        ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SpotifyOAuth:
    def __init__(
        self,
        config: SpotifyConfig,
        transport: Transport,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._config = config
        self._transport = transport
        self._clock = clock

    def authorize_url(self, state: str, code_challenge: str, scopes: Sequence[str]) -> str:
        query = urlencode(
            {
                "client_id": self._config.client_id,
                "response_type": "code",
                "redirect_uri": self._config.redirect_uri,
                "state": state,
                "scope": " ".join(scopes),
                "code_challenge_method": "S256",
                "code_challenge": code_challenge,
            }
        )
        return f"{self._config.accounts_base.rstrip('/')}/authorize?{query}"

    async def exchange_code(self, code: str, verifier: str) -> TokenSet:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._config.redirect_uri,
            "client_id": self._config.client_id,
            "code_verifier": verifier,
        }
        return self._token_set(await self._post(form, "authorization code"), None)

    async def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens; SpotifyTokenRevoked when Spotify no longer honours `refresh_token`."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self._config.client_id,
        }
        # Spotify may or may not rotate the refresh token; keep the old one when it does not.
        return self._token_set(await self._post(form, "refresh"), refresh_token)

    async def _post(self, form: dict[str, str], grant: str) -> dict[str, object]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self._config.client_secret:
            pair = f"{self._config.client_id}:{self._config.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        request = SpotifyRequest(
            "POST",
            f"{self._config.accounts_base.rstrip('/')}/api/token",
            headers=headers,
            form=form,
        )
        response = await self._transport.send(request)
        body = _json_object(response)
        if response.status == 200 and isinstance(body.get("access_token"), str):
            return body
        error = body.get("error")
        code = error if isinstance(error, str) else f"status {response.status}"
        message = f"Spotify refused the {grant} grant: {code}"
        if code == "invalid_grant" and grant == "refresh":
            raise SpotifyTokenRevoked(message, response.status, code)
        if response.status in (400, 401, 403):
            raise SpotifyAuthError(message, response.status, code)
        raise SpotifyError(message, response.status, code)

    def _token_set(self, body: dict[str, object], old_refresh: str | None) -> TokenSet:
        expires_in = body.get("expires_in")
        seconds = expires_in if isinstance(expires_in, int | float) else 3600
        refresh = body.get("refresh_token")
        scope = body.get("scope")
        return TokenSet(
            access_token=str(body["access_token"]),
            refresh_token=refresh if isinstance(refresh, str) else old_refresh,
            expires_at=self._clock() + timedelta(seconds=float(seconds)),
            scope=scope if isinstance(scope, str) else "",
        )


def _json_object(response: SpotifyResponse) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
