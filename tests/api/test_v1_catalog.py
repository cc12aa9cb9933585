"""The Spotify-compatible catalog endpoints, on the real bundled catalog."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.spotify_spec import assert_matches

# Real tracks from the bundled catalog.
ED_SHEERAN_REMIX = "6f807x0ima9a1j3VPbc7VN"  # I Don't Care - Loud Luxury Remix
MAROON5_REMIX = "0r7CVbZTWZgbTCYdfa2P31"  # Memories - Dillon Francis Remix
UNKNOWN = "0000000000000000000000"


def test_track_by_id_matches_spec(client: TestClient, auth: dict[str, str]) -> None:
    r = client.get(f"/v1/tracks/{ED_SHEERAN_REMIX}", headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert_matches("/tracks/{id}", body)
    assert body["name"] == "I Don't Care (with Justin Bieber) - Loud Luxury Remix"
    assert body["artists"][0]["name"] == "Ed Sheeran"
    assert body["uri"] == f"spotify:track:{ED_SHEERAN_REMIX}"
    assert body["album"]["release_date"] == "2019-06-14"
    assert body["album"]["release_date_precision"] == "day"


def test_several_tracks_keep_order_and_null_unknown(client: TestClient, auth: dict[str, str]) -> None:
    ids = f"{MAROON5_REMIX},{UNKNOWN},{ED_SHEERAN_REMIX}"
    r = client.get("/v1/tracks", params={"ids": ids}, headers=auth)
    assert r.status_code == 200
    tracks = r.json()["tracks"]
    assert [t and t["id"] for t in tracks] == [MAROON5_REMIX, None, ED_SHEERAN_REMIX]
    assert_matches("/tracks", {"tracks": [t for t in tracks if t]})


def test_too_many_ids_is_400(client: TestClient, auth: dict[str, str]) -> None:
    r = client.get("/v1/tracks", params={"ids": ",".join([ED_SHEERAN_REMIX] * 51)}, headers=auth)
    assert r.status_code == 400
    assert "Too many ids" in r.json()["error"]["message"]
    assert_matches("/tracks", r.json(), "401")  # the ErrorObject shape


def test_bad_and_unknown_ids(client: TestClient, auth: dict[str, str]) -> None:
    bad = client.get("/v1/tracks/not-an-id", headers=auth)
    assert bad.status_code == 400
    assert bad.json() == {"error": {"status": 400, "message": "Invalid base62 id: 'not-an-id'"}}
    missing = client.get(f"/v1/tracks/{UNKNOWN}", headers=auth)
    assert missing.status_code == 404
    assert_matches("/tracks/{id}", missing.json(), "401")  # same ErrorObject shape


def test_auth_required(client: TestClient) -> None:
    none = client.get(f"/v1/tracks/{ED_SHEERAN_REMIX}")
    assert none.status_code == 401
    assert none.json()["error"] == {"status": 401, "message": "No token provided"}
    wrong = client.get(
        f"/v1/tracks/{ED_SHEERAN_REMIX}", headers={"Authorization": "Bearer et_nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "Invalid access token"


def test_artist_aggregated_from_tracks(client: TestClient, auth: dict[str, str]) -> None:
    track = client.get(f"/v1/tracks/{ED_SHEERAN_REMIX}", headers=auth).json()
    artist_id = track["artists"][0]["id"]
    r = client.get(f"/v1/artists/{artist_id}", headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert_matches("/artists/{id}", body)
    assert body["name"] == "Ed Sheeran"
    assert "pop" in body["genres"]
    assert body["popularity"] >= track["popularity"]


def test_audio_features_single_and_many(client: TestClient, auth: dict[str, str]) -> None:
    one = client.get(f"/v1/audio-features/{ED_SHEERAN_REMIX}", headers=auth)
    assert one.status_code == 200
    assert_matches("/audio-features/{id}", one.json())
    assert one.json()["energy"] == 0.916
    assert one.json()["tempo"] == 122.036
    many = client.get(
        "/v1/audio-features", params={"ids": f"{ED_SHEERAN_REMIX},{MAROON5_REMIX}"}, headers=auth
    )
    assert many.status_code == 200
    assert_matches("/audio-features", many.json())
    assert [f["id"] for f in many.json()["audio_features"]] == [ED_SHEERAN_REMIX, MAROON5_REMIX]


def test_search_with_field_filters(client: TestClient, auth: dict[str, str]) -> None:
    r = client.get(
        "/v1/search",
        params={"q": 'artist:"Ed Sheeran" year:2019', "type": "track,artist", "limit": 5},
        headers=auth,
    )
    assert r.status_code == 200
    body = r.json()
    assert_matches("/search", body)
    tracks = body["tracks"]["items"]
    assert tracks and all(t["artists"][0]["name"] == "Ed Sheeran" for t in tracks)
    assert all(t["album"]["release_date"].startswith("2019") for t in tracks)
    assert body["tracks"]["total"] >= len(tracks)
    assert body["artists"]["items"][0]["name"] == "Ed Sheeran"


def test_search_paging_links_stay_on_our_server(client: TestClient, auth: dict[str, str]) -> None:
    r = client.get(
        "/v1/search", params={"q": "genre:rock", "type": "track", "limit": 3}, headers=auth
    )
    page = r.json()["tracks"]
    assert page["total"] > 3
    assert page["next"].startswith("http://testserver/v1/search?")
    nxt = client.get(page["next"], headers=auth).json()["tracks"]
    assert nxt["offset"] == 3
    assert {t["id"] for t in nxt["items"]}.isdisjoint({t["id"] for t in page["items"]})


def test_search_errors(client: TestClient, auth: dict[str, str]) -> None:
    assert client.get("/v1/search", params={"q": "x", "type": "nope"}, headers=auth).status_code == 400
    missing_q = client.get("/v1/search", params={"type": "track"}, headers=auth)
    assert missing_q.status_code == 400
    assert "q" in missing_q.json()["error"]["message"]
    bad_year = client.get("/v1/search", params={"q": "year:19x", "type": "track"}, headers=auth)
    assert bad_year.status_code == 400
