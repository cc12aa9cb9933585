"""GET /v1/recommendations on the real bundled catalog, checked against the spec."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.spotify_spec import assert_matches

ED_SHEERAN_REMIX = "6f807x0ima9a1j3VPbc7VN"


def _features(client: TestClient, auth: dict[str, str], ids: list[str]) -> list[dict[str, float]]:
    r = client.get("/v1/audio-features", params={"ids": ",".join(ids)}, headers=auth)
    features: list[dict[str, float]] = r.json()["audio_features"]
    return features


def test_genre_seed_with_filters_and_target(client: TestClient, auth: dict[str, str]) -> None:
    params = {
        "seed_genres": "rock",
        "min_energy": "0.7",
        "max_tempo": "140",
        "target_valence": "0.9",
        "limit": "10",
    }
    r = client.get("/v1/recommendations", params=params, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert_matches("/recommendations", body)
    assert len(body["tracks"]) == 10
    seed = body["seeds"][0]
    assert seed["type"] == "GENRE" and seed["id"] == "rock" and seed["href"] is None
    assert seed["initialPoolSize"] >= seed["afterFilteringSize"] > 0
    feats = _features(client, auth, [t["id"] for t in body["tracks"]])
    assert all(f["energy"] >= 0.7 and f["tempo"] <= 140 for f in feats)
    mean_valence = sum(f["valence"] for f in feats) / len(feats)
    assert mean_valence > 0.7  # the catalog's mean valence is about 0.5


def test_track_seed_excludes_itself_and_is_deterministic(
    client: TestClient, auth: dict[str, str]
) -> None:
    params = {"seed_tracks": ED_SHEERAN_REMIX, "limit": "20"}
    first = client.get("/v1/recommendations", params=params, headers=auth).json()
    again = client.get("/v1/recommendations", params=params, headers=auth).json()
    ids = [t["id"] for t in first["tracks"]]
    assert ED_SHEERAN_REMIX not in ids
    assert ids == [t["id"] for t in again["tracks"]]
    assert first["seeds"][0]["href"] == f"http://testserver/v1/tracks/{ED_SHEERAN_REMIX}"


def test_seed_and_parameter_errors(client: TestClient, auth: dict[str, str]) -> None:
    cases = {
        "no seeds": ({"limit": "5"}, "seed"),
        "six seeds": ({"seed_genres": "rock,pop,edm,rap,latin,r&b"}, "at most 5"),
        "bad limit": ({"seed_genres": "rock", "limit": "101"}, "limit"),
        "unknown genre": ({"seed_genres": "polka-metal"}, "polka-metal"),
        "unknown attr": ({"seed_genres": "rock", "min_loudnes": "1"}, "min_loudnes"),
        "min above max": ({"seed_genres": "rock", "min_energy": "0.9", "max_energy": "0.1"}, "min_energy"),
        "bad track": ({"seed_tracks": "0000000000000000000000"}, "seed"),
    }
    for name, (params, fragment) in cases.items():
        r = client.get("/v1/recommendations", params=params, headers=auth)
        assert r.status_code == 400, name
        assert fragment in r.json()["error"]["message"], (name, r.json())


def test_genre_seeds(client: TestClient, auth: dict[str, str]) -> None:
    r = client.get("/v1/recommendations/available-genre-seeds", headers=auth)
    assert r.status_code == 200
    assert_matches("/recommendations/available-genre-seeds", r.json())
    genres = r.json()["genres"]
    assert {"rock", "pop", "edm", "rap", "latin"} <= set(genres)
    assert genres == sorted(genres)


def test_recommendations_need_auth(client: TestClient) -> None:
    assert client.get("/v1/recommendations", params={"seed_genres": "rock"}).status_code == 401
