"""A user's Spotify tokens, read from storage, decrypted on use, refreshed before expiry.

One instance per connected user, shared by every request of that user, so
concurrent calls that find the token expiring refresh it once (single flight).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from echotune.accounts.crypto import TokenCipher
from echotune.accounts.models import SpotifyLink
from echotune.errors import Conflict
from echotune.spotify.errors import SpotifyTokenRevoked
from echotune.spotify.oauth import SpotifyOAuth, TokenSet
from echotune.storage.base import SpotifyLinkRepo

# Refresh this long before the access token expires, so a request that starts
# just before expiry does not reach Spotify with a dead token.
REFRESH_MARGIN = timedelta(seconds=60)
REVOKED_REASON = "Spotify refused the refresh token (access revoked); log in again at /auth/login"


def _now() -> datetime:
    return datetime.now(UTC)


class StoredTokenSource:
    """Implements `echotune.spotify.oauth.TokenSource` over a stored SpotifyLink."""

    def __init__(
        self,
        link: SpotifyLink,
        links: SpotifyLinkRepo,
        oauth: SpotifyOAuth,
        cipher: TokenCipher,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.key = link.user_id
        self._link = link
        self._links = links
        self._oauth = oauth
        self._cipher = cipher
        self._clock = clock
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._link.status == "connected"

    async def access_token(self) -> str:
        if self._link.expires_at - REFRESH_MARGIN <= self._clock():
            return await self._refresh(self._link.access_token_enc)
        return self._cipher.decrypt(self._link.access_token_enc)

    async def refreshed(self) -> str:
        return await self._refresh(self._link.access_token_enc)

    async def _refresh(self, seen: bytes) -> str:
        async with self._lock:
            if self._link.access_token_enc != seen:
                # Another request refreshed while this one waited for the lock.
                return self._cipher.decrypt(self._link.access_token_enc)
            if self._link.status != "connected":
                raise Conflict(f"Spotify account disconnected: {self._link.status_reason}")
            try:
                tokens = await self._oauth.refresh(self._cipher.decrypt(self._link.refresh_token_enc))
            except SpotifyTokenRevoked:
                await self._links.mark_disconnected(self.key, REVOKED_REASON, self._clock())
                self._link = self._link.model_copy(
                    update={"status": "disconnected", "status_reason": REVOKED_REASON}
                )
                raise
            await self._store(tokens)
            return tokens.access_token

    async def _store(self, tokens: TokenSet) -> None:
        access = self._cipher.encrypt(tokens.access_token)
        refresh = (
            self._cipher.encrypt(tokens.refresh_token)
            if tokens.refresh_token
            else self._link.refresh_token_enc
        )
        now = self._clock()
        await self._links.update_tokens(self.key, access, refresh, tokens.expires_at, now)
        self._link = self._link.model_copy(
            update={
                "access_token_enc": access,
                "refresh_token_enc": refresh,
                "expires_at": tokens.expires_at,
                "updated_at": now,
            }
        )


class StaticTokenSource:
    """A token just received from the code exchange, used once to ask who logged in."""

    def __init__(self, access_token: str, key: str = "login") -> None:
        self.key = key
        self._token = access_token

    async def access_token(self) -> str:
        return self._token

    async def refreshed(self) -> str:
        return self._token
