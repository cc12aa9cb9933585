"""PKCE, the authorize URL, code exchange, refresh, and RefreshingTokens."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from echotune.spotify import (
    SCOPE_NAMES,
    SCOPES,
    RefreshingTokens,
    SpotifyAuthError,
    SpotifyConfig,
    SpotifyOAuth,
    SpotifyRequest,
    SpotifyResponse,
    SpotifyTokenRevoked,
    TokenSet,
    new_pkce,
)
from tests.spotify.doubles import ScriptedTransport, respond

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CONFIG = SpotifyConfig(
    client_id="cid",
    client_secret="csecret-SECRET",
    redirect_uri="http://127.0.0.1:8000/auth/callback",
    accounts_base="https://accounts.test",
)


def oauth(inner: ScriptedTransport, config: SpotifyConfig = CONFIG) -> SpotifyOAuth:
    return SpotifyOAuth(config, inner, clock=lambda: NOW)


def test_pkce_challenge_is_s256_of_the_verifier() -> None:
    verifier, challenge = new_pkce()
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert challenge == expected.decode()
    assert new_pkce()[0] != verifier


def test_authorize_url_carries_everything_spotify_needs() -> None:
    url = oauth(ScriptedTransport()).authorize_url("st4te", "ch4llenge", SCOPE_NAMES)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://accounts.test/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "client_id": "cid",
        "response_type": "code",
        "redirect_uri": "http://127.0.0.1:8000/auth/callback",
        "state": "st4te",
        "scope": " ".join(SCOPE_NAMES),
        "code_challenge_method": "S256",
        "code_challenge": "ch4llenge",
    }


def test_every_scope_has_a_reason() -> None:
    assert len(SCOPES) == len(set(SCOPE_NAMES)) >= 8
    assert all(scope.reason and scope.name for scope in SCOPES)
    assert {"user-library-read", "playlist-modify-private", "user-modify-playback-state"} <= set(
        SCOPE_NAMES
    )


async def test_exchange_code_posts_the_form_with_basic_auth() -> None:
    body = {
        "access_token": "AT",
        "token_type": "Bearer",
        "scope": "a b",
        "expires_in": 3600,
        "refresh_token": "RT",
    }
    inner = ScriptedTransport(lambda r: respond(200, body))
    tokens = await oauth(inner).exchange_code("the-code", "the-verifier")
    assert tokens == TokenSet("AT", "RT", NOW + timedelta(hours=1), "a b")
    sent = inner.requests[0]
    assert (sent.method, sent.url) == ("POST", "https://accounts.test/api/token")
    assert sent.form == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "http://127.0.0.1:8000/auth/callback",
        "client_id": "cid",
        "code_verifier": "the-verifier",
    }
    basic = base64.b64encode(b"cid:csecret-SECRET").decode()
    assert sent.headers["Authorization"] == f"Basic {basic}"


async def test_without_a_secret_no_basic_auth_is_sent() -> None:
    inner = ScriptedTransport(lambda r: respond(200, {"access_token": "AT", "expires_in": 60}))
    await oauth(inner, SpotifyConfig(client_id="cid")).exchange_code("c", "v")
    assert "Authorization" not in inner.requests[0].headers


async def test_refresh_keeps_the_old_refresh_token_when_none_comes_back() -> None:
    inner = ScriptedTransport(
        lambda r: respond(200, {"access_token": "AT2", "expires_in": 3600, "scope": "s"})
    )
    tokens = await oauth(inner).refresh("RT-old")
    assert tokens.access_token == "AT2" and tokens.refresh_token == "RT-old"
    assert inner.requests[0].form == {
        "grant_type": "refresh_token",
        "refresh_token": "RT-old",
        "client_id": "cid",
    }


async def test_a_revoked_refresh_token_raises_token_revoked_without_the_token() -> None:
    inner = ScriptedTransport(
        lambda r: respond(
            400, {"error": "invalid_grant", "error_description": "Refresh token revoked"}
        )
    )
    with pytest.raises(SpotifyTokenRevoked) as caught:
        await oauth(inner).refresh("RT-SECRET-revoked")
    assert caught.value.reason == "invalid_grant"
    assert "RT-SECRET" not in str(caught.value)
    assert isinstance(caught.value, SpotifyAuthError)


async def test_a_bad_code_or_client_is_an_auth_error() -> None:
    inner = ScriptedTransport(lambda r: respond(400, {"error": "invalid_grant"}))
    with pytest.raises(SpotifyAuthError) as caught:
        await oauth(inner).exchange_code("CODE-SECRET", "VERIFIER-SECRET")
    assert not isinstance(caught.value, SpotifyTokenRevoked)
    assert "SECRET" not in str(caught.value)
    inner = ScriptedTransport(lambda r: respond(401, {"error": "invalid_client"}))
    with pytest.raises(SpotifyAuthError, match="invalid_client"):
        await oauth(inner).refresh("r")


def test_token_reprs_hide_the_secrets() -> None:
    tokens = TokenSet("AT-SECRET", "RT-SECRET", NOW, "s")
    request = SpotifyRequest(
        "POST",
        "u",
        headers={"Authorization": "Bearer AT-SECRET"},
        form={"refresh_token": "RT-SECRET"},
    )
    config = SpotifyConfig(
        client_id="c", client_secret="CS-SECRET", redirect_uri="r", redis_url="redis://:PW-SECRET@h"
    )
    assert "SECRET" not in repr(tokens) + repr(request) + repr(config)


class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def test_refreshing_tokens_refresh_ahead_of_expiry_and_once_for_many_401s() -> None:
    issued: list[str] = []

    async def answer(request: SpotifyRequest) -> SpotifyResponse:
        await asyncio.sleep(0.01)  # let concurrent callers pile up on the lock
        issued.append(f"AT{len(issued) + 1}")
        return respond(200, {"access_token": issued[-1], "expires_in": 3600})

    clock = _Clock()
    saved: list[TokenSet] = []

    async def on_refresh(tokens: TokenSet) -> None:
        saved.append(tokens)

    source = RefreshingTokens(
        SpotifyOAuth(CONFIG, ScriptedTransport(answer), clock=clock),
        TokenSet("AT0", "RT", NOW + timedelta(minutes=30), "s"),
        key="u1",
        on_refresh=on_refresh,
        clock=clock,
    )
    assert await source.access_token() == "AT0"
    clock.now = NOW + timedelta(minutes=29, seconds=30)  # inside the 60 s leeway
    assert await source.access_token() == "AT1"
    results = await asyncio.gather(*(source.refreshed() for _ in range(5)))
    assert results == ["AT2"] * 5 and issued == ["AT1", "AT2"]
    assert [t.access_token for t in saved] == ["AT1", "AT2"]
    assert source.current.refresh_token == "RT"
