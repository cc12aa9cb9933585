"""POST /api/v1/me/spotify/sync as a background job: 202 and polling, one sync per user,
the blocking `?wait=true` form, failures, isolation between users and shutdown.
Through the loopback fake Spotify and the real app on a real SQLite store."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from echotune.app import create_app
from echotune.sync.jobs import KEEP_PER_USER, SHUTDOWN, SyncJobs
from tests.api.spotify_app import copy_store, login, spotify_settings
from tests.api.test_spotify_sync import SYNC, WAIT, seeded_user
from tests.fakes.spotify.server import FakeSpotify

# Under the client's 2 s timeout: one slow page keeps a sync running for a while.
SLOW_PAGE = 1.0


def _poll(client: TestClient, url: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if job["status"] != "running":
            return job
        assert time.monotonic() < deadline, f"still running: {job}"
        time.sleep(0.05)


def _token_of_new_user(client: TestClient) -> dict[str, str]:
    """A bearer token of an EchoTune user with no Spotify account connected."""
    users = client.app.state.services.users  # type: ignore[attr-defined]
    assert client.portal is not None
    _, _, secret = client.portal.call(users.create_token, "nosync-" + uuid.uuid4().hex[:8])
    return {"Authorization": f"Bearer {secret}"}


def test_sync_runs_in_the_background_once_per_user(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = seeded_user(fake_spotify, n_saved=60, n_top=3)
    login(spotify_api, fake_spotify, user)
    fake_spotify.log.clear()
    fake_spotify.faults.delay("/v1/me/tracks", SLOW_PAGE, method="GET")

    started = spotify_api.post(SYNC)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] == "running" and job["report"] is None and job["error"] is None
    assert job["finished_at"] is None and job["started_at"]
    location = started.headers["location"]
    assert location.endswith(f"{SYNC}/{job['id']}")

    # While it runs, another POST (and the blocking form) join the same job.
    again = spotify_api.post(SYNC)
    assert again.status_code == 202 and again.json()["id"] == job["id"]
    assert spotify_api.get(SYNC).json()["id"] == job["id"]
    joined = spotify_api.post(SYNC, params=WAIT)
    assert joined.status_code == 200, joined.text
    assert joined.json()["id"] == job["id"] and joined.json()["status"] == "done"

    done = _poll(spotify_api, location)
    assert done["status"] == "done" and done["error"] is None
    assert done["finished_at"] >= done["started_at"]
    resources = done["report"]["resources"]
    assert resources["saved_tracks"]["items"] == 60
    assert resources["top_tracks:short_term"]["items"] == 3
    assert spotify_api.get(SYNC).json() == done
    # One sync ran, not three: the profile was read once.
    assert fake_spotify.log.count("/v1/me", "GET") == 1

    # Once it is over, a POST starts a new job; the old one stays readable.
    fresh = spotify_api.post(SYNC)
    assert fresh.status_code == 202 and fresh.json()["id"] != job["id"]
    assert _poll(spotify_api, fresh.headers["location"])["status"] == "done"
    assert spotify_api.get(location).json() == done
    assert fake_spotify.log.spec_errors == []


def test_wait_true_answers_200_with_the_report(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = seeded_user(fake_spotify, n_saved=15, n_top=2)
    login(spotify_api, fake_spotify, user)
    response = spotify_api.post(SYNC, params=WAIT)
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["status"] == "done" and job["finished_at"] and job["error"] is None
    assert job["report"]["resources"]["saved_tracks"]["items"] == 15
    assert spotify_api.get(SYNC).json() == job


def test_a_failed_sync_is_recorded_and_wait_true_keeps_the_http_error(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = seeded_user(fake_spotify, n_saved=80, n_top=2)
    login(spotify_api, fake_spotify, user)
    # The profile passes, then Spotify asks for an hour: far above the 2 s cap.
    fake_spotify.faults.window(1, seconds=3600)
    try:
        _fail_and_check(spotify_api)
    finally:
        # The app now holds this account's calls for an hour: log out, so the
        # background sync of every connected account (another test) skips it.
        assert spotify_api.post("/auth/logout").status_code == 204


def _fail_and_check(spotify_api: TestClient) -> None:
    started = spotify_api.post(SYNC)
    assert started.status_code == 202, started.text
    failed = _poll(spotify_api, started.headers["location"])
    assert failed["status"] == "failed" and failed["report"] is None
    assert failed["finished_at"]
    wait = re.search(r"Spotify asked us to wait (\d+) s", failed["error"])
    assert wait and int(wait.group(1)) > 3000, failed["error"]

    blocking = spotify_api.post(SYNC, params=WAIT)
    assert blocking.status_code == 429, blocking.text
    assert int(blocking.headers["retry-after"]) > 3000
    assert "Spotify asked us to wait" in blocking.json()["error"]["message"]
    latest = spotify_api.get(SYNC).json()
    assert latest["status"] == "failed" and latest["id"] != failed["id"]


def test_not_connected_answers_409_and_jobs_are_per_user(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = seeded_user(fake_spotify, n_saved=5, n_top=1)
    login(spotify_api, fake_spotify, user)
    mine = spotify_api.post(SYNC, params=WAIT).json()
    spotify_api.cookies.clear()

    other = _token_of_new_user(spotify_api)
    none = spotify_api.get(SYNC, headers=other)
    assert none.status_code == 404
    assert "No Spotify sync has been started" in none.json()["error"]["message"]
    assert spotify_api.get(f"{SYNC}/{mine['id']}", headers=other).status_code == 404
    for params in ({}, WAIT):
        refused = spotify_api.post(SYNC, params=params, headers=other)
        assert refused.status_code == 409, refused.text
        assert "No Spotify account is connected" in refused.json()["error"]["message"]
    assert spotify_api.get(SYNC, headers=other).status_code == 404

    # Another Spotify listener logged in sees none of the first one's jobs either.
    login(spotify_api, fake_spotify, seeded_user(fake_spotify, n_saved=1, n_top=0))
    assert spotify_api.get(SYNC).status_code == 404
    assert spotify_api.get(f"{SYNC}/{mine['id']}").status_code == 404


def test_shutdown_cancels_a_running_sync(
    catalog_dir: Path, tmp_path: Path, fake_spotify: FakeSpotify
) -> None:
    settings = spotify_settings(copy_store(catalog_dir, tmp_path), fake_spotify)
    user = seeded_user(fake_spotify, n_saved=60, n_top=1)
    with TestClient(create_app(settings)) as client:
        login(client, fake_spotify, user)
        fake_spotify.faults.delay("/v1/me/tracks", 1.5, method="GET")
        started = client.post(SYNC)
        assert started.status_code == 202, started.text
        services = client.app.state.services  # type: ignore[attr-defined]
        jobs: SyncJobs = services.sync_jobs
        assert client.portal is not None
        stored = client.portal.call(services.storage.users.get_by_name, f"spotify-{user}")
        assert client.get(SYNC).json()["status"] == "running"
    # Leaving the app ran its shutdown: the job was cancelled and says why it stopped.
    job = jobs.get(stored.id, started.json()["id"])
    assert job.status == "failed" and job.error == SHUTDOWN and job.finished_at
    assert job.report is None


def test_only_the_latest_jobs_of_a_user_are_kept(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    login(spotify_api, fake_spotify, seeded_user(fake_spotify, n_saved=1, n_top=0))
    ids = [spotify_api.post(SYNC, params=WAIT).json()["id"] for _ in range(KEEP_PER_USER + 1)]
    assert len(set(ids)) == len(ids)
    gone = spotify_api.get(f"{SYNC}/{ids[0]}")
    assert gone.status_code == 404 and "latest 5" in gone.json()["error"]["message"]
    assert all(spotify_api.get(f"{SYNC}/{i}").status_code == 200 for i in ids[1:])
    assert spotify_api.get(SYNC).json()["id"] == ids[-1]
