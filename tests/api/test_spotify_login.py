"""The login flow against the loopback fake: PKCE, one-time state, cookie, refresh, logout."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from echotune.accounts.sessions import SESSION_COOKIE
from tests.api.spotify_app import consent, login, start_login
from tests.fakes.spotify.server import FakeSpotify


def new_user(fake: FakeSpotify, product: str = "premium") -> str:
    user_id = "u" + uuid.uuid4().hex[:10]
    fake.state.add_user(user_id, f"Listener {user_id}", product)  # type: ignore[arg-type]
    return user_id


def test_login_redirects_to_spotify_with_pkce_and_state(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    location = start_login(spotify_api)
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    assert location.startswith(fake_spotify.accounts_base + "/authorize")
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [fake_spotify.client_id]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256, unpadded
    assert len(query["state"][0]) >= 32
    assert "playlist-modify-private" in query["scope"][0].split()
    assert start_login(spotify_api) != location  # a fresh state every time


def test_full_login_sets_a_safe_cookie_and_connects(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    spotify_user = new_user(fake_spotify)
    response = login(spotify_api, fake_spotify, spotify_user)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get Secure
    status = spotify_api.get("/api/v1/me/spotify").json()
    assert status["connected"] is True
    assert status["spotify_user_id"] == spotify_user
    assert status["product"] == "premium"
    # The session works on every /api/v1/me route, like a bearer token.
    assert spotify_api.get("/api/v1/me/history").status_code == 200


def test_login_twice_is_the_same_user(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    spotify_user = new_user(fake_spotify)
    login(spotify_api, fake_spotify, spotify_user)
    first = spotify_api.get("/api/v1/me/spotify").json()
    spotify_api.cookies.clear()
    login(spotify_api, fake_spotify, spotify_user)
    second = spotify_api.get("/api/v1/me/spotify").json()
    assert first["spotify_user_id"] == second["spotify_user_id"] == spotify_user


def test_forged_state_is_refused(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    callback = consent(start_login(spotify_api))
    forged = callback.replace("state=", "state=forged")
    response = spotify_api.get(forged, follow_redirects=False)
    assert response.status_code == 401
    assert "state" in response.json()["error"]["message"]
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_state_works_once(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    fake_spotify.state.authorize_as = new_user(fake_spotify)
    callback = consent(start_login(spotify_api))
    assert spotify_api.get(callback, follow_redirects=False).status_code == 302
    replay = spotify_api.get(callback, follow_redirects=False)
    assert replay.status_code == 401


def test_denied_consent_is_a_clear_401(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    fake_spotify.state.deny_consent = True
    response = spotify_api.get(consent(start_login(spotify_api)), follow_redirects=False)
    assert response.status_code == 401
    assert "access_denied" in response.json()["error"]["message"]


def test_return_to_must_stay_on_this_server(spotify_api: TestClient) -> None:
    response = spotify_api.get(
        "/auth/login", params={"return_to": "https://evil.example/"}, follow_redirects=False
    )
    assert response.status_code == 400
    assert "return_to" in response.json()["error"]["message"]


def test_return_to_is_where_the_callback_lands(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    fake_spotify.state.authorize_as = new_user(fake_spotify)
    callback = consent(start_login(spotify_api, return_to="/docs"))
    response = spotify_api.get(callback, follow_redirects=False)
    assert response.headers["location"] == "/docs"


def test_tokens_are_encrypted_at_rest_and_never_logged(
    spotify_api: TestClient, fake_spotify: FakeSpotify, spotify_dir: Path, capsys: object
) -> None:
    spotify_user = new_user(fake_spotify)
    login(spotify_api, fake_spotify, spotify_user)
    issued = [t for t in fake_spotify.state.tokens.access.values() if t.user_id == spotify_user]
    assert issued
    token = issued[-1].token
    refresh = [r for r in fake_spotify.state.tokens.refresh.values() if r.user_id == spotify_user]
    db = sqlite3.connect(spotify_dir / "echotune.db")
    try:
        blobs = db.execute("SELECT access_token_enc, refresh_token_enc FROM spotify_links").fetchall()
    finally:
        db.close()
    stored = b"".join(a + r for a, r in blobs)
    assert token.encode() not in stored
    assert all(r.token.encode() not in stored for r in refresh)
    out = capsys.readouterr()  # type: ignore[attr-defined]
    assert token not in out.out + out.err


def test_expired_token_is_refreshed(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    spotify_user = new_user(fake_spotify)
    fake_spotify.state.add_device(spotify_user, "Kitchen", active=True)
    login(spotify_api, fake_spotify, spotify_user)
    for token in list(fake_spotify.state.tokens.access.values()):
        if token.user_id == spotify_user:
            fake_spotify.faults.expire_token(token.token)
    response = spotify_api.get("/api/v1/me/spotify/devices")
    assert response.status_code == 200, response.text
    assert [d["name"] for d in response.json()["devices"]] == ["Kitchen"]
    assert fake_spotify.log.count("/api/token", "POST") >= 2  # the code, then a refresh


def test_revoked_refresh_token_disconnects_but_keeps_data(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    spotify_user = new_user(fake_spotify)
    login(spotify_api, fake_spotify, spotify_user)
    played = spotify_api.post("/api/v1/me/plays", json={
        "track_id": "0r7CVbZTWZgbTCYdfa2P31", "played_at": "2026-11-01T10:00:00Z",
        "ms_played": 200000})  # fmt: skip
    assert played.status_code in (200, 201), played.text
    for token in list(fake_spotify.state.tokens.access.values()):
        if token.user_id == spotify_user:
            fake_spotify.faults.expire_token(token.token)
    for refresh in list(fake_spotify.state.tokens.refresh.values()):
        if refresh.user_id == spotify_user:
            fake_spotify.faults.revoke_refresh(refresh.token)
    response = spotify_api.get("/api/v1/me/spotify/devices")
    assert response.status_code == 409
    assert "log in again" in response.json()["error"]["message"]
    status = spotify_api.get("/api/v1/me/spotify").json()
    assert status["connected"] is False and "revoked" in status["detail"]
    history = spotify_api.get("/api/v1/me/history").json()
    assert [p["track_id"] for p in history["items"]] == ["0r7CVbZTWZgbTCYdfa2P31"]


def test_logout_ends_the_session_and_forgets_tokens(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    login(spotify_api, fake_spotify, new_user(fake_spotify))
    response = spotify_api.post("/auth/logout")
    assert response.status_code == 204
    assert 'echotune_session=""' in response.headers["set-cookie"] or "Max-Age=0" in (
        response.headers["set-cookie"]
    )
    assert spotify_api.get("/api/v1/me/spotify").status_code == 401


def test_without_credentials_spotify_routes_say_so(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/auth/login", follow_redirects=False)
    assert response.status_code == 409
    assert "ECHOTUNE_SPOTIFY__CLIENT_ID" in response.json()["error"]["message"]
    status = client.get("/api/v1/me/spotify", headers=auth).json()
    assert status == {**status, "configured": False, "connected": False}
    assert client.get("/api/v1/me/spotify/devices", headers=auth).status_code == 409


def test_cookie_is_secure_behind_https(
    spotify_client: TestClient, fake_spotify: FakeSpotify
) -> None:
    fake_spotify.state.authorize_as = new_user(fake_spotify)
    spotify_client.cookies.clear()
    plain = spotify_client.base_url
    spotify_client.base_url = "https://echotune.example"  # type: ignore[assignment]
    try:
        callback = consent(start_login(spotify_client))
        response = spotify_client.get(callback, follow_redirects=False)
    finally:
        spotify_client.base_url = plain
        spotify_client.cookies.clear()
    assert response.status_code == 302
    assert "Secure" in response.headers["set-cookie"]
