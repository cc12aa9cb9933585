"""POST /api/v1/me/spotify/sync as a background job: 202 and polling, one sync per user,
the blocking `?wait=true` form, failures, isolation between users and shutdown.
Through the loopback fake Spotify and the real app on a real SQLite store."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
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


def _start_slow_sync(client: TestClient, fake: FakeSpotify) -> tuple[str, httpx.Response]:
    """A new Spotify listener logged in, whose sync job is started and kept busy a while."""
    user = seeded_user(fake, n_saved=60, n_top=3)
    login(client, fake, user)
    fake.log.clear()
    fake.faults.delay("/v1/me/tracks", SLOW_PAGE, method="GET")
    started = client.post(SYNC)
    assert started.status_code == 202, started.text
    return user, started


def test_sync_runs_in_the_background_once_per_user(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    _, started = _start_slow_sync(spotify_api, fake_spotify)
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


def _profile_reads(fake: FakeSpotify, user: str) -> list[int]:
    """Positions in the request log of `user`'s profile reads: each sync starts with one."""
    tokens = fake.state.tokens.access

    def owner(token: str | None) -> str | None:
        return tokens[token].user_id if token in tokens else None

    return [i for i, e in enumerate(fake.log.entries)
            if (e.method, e.path) == ("GET", "/v1/me") and owner(e.token) == user]  # fmt: skip


def test_background_sync_skips_an_account_whose_job_runs(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user, started = _start_slow_sync(spotify_api, fake_spotify)
    services = spotify_api.app.state.services  # type: ignore[attr-defined]
    assert spotify_api.portal is not None
    user_id = spotify_api.portal.call(services.storage.users.get_by_name, f"spotify-{user}").id
    assert services.sync.is_syncing(user_id)

    # The loop passes over the account the job is syncing: no second sync starts.
    assert spotify_api.portal.call(services.background_sync.run_once) == 0.0
    assert _poll(spotify_api, started.headers["location"])["status"] == "done"
    assert len(_profile_reads(fake_spotify, user)) == 1
    assert not services.sync.is_syncing(user_id)

    # Once the job is over, the next round syncs the account again.
    assert spotify_api.portal.call(services.background_sync.run_once) == 0.0
    assert len(_profile_reads(fake_spotify, user)) == 2
    assert fake_spotify.log.spec_errors == []


def test_two_syncs_of_one_account_run_one_after_the_other(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = seeded_user(fake_spotify, n_saved=60, n_playlists=2, items_per_playlist=5, n_top=3)
    login(spotify_api, fake_spotify, user)
    services = spotify_api.app.state.services  # type: ignore[attr-defined]
    assert spotify_api.portal is not None
    user_id = spotify_api.portal.call(services.storage.users.get_by_name, f"spotify-{user}").id
    fake_spotify.log.clear()
    fake_spotify.faults.delay("/v1/me/tracks", SLOW_PAGE / 2, method="GET")

    async def both() -> list[Any]:
        return list(await asyncio.gather(services.sync.sync_user(user_id),
                                         services.sync.sync_user(user_id)))  # fmt: skip

    first, second = spotify_api.portal.call(both)
    reads = _profile_reads(fake_spotify, user)
    assert len(reads) == 2
    # The second began only after the first had read everything, playlists last,
    # and found the library already stored: nothing was written twice (the 60
    # saved tracks and the top tracks of each time range became taste once).
    between = [e.path for e in fake_spotify.log.entries[reads[0] : reads[1]]]
    assert "/v1/me/playlists" in between
    assert first.total("taste") >= 63
    assert second.total("taste") == 0 and second.total("new_tracks") == 0
    assert not services.sync.is_syncing(user_id)
