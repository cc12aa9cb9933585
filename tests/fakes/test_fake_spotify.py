"""The fake Spotify itself: login with PKCE, tokens, paging, modes, player errors, the spec check."""

from __future__ import annotations

import time

import httpx

from tests.fakes.helpers import api, authorize, pkce, redirect_params, token_request
from tests.fakes.spotify import FakeSpotify, FakeState
from tests.fakes.spotify.validate import spec_mismatch


def login(fake: FakeSpotify) -> dict[str, object]:
    verifier, challenge = pkce()
    code = redirect_params(authorize(fake, challenge))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": fake.redirect_uri,
        "client_id": fake.client_id,
        "code_verifier": verifier,
    }
    response = token_request(fake, form)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_login_with_pkce_gives_tokens_that_work(fake_spotify: FakeSpotify) -> None:
    verifier, challenge = pkce()
    params = redirect_params(authorize(fake_spotify, challenge, state="abc"))
    assert params["state"] == "abc"
    form = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "redirect_uri": fake_spotify.redirect_uri,
        "client_id": fake_spotify.client_id,
        "code_verifier": verifier,
    }
    tokens = token_request(fake_spotify, form).json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert tokens["scope"] == "user-read-private user-library-read"
    me = httpx.get(
        f"{fake_spotify.api_base}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["id"] == "fakeuser"
    replay = token_request(fake_spotify, form)  # a code works once
    assert replay.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid authorization code",
    }


def test_wrong_verifier_redirect_or_method_is_refused(fake_spotify: FakeSpotify) -> None:
    _, challenge = pkce()
    code = redirect_params(authorize(fake_spotify, challenge))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": fake_spotify.redirect_uri,
        "client_id": fake_spotify.client_id,
        "code_verifier": "not-the-verifier",
    }
    refused = token_request(fake_spotify, form)
    assert refused.status_code == 400
    assert refused.json()["error_description"] == "code_verifier was incorrect"
    plain = redirect_params(authorize(fake_spotify, challenge, method="plain"))
    assert plain["error"] == "invalid_request"
    fake_spotify.state.deny_consent = True
    assert redirect_params(authorize(fake_spotify, challenge))["error"] == "access_denied"
    fake_spotify.allow_redirect_uri("http://testserver/auth/callback")
    ok = httpx.get(
        f"{fake_spotify.accounts_base}/authorize",
        params={
            "client_id": fake_spotify.client_id,
            "response_type": "code",
            "state": "s",
            "redirect_uri": "http://testserver/auth/callback",
        },
    )
    assert redirect_params(ok)["error"] == "access_denied"  # still denying consent
    bad_redirect = httpx.get(
        f"{fake_spotify.accounts_base}/authorize",
        params={
            "client_id": fake_spotify.client_id,
            "response_type": "code",
            "redirect_uri": "http://evil.example/cb",
        },
    )
    assert bad_redirect.status_code == 400


def test_code_flow_with_client_secret_in_basic_auth(fake_spotify: FakeSpotify) -> None:
    code = redirect_params(authorize(fake_spotify, None))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": fake_spotify.redirect_uri,
    }
    wrong = token_request(fake_spotify, form, (fake_spotify.client_id, "nope"))
    assert wrong.json()["error"] == "invalid_client"
    code = redirect_params(authorize(fake_spotify, None))["code"]
    right = token_request(
        fake_spotify, {**form, "code": code}, (fake_spotify.client_id, fake_spotify.client_secret)
    )
    assert right.status_code == 200 and right.json()["refresh_token"].startswith("AQ")


def test_refresh_then_revoked_refresh(fake_spotify: FakeSpotify) -> None:
    tokens = login(fake_spotify)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": str(tokens["refresh_token"]),
        "client_id": fake_spotify.client_id,
    }
    fresh = token_request(fake_spotify, form).json()
    assert fresh["access_token"] != tokens["access_token"] and "refresh_token" not in fresh
    me = httpx.get(
        f"{fake_spotify.api_base}/me", headers={"Authorization": f"Bearer {fresh['access_token']}"}
    )
    assert me.status_code == 200
    fake_spotify.state.tokens.rotate_refresh = True
    rotated = token_request(fake_spotify, form).json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    again = token_request(fake_spotify, form)  # the rotated-out token is revoked
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}


