"""Library sync against the loopback fake: what is stored, idempotence, resumption."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from echotune.cli.main import app as cli_app
from tests.api.spotify_app import login, spotify_env
from tests.fakes.spotify.server import FakeSpotify

SYNC = "/api/v1/me/spotify/sync"
WAIT = {"wait": "true"}  # the blocking form: 200 with the finished job


def seeded_user(fake: FakeSpotify, **sizes: int) -> str:
    user_id = "s" + uuid.uuid4().hex[:10]
    fake.state.add_user(user_id, f"Syncer {user_id}", "premium")
    fake.state.seed_library(user_id, **sizes)
    return user_id


def test_sync_stores_tracks_and_plays_once(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = seeded_user(fake_spotify, n_saved=120, n_playlists=3, items_per_playlist=30,
                       n_plays=70, n_top=20)  # fmt: skip
    login(spotify_api, fake_spotify, user)
    response = spotify_api.post(SYNC, params=WAIT)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "done"
    report = response.json()["report"]["resources"]
    assert report["saved_tracks"]["items"] == 120
    assert report["playlists"]["items"] == 3
    assert report["top_tracks:short_term"]["items"] == 20
    assert report["recently_played"]["plays"] > 0

    # Every synced track is in the catalog, found by id and by search.
    saved = fake_spotify.state.library(user).saved
    track = fake_spotify.state.catalog.by_id[saved[5].track_id]
    got = spotify_api.get(f"/v1/tracks/{track.id}", headers=_bearer(spotify_api, fake_spotify))
    assert got.status_code == 200, got.text
    assert got.json()["name"] == track.name
    found = spotify_api.get("/v1/search", params={"q": f'track:"{track.name}"', "type": "track"},
                            headers=_bearer(spotify_api, fake_spotify))  # fmt: skip
    assert track.id in [t["id"] for t in found.json()["tracks"]["items"]]

    plays = spotify_api.get("/api/v1/me/history", params={"limit": 50}).json()
    assert plays["items"] and {p["source"] for p in plays["items"]} == {"spotify"}

    items_reads = fake_spotify.log.count("/v1/playlists/*", "GET")
    again = spotify_api.post(SYNC, params=WAIT).json()["report"]["resources"]
    assert sum(r["new_tracks"] for r in again.values()) == 0
    assert again["recently_played"]["plays"] == 0
    # Unchanged playlists (same snapshot) are not read again.
    assert fake_spotify.log.count("/v1/playlists/*", "GET") == items_reads
    assert fake_spotify.log.spec_errors == []


def _bearer(client: TestClient, fake: FakeSpotify) -> dict[str, str]:
    # /v1 is the Spotify-compatible API: it takes bearer tokens only.
    from echotune.users.service import UserService

    services = client.app.state.services  # type: ignore[attr-defined]
    users: UserService = services.users
    _, _, secret = client.portal.call(users.create_token, "sync-reader")  # type: ignore[union-attr]
    return {"Authorization": f"Bearer {secret}"}


def user_with_new_tracks(fake: FakeSpotify, n: int) -> tuple[str, list[str]]:
    """A user whose saved tracks no earlier test has synced."""
    user = seeded_user(fake, n_top=0)
    tag = uuid.uuid4().hex[:8]
    ids = [fake.state.catalog.add_track(f"Fresh {tag} {i}").id for i in range(n)]
    fake.state.save_tracks(user, ids)
    return user, ids


def test_audio_features_from_spotify_are_stored_with_the_catalog(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user, ids = user_with_new_tracks(fake_spotify, 30)
    login(spotify_api, fake_spotify, user)
    report = spotify_api.post(SYNC, params=WAIT).json()["report"]["resources"]
    assert report["saved_tracks"]["new_tracks"] == 30
    headers = _bearer(spotify_api, fake_spotify)
    features = spotify_api.get(f"/v1/audio-features/{ids[0]}", headers=headers)
    assert features.status_code == 200, features.text
    assert 0 <= features.json()["energy"] <= 1


def test_sync_without_audio_features_still_stores_tracks(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    fake_spotify.faults.audio_features_forbidden = True
    user, ids = user_with_new_tracks(fake_spotify, 120)
    login(spotify_api, fake_spotify, user)
    report = spotify_api.post(SYNC, params=WAIT).json()["report"]["resources"]
    assert report["saved_tracks"]["new_tracks"] == 120
    # Asked once, told 403 ("not offered to this app"), not asked again in this sync.
    assert fake_spotify.log.count("/v1/audio-features", status=403) == 1
    headers = _bearer(spotify_api, fake_spotify)
    assert spotify_api.get(f"/v1/tracks/{ids[-1]}", headers=headers).status_code == 200
    assert spotify_api.get(f"/v1/audio-features/{ids[-1]}", headers=headers).status_code == 404


def test_cli_sync_stops_at_once_on_a_long_rate_limit_and_resumes(
    spotify_api: TestClient, fake_spotify: FakeSpotify, spotify_dir: Path
) -> None:
    user, ids = user_with_new_tracks(fake_spotify, 200)
    login(spotify_api, fake_spotify, user)
    name = f"spotify-{user}"
    env = spotify_env(spotify_dir, fake_spotify)
    # Three requests an hour: the profile, one saved page, its audio features; then 429.
    fake_spotify.faults.window(3, seconds=3600)
    fake_spotify.log.clear()
    stopped = CliRunner().invoke(cli_app, ["spotify", "sync", "--user", name], env=env)
    assert stopped.exit_code == 1
    assert "wait" in stopped.output and "resumes" in stopped.output
    assert fake_spotify.log.count("/v1/*", status=429) == 1  # no retry hammering

    fake_spotify.faults.clear()
    fake_spotify.log.clear()
    wide = {**env, "COLUMNS": "200"}
    resumed = CliRunner().invoke(cli_app, ["spotify", "sync", "--user", name], env=wide)
    assert resumed.exit_code == 0, resumed.output
    offsets = [int(e.params.get("offset", "0")) for e in fake_spotify.log.find("/v1/me/tracks")]
    assert offsets[0] == 50, offsets  # resumed after the page it had stored
    assert 0 not in offsets
    assert "saved_tracks" in resumed.output
    # Each saved track became one save: the stopped run's first page was not written
    # again, and the resumed pass (which saw only part) removed none of them.
    services = spotify_api.app.state.services  # type: ignore[attr-defined]
    stored = spotify_api.portal.call(services.storage.users.get_by_name, name)  # type: ignore[union-attr]
    taste = spotify_api.portal.call(services.storage.feedback.list_for, stored.id)  # type: ignore[union-attr]
    assert sorted(f.track_id for f in taste) == sorted(ids)
    assert {(f.kind, f.source) for f in taste} == {("save", "spotify")}
    # The table shows the saves the resumed pass added (the first page was stored before).
    assert f"+{len(ids) - 50} / -0" in resumed.output


def test_background_sync_covers_every_connected_account(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    users = [seeded_user(fake_spotify, n_saved=10, n_top=3) for _ in range(2)]
    for user in users:
        spotify_api.cookies.clear()
        login(spotify_api, fake_spotify, user)
    fake_spotify.log.clear()
    services = spotify_api.app.state.services  # type: ignore[attr-defined]
    wait = spotify_api.portal.call(services.background_sync.run_once)  # type: ignore[union-attr]
    assert wait == 0.0
    tokens = {e.token for e in fake_spotify.log.find("/v1/me/tracks")}
    owners = {fake_spotify.state.tokens.access[t].user_id for t in tokens if t}
    assert set(users) <= owners


def test_spotify_calls_show_on_metrics(spotify_api: TestClient, fake_spotify: FakeSpotify) -> None:
    user = seeded_user(fake_spotify, n_saved=5, n_top=2)
    login(spotify_api, fake_spotify, user)
    fake_spotify.faults.rate_limit("/v1/me/player/recently-played", retry_after=1)
    assert spotify_api.post(SYNC, params=WAIT).status_code == 200
    text = spotify_api.get("/metrics").text
    assert 'echotune_spotify_calls_total{endpoint="/me/tracks",method="GET",status="200"}' in text
    assert 'echotune_spotify_rate_limited_total{endpoint="/me/player/recently-played"} 1.0' in text
    waited = [line for line in text.splitlines()
              if line.startswith('echotune_spotify_wait_seconds_total{reason="retry_after"}')]
    assert waited and float(waited[0].split()[-1]) >= 1.0
