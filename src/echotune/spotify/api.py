"""The core every noun module builds on: bearer auth, one refresh on 401, errors, paging.

SpotifyClient (client.py) is assembled from one small class per noun (catalog, library,
playlists, player), each adding methods over `_call` and `_pages` defined here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Self, TypeVar

from pydantic import BaseModel, ValidationError

from echotune.spotify.config import SpotifyConfig
from echotune.spotify.errors import SpotifyAuthError, SpotifyError
from echotune.spotify.models import Page
from echotune.spotify.oauth import TokenSource
from echotune.spotify.status import error_for
from echotune.spotify.transport import Priority, SpotifyRequest, SpotifyResponse, Transport

M = TypeVar("M", bound=BaseModel)
Params = Mapping[str, str | int]


class ApiCore:
    def __init__(
        self,
        config: SpotifyConfig,
        transport: Transport,
        tokens: TokenSource,
        priority: Priority = Priority.HIGH,
    ) -> None:
        self._config = config
        self._transport = transport
        self._tokens = tokens
        self._priority = priority

    @property
    def development(self) -> bool:
        return self._config.api_mode == "development"

    def with_priority(self, priority: Priority) -> Self:
        """The same account and transport, queued at `priority` (LOW for background sync)."""
        return type(self)(self._config, self._transport, self._tokens, priority)

    async def _call(
        self,
        method: str,
        path: str,
        params: Params | None = None,
        json: object | None = None,
        unavailable_on: int | None = None,
    ) -> object:
        """The decoded JSON body of a 2xx answer (None when empty); a typed error otherwise."""
        what = f"{method} {path}"
        token = await self._tokens.access_token()
        response = await self._send(method, path, params, json, token)
        if response.status == 401:
            # The token may have been revoked or expired early: refresh once, then give up.
            token = await self._tokens.refreshed()
            response = await self._send(method, path, params, json, token)
            if response.status == 401:
                raise SpotifyAuthError(f"{what}: Spotify refused a freshly refreshed token", 401)
        if not 200 <= response.status < 300:
            raise error_for(what, response, unavailable_on, secrets=(token,))
        try:
            return response.json()
        except ValueError:
            raise SpotifyError(
                f"{what}: Spotify sent a body that is not JSON", response.status
            ) from None

    async def _send(
        self, method: str, path: str, params: Params | None, json: object | None, token: str
    ) -> SpotifyResponse:
        request = SpotifyRequest(
            method=method,
            url=f"{self._config.api_base.rstrip('/')}{path}",
            params={k: str(v) for k, v in (params or {}).items()},
            headers={"Authorization": f"Bearer {token}"},
            json=json,
            priority=self._priority,
            token_key=self._tokens.key,
        )
        return await self._transport.send(request)

    async def _model(
        self,
        model: type[M],
        method: str,
        path: str,
        params: Params | None = None,
        json: object | None = None,
    ) -> M:
        return parse(model, await self._call(method, path, params, json), f"{method} {path}")

    async def _pages(
        self,
        model: type[M],
        path: str,
        params: Params | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> AsyncIterator[list[M]]:
        """Offset paging, one list per page, until Spotify says there is no next page."""
        while True:
            body = await self._call(
                "GET", path, {**(params or {}), "limit": limit, "offset": offset}
            )
            page = parse(Page[model], body, f"GET {path}")  # type: ignore[valid-type]
            if page.items:
                yield page.items
            offset += len(page.items)
            if page.next is None or not page.items:
                return


def parse(model: type[M], body: object, what: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise SpotifyError(f"{what}: unexpected response ({exc.error_count()} errors)") from exc


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
