"""A ready TokenSource over one TokenSet: refresh ahead of expiry, one refresh at a time.

The application may use it directly, persisting each new TokenSet from `on_refresh`
(encrypted, by its own storage), or write its own TokenSource.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from echotune.spotify.errors import SpotifyTokenRevoked
from echotune.spotify.oauth import SpotifyOAuth, TokenSet

OnRefresh = Callable[[TokenSet], Awaitable[None]]


class RefreshingTokens:
    def __init__(
        self,
        oauth: SpotifyOAuth,
        tokens: TokenSet,
        key: str,
        on_refresh: OnRefresh | None = None,
        leeway: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.key = key
        self._oauth = oauth
        self._tokens = tokens
        self._on_refresh = on_refresh
        self._leeway = leeway
        self._clock = clock
        self._lock = asyncio.Lock()

    @property
    def current(self) -> TokenSet:
        return self._tokens

    async def access_token(self) -> str:
        tokens = self._tokens
        if self._clock() >= tokens.expires_at - self._leeway:
            return await self._refresh(tokens.access_token)
        return tokens.access_token

    async def refreshed(self) -> str:
        return await self._refresh(self._tokens.access_token)

    async def _refresh(self, stale: str) -> str:
        async with self._lock:
            # Many requests may see the same 401 at once: the first refreshes, the rest reuse.
            if self._tokens.access_token != stale:
                return self._tokens.access_token
            refresh_token = self._tokens.refresh_token
            if refresh_token is None:
                raise SpotifyTokenRevoked("no refresh token: connect Spotify again")
            fresh = await self._oauth.refresh(refresh_token)
            self._tokens = fresh
            if self._on_refresh is not None:
                await self._on_refresh(fresh)
            return fresh.access_token
