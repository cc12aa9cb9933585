"""HttpxTransport over httpx's MockTransport, and over real loopback sockets for failures."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import httpx
import pytest

from echotune.spotify import HttpxTransport, SpotifyRequest, SpotifyTimeout
from echotune.spotify.transport import retry_after
from tests.spotify.doubles import TOKEN, respond


async def test_the_request_is_sent_as_given_and_the_answer_normalised() -> None:
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(201, headers={"ETag": '"e"', "Retry-After": "2"}, json={"ok": True})

    transport = HttpxTransport(client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    response = await transport.send(
        SpotifyRequest(
            "POST",
            "https://api.test/v1/playlists/p/items",
            params={"a": "1"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            json={"uris": ["u"]},
        )
    )
    assert response.status == 201 and response.json() == {"ok": True}
    assert response.headers["etag"] == '"e"' and retry_after(response) == 2.0
    assert str(seen[0].url) == "https://api.test/v1/playlists/p/items?a=1"
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(seen[0].content) == {"uris": ["u"]}

    await transport.send(SpotifyRequest("POST", "https://acc.test/api/token", form={"k": "v w"}))
    assert seen[1].content == b"k=v+w"
    assert seen[1].headers["content-type"] == "application/x-www-form-urlencoded"
    await transport.aclose()


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after(respond(429, headers={"retry-after": "3600"})) == 3600
    assert retry_after(respond(429, headers={"retry-after": "soon"})) is None
    assert retry_after(respond(429)) is None
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 120))
    assert 100 < (retry_after(respond(429, headers={"retry-after": later})) or 0) <= 120


async def test_a_read_timeout_on_a_real_socket_is_a_spotify_timeout_that_was_sent() -> None:
    release, finished = asyncio.Event(), asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await release.wait()  # read the request, never answer
        writer.close()
        await writer.wait_closed()
        finished.set()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = HttpxTransport(timeout=0.2)
    try:
        with pytest.raises(SpotifyTimeout) as caught:
            await transport.send(
                SpotifyRequest(
                    "GET",
                    f"http://127.0.0.1:{port}/v1/me",
                    params={"q": "x"},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
            )
        assert caught.value.request_sent is True
        assert str(caught.value) == "GET /v1/me: ReadTimeout"
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
    finally:
        await transport.aclose()
        release.set()
        await asyncio.wait_for(finished.wait(), 5)
        server.close()
        await server.wait_closed()


async def test_a_refused_connection_is_a_timeout_that_was_never_sent() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the request: nobody listens
    transport = HttpxTransport(timeout=1.0)
    with pytest.raises(SpotifyTimeout) as caught:
        await transport.send(SpotifyRequest("POST", f"http://127.0.0.1:{port}/v1/me/player/next"))
    assert caught.value.request_sent is False
    await transport.aclose()
