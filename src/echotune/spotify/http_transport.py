"""The innermost transport: one shared httpx.AsyncClient, failures turned into our errors."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from echotune.spotify.errors import SpotifyTimeout
from echotune.spotify.transport import SpotifyRequest, SpotifyResponse


class HttpxTransport:
    def __init__(self, timeout: float = 10.0, client: httpx.AsyncClient | None = None) -> None:
        # No connection-pool wait limit beyond `timeout`: a stuck pool must not hang a caller.
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def send(self, request: SpotifyRequest) -> SpotifyResponse:
        try:
            response = await self._client.request(
                request.method,
                request.url,
                params=dict(request.params) or None,
                headers=dict(request.headers),
                json=request.json,
                data=dict(request.form) if request.form is not None else None,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise SpotifyTimeout(_describe(request, exc), request_sent=False) from None
        except httpx.TransportError as exc:
            raise SpotifyTimeout(_describe(request, exc), request_sent=True) from None
        return SpotifyResponse(
            status=response.status_code,
            headers={name.lower(): value for name, value in response.headers.items()},
            content=response.content,
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def _describe(request: SpotifyRequest, exc: httpx.TransportError) -> str:
    # Only the class name of the failure and the path: httpx messages may quote the URL's
    # query, and `from None` keeps the httpx request (with its headers) out of the traceback.
    path = urlsplit(request.url).path
    return f"{request.method} {path}: {type(exc).__name__}"
