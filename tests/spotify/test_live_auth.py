"""Against the loopback fake: the PKCE login, refresh on expiry and on 401, revocation."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from echotune.spotify import (
    SCOPE_NAMES,
    SpotifyError,
    SpotifyTokenRevoked,
    new_pkce,
)
from tests.fakes.spotify.server import FakeSpotify
from tests.spotify.conftest import Live, connect


async def test_the_full_pkce_login_then_an_api_call(live: Live) -> None:
    verifier, challenge = new_pkce()
    state = secrets.token_urlsafe(16)
    url = live.oauth.authorize_url(state, challenge, SCOPE_NAMES)
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(url)  # the fake consents at once and redirects back
    assert consent.status_code == 302
    back = urlsplit(consent.headers["location"])
    assert back.scheme + "://" + back.netloc + back.path == live.config.redirect_uri
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert query["state"] == state

    tokens = await live.oauth.exchange_code(query["code"], verifier)
    assert tokens.refresh_token and set(SCOPE_NAMES) <= set(tokens.scope.split())
    live.use_tokens(tokens.access_token, tokens.refresh_token, key=live.fake.user_id)
    me = await live.client.me()
    assert me.id == live.fake.user_id and me.product == "premium"
    assert live.fake.log.find("/v1/me")[0].token == tokens.access_token


async def test_a_wrong_verifier_is_refused(live: Live) -> None:
    _, challenge = new_pkce()
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(live.oauth.authorize_url("s", challenge, SCOPE_NAMES))
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    with pytest.raises(SpotifyError) as caught:
        await live.oauth.exchange_code(code, new_pkce()[0])
    assert caught.value.reason == "invalid_grant"


async def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(live: Live) -> None:
    stale = live.tokens.current.access_token
    live.fake.faults.expire_token(stale)
    assert (await live.client.me()).id == live.fake.user_id
    assert live.fake.log.statuses("/v1/me") == [401, 200]
    assert live.fake.log.count("/api/token") == 1
    assert live.tokens.current.access_token != stale
    assert live.tokens.current.refresh_token is not None


async def test_a_revoked_refresh_token_raises_token_revoked(live: Live) -> None:
    live.fake.faults.expire_token(live.tokens.current.access_token)
    assert live.tokens.current.refresh_token is not None
    live.fake.faults.revoke_refresh(live.tokens.current.refresh_token)
    with pytest.raises(SpotifyTokenRevoked):
        await live.client.me()


async def test_no_token_reaches_any_log_over_real_http(
    live: Live, fake_spotify: FakeSpotify, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_spotify.faults.add("/v1/me", status=500, times=1)
    fake_spotify.faults.add("/v1/me/player/devices", status=429, headers={"Retry-After": "999"})
    first = live.tokens.current
    live.fake.faults.expire_token(first.access_token)
    await live.client.me()  # 401, refresh, then a 500 and a retry
    second = live.tokens.current
    with pytest.raises(SpotifyError):
        await live.client.devices()  # 429 beyond the cap: the account is now held
    assert first.refresh_token is not None
    live.fake.faults.revoke_refresh(first.refresh_token)
    live.fake.faults.expire_token(second.access_token)
    other = await connect(fake_spotify)
    other.use_tokens(second.access_token, second.refresh_token, key="other")
    with pytest.raises(SpotifyTokenRevoked):
        await other.client.tracks(["x" * 22])
    await other.transport.aclose()
    seen = {first.access_token, second.access_token, first.refresh_token}
    assert any(r.name.startswith("httpcore") for r in caplog.records)  # debug logs were on
    for secret in seen:
        assert secret not in caplog.text
