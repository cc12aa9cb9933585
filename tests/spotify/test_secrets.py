"""Tokens, codes, verifiers and secrets never show in an error, a traceback or a log line."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
from prometheus_client import CollectorRegistry

from echotune.spotify import (
    HttpxTransport,
    InProcessWindow,
    SpotifyClient,
    SpotifyConfig,
    SpotifyError,
    SpotifyOAuth,
    build_transport,
)
from tests.spotify.doubles import FRESH_TOKEN, TOKEN, FakeTime, StaticTokens

SECRETS = (TOKEN, FRESH_TOKEN, "RT-SECRET", "CODE-SECRET", "VERIFIER-SECRET", "CS-SECRET")
CONFIG = SpotifyConfig(
    client_id="cid",
    client_secret="CS-SECRET",
    api_base="https://api.test/v1",
    accounts_base="https://accounts.test",
    retry_delays=(0.1, 0.1),
)


def failing(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/api/token":
        return httpx.Response(
            400, json={"error": "invalid_grant", "error_description": "Invalid refresh token"}
        )
    if path.endswith("/timeout"):
        raise httpx.ReadTimeout("timed out", request=request)
    if path.endswith("/refused"):
        raise httpx.ConnectError("refused", request=request)
    status = {
        "/v1/me": 401,
        "/v1/tracks": 500,
        "/v1/me/player/play": 404,
        "/v1/me/top/tracks": 429,
        "/v1/search": 400,
    }[path]
    # A hostile server that echoes the Authorization header back in its message.
    echoed = request.headers.get("authorization", "")
    headers = {"Retry-After": "3600"} if status == 429 else {}
    return httpx.Response(
        status, headers=headers, json={"error": {"status": status, "message": f"bad {echoed}"}}
    )


async def test_no_secret_reaches_messages_tracebacks_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    time = FakeTime()
    inner = HttpxTransport(client=httpx.AsyncClient(transport=httpx.MockTransport(failing)))
    transport = build_transport(
        CONFIG,
        CollectorRegistry(),
        inner=inner,
        window=InProcessWindow(100, 30.0, clock=time.clock),
        sleep=time.sleep,
    )
    client = SpotifyClient(CONFIG, transport, StaticTokens())
    oauth = SpotifyOAuth(CONFIG, transport)
    calls = [
        client.me(),
        client.tracks(["a"]),
        client.play(),
        client.search_tracks("q", 5),
        client._call("GET", "/timeout"),
        client._call("GET", "/refused"),
        oauth.refresh("RT-SECRET"),
        oauth.exchange_code("CODE-SECRET", "VERIFIER-SECRET"),
    ]
    errors: list[SpotifyError] = []
    for call in calls:
        with pytest.raises(SpotifyError) as caught:
            await call
        errors.append(caught.value)
    with pytest.raises(SpotifyError) as limited:
        async for _ in client.top_tracks():
            pass
    errors.append(limited.value)
    assert len({type(e) for e in errors}) >= 6  # every path above really failed differently
    texts = ["".join(traceback.format_exception(e)) + repr(e.args) for e in errors]
    texts.append(caplog.text)
    texts.extend(str(r.args) for r in caplog.records)
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
    await transport.aclose()
