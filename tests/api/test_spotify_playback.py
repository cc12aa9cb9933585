"""Playlist writes and playback control against the loopback fake."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.api.spotify_app import login
from tests.fakes.spotify.server import FakeSpotify


def logged_in(client: TestClient, fake: FakeSpotify, product: str = "premium",
              device: bool = True) -> str:  # fmt: skip
    user = "p" + uuid.uuid4().hex[:10]
    fake.state.add_user(user, f"Player {user}", product)  # type: ignore[arg-type]
    if device:
        fake.state.add_device(user, "Living room", "Speaker", active=True)
    fake.state.catalog.ensure(400)
    login(client, fake, user)
    return user


def track_ids(fake: FakeSpotify, n: int) -> list[str]:
    return [t.id for t in fake.state.catalog.tracks[:n]]


def playlist_uris(fake: FakeSpotify, playlist_id: str) -> list[str]:
    return [e.uri for e in fake.state.playlists[playlist_id].entries]


def test_push_creates_the_playlist_with_every_track_in_order(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = logged_in(spotify_api, fake_spotify)
    ids = track_ids(fake_spotify, 250)
    response = spotify_api.post("/api/v1/me/spotify/playlists", json={
        "name": "Run club", "description": "from EchoTune", "track_ids": ids})  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["tracks_added"] == 250
    playlist = fake_spotify.state.playlists[body["playlist_id"]]
    assert playlist.owner_id == user and playlist.name == "Run club"
    assert playlist_uris(fake_spotify, body["playlist_id"]) == [f"spotify:track:{i}" for i in ids]
    assert fake_spotify.log.spec_errors == []


def test_retry_with_the_same_key_adds_nothing(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    logged_in(spotify_api, fake_spotify)
    body = {"name": "Twice", "track_ids": track_ids(fake_spotify, 120)}
    headers = {"Idempotency-Key": "key-" + uuid.uuid4().hex}
    first = spotify_api.post("/api/v1/me/spotify/playlists", json=body, headers=headers).json()
    writes = fake_spotify.log.count("/v1/*", "POST")
    second = spotify_api.post("/api/v1/me/spotify/playlists", json=body, headers=headers).json()
    assert second["playlist_id"] == first["playlist_id"]
    assert fake_spotify.log.count("/v1/*", "POST") == writes  # no new playlist, no new items
    assert len(playlist_uris(fake_spotify, first["playlist_id"])) == 120


def test_a_lost_answer_then_a_retry_never_adds_a_track_twice(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    logged_in(spotify_api, fake_spotify)
    ids = track_ids(fake_spotify, 230)
    body = {"name": "Flaky network", "track_ids": ids, "request_key": uuid.uuid4().hex}
    # Spotify adds the first chunk, but the connection drops before the answer arrives.
    fake_spotify.faults.add("/v1/playlists/*/tracks", method="POST", disconnect=True,
                            after_processing=True)  # fmt: skip
    failed = spotify_api.post("/api/v1/me/spotify/playlists", json=body)
    assert failed.status_code == 502, failed.text
    assert "Spotify" in failed.json()["error"]["message"]
    fake_spotify.faults.clear()
    retried = spotify_api.post("/api/v1/me/spotify/playlists", json=body)
    assert retried.status_code == 201, retried.text
    uris = playlist_uris(fake_spotify, retried.json()["playlist_id"])
    assert uris == [f"spotify:track:{i}" for i in ids]  # all, once each, in order


def test_the_same_key_for_another_playlist_is_a_conflict(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    logged_in(spotify_api, fake_spotify)
    key = uuid.uuid4().hex
    ok = spotify_api.post("/api/v1/me/spotify/playlists", json={
        "name": "A", "track_ids": track_ids(fake_spotify, 3), "request_key": key})  # fmt: skip
    assert ok.status_code == 201
    clash = spotify_api.post("/api/v1/me/spotify/playlists", json={
        "name": "B", "track_ids": track_ids(fake_spotify, 3), "request_key": key})  # fmt: skip
    assert clash.status_code == 409
    assert "request_key" in clash.json()["error"]["message"]


def test_bad_track_ids_are_named(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    logged_in(spotify_api, fake_spotify)
    response = spotify_api.post("/api/v1/me/spotify/playlists",
                                json={"name": "x", "track_ids": ["not-a-track"]})  # fmt: skip
    assert response.status_code == 400
    assert "not-a-track" in response.json()["error"]["message"]


def test_playback_controls_drive_the_device(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = logged_in(spotify_api, fake_spotify)
    devices = spotify_api.get("/api/v1/me/spotify/devices").json()["devices"]
    assert [d["name"] for d in devices] == ["Living room"] and devices[0]["is_active"]
    ids = track_ids(fake_spotify, 3)
    base = "/api/v1/me/spotify/player"
    assert spotify_api.put(f"{base}/play", json={"track_ids": ids}).status_code == 204
    player = fake_spotify.state.library(user).player
    assert player.is_playing and player.item_uri == f"spotify:track:{ids[0]}"
    assert spotify_api.post(f"{base}/next").status_code == 204
    assert player.item_uri == f"spotify:track:{ids[1]}"
    assert spotify_api.post(f"{base}/previous").status_code == 204
    assert player.item_uri == f"spotify:track:{ids[0]}"
    queued = track_ids(fake_spotify, 10)[9]
    assert spotify_api.post(f"{base}/queue", params={"track_id": queued}).status_code == 204
    assert player.queue == [f"spotify:track:{queued}"]
    assert spotify_api.put(f"{base}/pause").status_code == 204
    assert not player.is_playing
    phone = fake_spotify.state.add_device(user, "Phone", "Smartphone")
    moved = spotify_api.put(base, json={"device_id": phone.id, "play": True})
    assert moved.status_code == 204
    assert player.device_id == phone.id


def test_no_active_device_is_409(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    logged_in(spotify_api, fake_spotify, device=False)
    response = spotify_api.put("/api/v1/me/spotify/player/pause")
    assert response.status_code == 409
    assert "No active Spotify device" in response.json()["error"]["message"]


def test_free_account_is_403(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    logged_in(spotify_api, fake_spotify, product="free")
    response = spotify_api.put("/api/v1/me/spotify/player/play", json={})
    assert response.status_code == 403
    assert "Premium" in response.json()["error"]["message"]