def test_unknown_missing_and_expired_tokens(fake_spotify: FakeSpotify) -> None:
    me = f"{fake_spotify.api_base}/me"
    unknown = httpx.get(me, headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401
    assert unknown.json() == {"error": {"status": 401, "message": "Invalid access token"}}
    assert httpx.get(me).status_code == 401
    token = fake_spotify.issue_tokens().access_token
    fake_spotify.faults.expire_token(token)
    expired = httpx.get(me, headers={"Authorization": f"Bearer {token}"})
    assert expired.json()["error"]["message"] == "The access token expired"


def test_saved_tracks_page_by_next_links(fake_spotify: FakeSpotify) -> None:
    fake_spotify.state.seed_library(n_saved=120)
    seen: list[str] = []
    with api(fake_spotify) as client:
        url: str | None = "/me/tracks?limit=50"
        while url is not None:
            page = client.get(url).json()
            seen += [item["track"]["id"] for item in page["items"]]
            url = page["next"]
        assert client.get("/me/tracks?limit=51").status_code == 400
    assert len(seen) == len(set(seen)) == 120
    assert seen[0] == fake_spotify.state.catalog.tracks[0].id  # newest first
    assert fake_spotify.log.spec_errors == []


def test_recently_played_cursors(fake_spotify: FakeSpotify) -> None:
    fake_spotify.state.seed_library(n_plays=30)
    with api(fake_spotify) as client:
        newest = client.get("/me/player/recently-played?limit=10").json()
        assert len(newest["items"]) == 10 and newest["next"] is not None
        after = int(newest["cursors"]["after"])
        assert client.get(f"/me/player/recently-played?after={after}").json()["items"] == []
        fake_spotify.state.add_play("fakeuser", fake_spotify.state.catalog.tracks[5].id)
        since = client.get(f"/me/player/recently-played?after={after}").json()
        assert [i["track"]["id"] for i in since["items"]] == [
            fake_spotify.state.catalog.tracks[5].id
        ]
        older = client.get(newest["next"]).json()
        assert older["items"][0]["played_at"] < newest["items"][-1]["played_at"]
        both = client.get("/me/player/recently-played?after=1&before=2")
        assert both.status_code == 400


def test_playlists_create_add_and_read(fake_spotify: FakeSpotify) -> None:
    uris = [f"spotify:track:{t.id}" for t in fake_spotify.state.catalog.tracks[:101]]
    with api(fake_spotify) as client:
        created = client.post("/users/fakeuser/playlists", json={"name": "Mix", "public": False})
        assert created.status_code == 201
        playlist_id = created.json()["id"]
        first = client.post(f"/playlists/{playlist_id}/items", json={"uris": uris[:100]})
        assert first.status_code == 201
        too_many = client.post(f"/playlists/{playlist_id}/items", json={"uris": uris})
        assert too_many.status_code == 400
        second = client.post(f"/playlists/{playlist_id}/tracks", json={"uris": uris[100:]})
        assert second.json()["snapshot_id"] != first.json()["snapshot_id"]
        page = client.get(f"/playlists/{playlist_id}/items?limit=100&offset=50").json()
        assert page["total"] == 101 and len(page["items"]) == 51
        assert page["items"][-1]["item"]["uri"] == uris[100]
        mine = client.get("/me/playlists").json()
        assert mine["items"][0]["items"]["total"] == 101
        other = client.post("/users/someoneelse/playlists", json={"name": "x"})
        assert other.status_code == 403
    assert fake_spotify.log.spec_errors == []


def test_development_mode_rules(fake_spotify: FakeSpotify) -> None:
    fake_spotify.state.api_mode = "development"
    track_id = fake_spotify.state.catalog.tracks[0].id
    with api(fake_spotify) as client:
        assert client.get("/search?q=velvet&type=track&limit=11").status_code == 400
        found = client.get("/search?q=velvet&type=track&limit=10").json()["tracks"]
        assert 0 < len(found["items"]) <= 10 and "popularity" not in found["items"][0]
        assert client.put("/me/tracks", json={"ids": [track_id]}).status_code == 403
        assert client.put(f"/me/library?uris=spotify:track:{track_id}").status_code == 200
        assert fake_spotify.state.library().saved[0].track_id == track_id
        assert "product" not in client.get("/me").json()
    fake_spotify.state.api_mode = "extended"
    with api(fake_spotify) as client:
        assert client.get("/search?q=velvet&type=track&limit=30").status_code == 200


def test_player_errors_and_controls(fake_spotify: FakeSpotify) -> None:
    state = fake_spotify.state
    uri = f"spotify:track:{state.catalog.tracks[1].id}"
    with api(fake_spotify, "freeuser") as free:
        refused = free.put("/me/player/play", json={"uris": [uri]})
        assert refused.status_code == 403
        assert refused.json()["error"]["reason"] == "PREMIUM_REQUIRED"
    state.activate_device("fakeuser", None)
    with api(fake_spotify) as client:
        none = client.post("/me/player/next")
        assert none.status_code == 404 and none.json()["error"]["reason"] == "NO_ACTIVE_DEVICE"
        assert client.get("/me/player").status_code == 204
        phone = state.library().devices[1]
        assert (
            client.put(f"/me/player/play?device_id={phone.id}", json={"uris": [uri]}).status_code
            == 204
        )
        assert client.post(f"/me/player/queue?uri={uri}").status_code == 204
        assert client.put("/me/player/pause").status_code == 204
        laptop = state.library().devices[0]
        assert (
            client.put("/me/player", json={"device_ids": [laptop.id], "play": True}).status_code
            == 204
        )
        playing = client.get("/me/player").json()
        assert playing["device"]["id"] == laptop.id and playing["item"]["uri"] == uri
        devices = client.get("/me/player/devices").json()["devices"]
        assert [d["is_active"] for d in devices] == [True, False]
    assert fake_spotify.log.spec_errors == []


def test_spec_check_turns_a_wrong_body_into_a_500(fake_spotify: FakeSpotify) -> None:
    track = fake_spotify.state.catalog.tracks[0]
    track.duration_ms = "long"  # type: ignore[assignment]
    with api(fake_spotify) as client:
        response = client.get(f"/tracks/{track.id}")
    assert response.status_code == 500
    assert "does not match the spec" in response.json()["error"]["message"]
    assert "duration_ms" in fake_spotify.log.spec_errors[0]
    assert spec_mismatch("/me", "GET", 200, {"id": 5}) is not None
    assert spec_mismatch("/me/player/play", "PUT", 204, {"x": 1}) is not None
    assert spec_mismatch("/me", "GET", 401, {"error": {"status": 401}}) is not None


def test_etag_and_scope(fake_spotify: FakeSpotify) -> None:
    with api(fake_spotify) as client:
        first = client.get("/me")
        again = client.get("/me", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
    narrow = fake_spotify.state.issue_tokens(scope="user-read-private").access_token
    denied = httpx.get(
        f"{fake_spotify.api_base}/me/tracks", headers={"Authorization": f"Bearer {narrow}"}
    )
    assert denied.status_code == 403


def test_seed_library_builds_a_large_library_quickly() -> None:
    state = FakeState()
    started = time.perf_counter()
    state.seed_library(n_saved=10_000, n_playlists=2_000, items_per_playlist=5, n_plays=50)
    assert time.perf_counter() - started < 1.0
    assert len(state.library().saved) == 10_000 and len(state.library().playlist_ids) == 2_000
    assert FakeState().catalog.tracks[7].id == state.catalog.tracks[7].id  # stable ids


def test_catalog_and_library_endpoints(fake_spotify: FakeSpotify) -> None:
    state = fake_spotify.state
    state.seed_library(n_top=30)
    ids = [t.id for t in state.catalog.tracks[:101]]
    with api(fake_spotify) as client:
        tracks = client.get("/tracks", params={"ids": ",".join(ids[:49] + ["0" * 22])}).json()
        assert tracks["tracks"][0]["id"] == ids[0] and tracks["tracks"][-1] is None
        assert client.get("/tracks", params={"ids": ",".join(ids[:51])}).status_code == 400
        assert client.get("/tracks/not-an-id").status_code == 400
        assert client.get("/audio-features", params={"ids": ",".join(ids)}).status_code == 400
        artist_id = tracks["tracks"][0]["artists"][0]["id"]
        assert client.get(f"/artists?ids={artist_id}").json()["artists"][0]["genres"]
        top = client.get("/me/top/artists?time_range=short_term&limit=5").json()
        assert len(top["items"]) == 5 and "time_range=short_term" in top["next"]
        assert client.get("/me/top/tracks?time_range=forever").status_code == 400
        assert client.put("/me/tracks", json={"ids": ids[:3]}).status_code == 200
        uris = ",".join(f"spotify:track:{i}" for i in ids[:41])
        assert client.delete(f"/me/library?uris={uris}").status_code == 400
        assert client.delete(f"/me/library?uris=spotify:track:{ids[0]}").status_code == 200
        recs = client.get(f"/recommendations?seed_tracks={ids[0]}&limit=3").json()
        assert [t["id"] for t in recs["tracks"]] == ids[1:4]
    assert {s.track_id for s in state.library().saved} == set(ids[1:3])
    assert fake_spotify.log.spec_errors == []
