"""Which users have Spotify connected, and a ready client for each of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel

from echotune.accounts.crypto import TokenCipher
from echotune.accounts.models import SpotifyLink
from echotune.accounts.token_source import StoredTokenSource
from echotune.errors import Conflict
from echotune.spotify.client import SpotifyClient
from echotune.spotify.config import SpotifyConfig
from echotune.spotify.oauth import SpotifyOAuth
from echotune.spotify.transport import Priority, Transport
from echotune.storage.base import SpotifyLinkRepo

NOT_CONFIGURED = (
    "Spotify is not configured on this server: set ECHOTUNE_SPOTIFY__CLIENT_ID "
    "(EchoTune keeps working offline without it)"
)
NOT_CONNECTED = "No Spotify account is connected: log in at /auth/login"


def _now() -> datetime:
    return datetime.now(UTC)


class ConnectionStatus(BaseModel):
    configured: bool
    connected: bool
    spotify_user_id: str | None = None
    display_name: str | None = None
    product: str | None = None
    scope: list[str] = []
    detail: str | None = None
    connected_at: datetime | None = None


class SpotifyApi:
    """The configured Spotify app: its config, OAuth helper and shared transport."""

    def __init__(self, config: SpotifyConfig, transport: Transport) -> None:
        self.config = config
        self.transport = transport
        self.oauth = SpotifyOAuth(config, transport)


class SpotifyConnections:
    def __init__(
        self,
        api: SpotifyApi | None,
        links: SpotifyLinkRepo,
        cipher: TokenCipher,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._api = api
        self._links = links
        self._cipher = cipher
        self._clock = clock
        self._sources: dict[str, StoredTokenSource] = {}

    @property
    def api(self) -> SpotifyApi:
        if self._api is None:
            raise Conflict(NOT_CONFIGURED)
        return self._api

    async def client(self, user_id: str, priority: Priority = Priority.HIGH) -> SpotifyClient:
        """A client acting for the user; 409 when Spotify is off or the account is not connected."""
        api = self.api
        source = self._sources.get(user_id)
        if source is None or not source.connected:
            link = await self._links.get_for_user(user_id)
            if link is None:
                raise Conflict(NOT_CONNECTED)
            if link.status != "connected":
                raise Conflict(f"Spotify account disconnected: {link.status_reason}")
            source = StoredTokenSource(link, self._links, api.oauth, self._cipher, self._clock)
            self._sources[user_id] = source
        return SpotifyClient(api.config, api.transport, source, priority)

    async def aclose(self) -> None:
        if self._api is not None:
            await self._api.transport.aclose()

    def forget(self, user_id: str) -> None:
        """Drop the cached tokens of a user (after a new login or a logout)."""
        self._sources.pop(user_id, None)

    async def connected_users(self) -> list[str]:
        return [link.user_id for link in await self._links.list_connected()]

    async def status(self, user_id: str) -> ConnectionStatus:
        link = await self._links.get_for_user(user_id)
        if link is None:
            return ConnectionStatus(
                configured=self._api is not None,
                connected=False,
                detail=NOT_CONNECTED if self._api else NOT_CONFIGURED,
            )
        return _status_of(link, self._api is not None)


def _status_of(link: SpotifyLink, configured: bool) -> ConnectionStatus:
    return ConnectionStatus(
        configured=configured,
        connected=link.status == "connected",
        spotify_user_id=link.spotify_user_id,
        display_name=link.display_name,
        product=link.product,
        scope=link.scope.split(),
        detail=link.status_reason,
        connected_at=link.connected_at,
    )
