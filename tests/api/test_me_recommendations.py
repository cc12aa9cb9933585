"""Personal recommendations end to end: real catalog, real plays, a trained model."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from echotune.catalog.bundled import bundled_catalog_path
from echotune.cli.main import app as cli_app
from echotune.listening.models import Feedback, Play
from echotune.settings import Settings
from tests.api.conftest import cli_env

NOW = datetime.now(UTC)


def _playlists() -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    with gzip.open(bundled_catalog_path(), "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["track_id"] not in members[row["playlist_id"]]:
                members[row["playlist_id"]].append(row["track_id"])
    return members


def _call(client: TestClient, fn: Any, *args: Any) -> Any:
    assert client.portal is not None
    return client.portal.call(fn, *args)


def _token(settings: Settings, name: str) -> dict[str, str]:
    out = CliRunner().invoke(cli_app, ["token", "create", name], env=cli_env(settings.data_dir))
    assert out.exit_code == 0, out.output
    return {"Authorization": f"Bearer {out.stdout.strip()}"}


def _plays(user_id: str, track_ids: list[str]) -> list[Play]:
    return [
        Play(user_id=user_id, track_id=t, played_at=NOW - timedelta(hours=i), ms_played=200_000)
        for i, t in enumerate(track_ids)
    ]


@pytest.fixture(scope="module")
def trained(client: TestClient, settings: Settings) -> Iterator[dict[str, Any]]:
    """Every catalog playlist as a listener, one real listener, and a trained model."""
    services = client.app.state.services  # type: ignore[attr-defined]
    playlists = _playlists()
    for playlist_id, tracks in playlists.items():
        listener, _ = _call(client, services.users.create_user, f"pl-{playlist_id}")
        _call(client, services.storage.listening.add_many, _plays(listener.id, tracks))
    target = max(playlists, key=lambda p: len(playlists[p]))
    heard, held_out = playlists[target][:20], playlists[target][20:]
    auth = _token(settings, "dana")
    user = _call(client, services.users.authenticate, auth["Authorization"][7:])
    _call(client, services.storage.listening.add_many, _plays(user.id, heard))
    report = _call(client, services.models.train)
    assert report.trained and report.users >= 472
    yield {"auth": auth, "user": user, "heard": heard, "held_out": held_out, "services": services}


def test_recommendations_learn_from_plays_and_explain(client: TestClient, trained: dict[str, Any]) -> None:
    r = client.get("/api/v1/me/recommendations", params={"limit": 20, "diversity": 0}, headers=trained["auth"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["cold_start"] is False and body["model"]["collaborative"] is True
    ids = [item["id"] for item in body["items"]]
    assert len(ids) == 20
    assert not set(ids) & set(trained["heard"])  # played tracks are excluded by default
    # The rest of the listener's playlist is what listeners like them played.
    assert len(set(ids) & set(trained["held_out"])) >= 5
    for item in body["items"]:
        assert item["reasons"], item
    texts = [reason["text"] for item in body["items"] for reason in item["reasons"]]
    assert any(t.startswith("because you played ") for t in texts)
    assert any("listeners like you" in t for t in texts)


def test_feedback_changes_the_next_answer_at_once(client: TestClient, trained: dict[str, Any]) -> None:
    params = {"limit": 10, "diversity": 0}
    first = client.get("/api/v1/me/recommendations", params=params, headers=trained["auth"]).json()
    top = first["items"][0]["id"]
    feedback = Feedback(user_id=trained["user"].id, track_id=top, kind="dislike", at=datetime.now(UTC))
    _call(client, trained["services"].storage.feedback.add, feedback)
    after = client.get("/api/v1/me/recommendations", params=params, headers=trained["auth"]).json()
    assert top not in [item["id"] for item in after["items"]]


def test_cold_start_uses_chosen_genres_and_mood(client: TestClient, settings: Settings) -> None:
    auth = _token(settings, "newbie")
    r = client.get(
        "/api/v1/me/recommendations",
        params={"genres": "latin", "mood": "happy", "limit": 10},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["cold_start"] is True
    assert body["context"]["targets"]["valence"] == 0.8
    assert sum(item["genre"] == "latin" for item in body["items"]) >= 7
    assert all(any(x["kind"] in ("context", "popular") for x in i["reasons"]) for i in body["items"])


def test_bad_parameters_are_400(client: TestClient, settings: Settings) -> None:
    auth = _token(settings, "erin")
    for params, fragment in [
        ({"mood": "grumpy"}, "Unknown mood 'grumpy'"),
        ({"diversity": "2"}, "diversity"),
        ({"seed_tracks": "0000000000000000000000"}, "unknown track id"),
    ]:
        r = client.get("/api/v1/me/recommendations", params=params, headers=auth)
        assert r.status_code == 400, (params, r.text)
        assert fragment in r.json()["error"]["message"]
    assert client.get("/api/v1/me/recommendations").status_code == 401
