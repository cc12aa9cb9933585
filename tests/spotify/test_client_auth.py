"""The client's 401 handling: refresh once and retry, then give up with SpotifyAuthError."""

from __future__ import annotations

import pytest

from echotune.spotify import (
    SpotifyAuthError,
    SpotifyClient,
    SpotifyConfig,
    SpotifyRequest,
    SpotifyResponse,
)
from tests.spotify.doubles import (
    FRESH_TOKEN,
    TOKEN,
    ScriptedTransport,
    StaticTokens,
    respond,
    spotify_error,
)

CONFIG = SpotifyConfig(client_id="c", api_base="https://api.test/v1")


async def test_a_401_refreshes_and_retries_once() -> None:
    def handler(request: SpotifyRequest) -> SpotifyResponse:
        if request.headers["Authorization"] == f"Bearer {FRESH_TOKEN}":
            return respond(200, {"id": "me"})
        return spotify_error(401, "The access token expired")

    inner, tokens = ScriptedTransport(handler), StaticTokens()
    user = await SpotifyClient(CONFIG, inner, tokens).me()
    assert user.id == "me" and tokens.refreshes == 1
    assert [r.headers["Authorization"] for r in inner.requests] == [
        f"Bearer {TOKEN}",
        f"Bearer {FRESH_TOKEN}",
    ]


async def test_a_second_401_raises_auth_error() -> None:
    inner, tokens = (
        ScriptedTransport(lambda r: spotify_error(401, "Invalid access token")),
        StaticTokens(),
    )
    with pytest.raises(SpotifyAuthError) as caught:
        await SpotifyClient(CONFIG, inner, tokens).me()
    assert caught.value.status == 401
    assert tokens.refreshes == 1 and len(inner.requests) == 2
