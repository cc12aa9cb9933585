"""Saved and top tracks from a Spotify sync shape the listener's taste, once:
through the loopback fake, a real app and a real SQLite store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from echotune.listening.models import Feedback
from tests.api.spotify_app import login
from tests.fakes.spotify.server import FakeSpotify

SAVED_AT = datetime(2023, 6, 1, tzinfo=UTC)
RECS = "/api/v1/me/recommendations"
PARAMS = {"limit": 20, "diversity": 0}


def _services(client: TestClient) -> Any:
    return client.app.state.services  # type: ignore[attr-defined]


def _call(client: TestClient, fn: Any, *args: Any) -> Any:
    assert client.portal is not None
    return client.portal.call(fn, *args)


def _sync(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.post("/api/v1/me/spotify/sync", params={"wait": "true"})
    assert response.status_code == 200, response.text
    # The sync re-indexes in the background (its tracks are new): wait for it.
    _call(client, _services(client).models.wait)
    resources: dict[str, dict[str, Any]] = response.json()["report"]["resources"]
    return resources


def _feedback_of(client: TestClient, user_id: str) -> list[Feedback]:
    events: list[Feedback] = _call(client, _services(client).storage.feedback.list_for, user_id)
    return events


def _closeness(client: TestClient, rec_ids: list[str], liked: list[str]) -> list[float]:
    """For each recommendation, the share of the catalog closer than it to the centre
    of the liked tracks (standardised audio features): 0 is the very nearest."""
    index = _services(client).discovery.index()
    z = index.standardised
    centre = np.mean([z[index.row_of(t)] for t in liked], axis=0)
    gaps = np.linalg.norm(z - centre, axis=1)
    return [float((gaps < gaps[index.row_of(t)]).mean()) for t in rec_ids]


def _fresh_user(fake: FakeSpotify, n_top: int = 0) -> str:
    user = "t" + uuid.uuid4().hex[:10]
    fake.state.add_user(user, f"Taster {user}", "premium")
    fake.state.seed_library(user, n_top=n_top)
    return user


def test_saved_tracks_become_taste_once_and_follow_unsaves(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    user = _fresh_user(fake_spotify)
    # Fixed names: the fake derives a track's audio features from its id (a hash
    # of name and position), and random names made the cold answer's closeness
    # to them a dice roll (it failed about one run in eight).
    saved = [fake_spotify.state.catalog.add_track(f"Taste sync {i}").id for i in range(3)]
    fake_spotify.state.save_tracks(user, saved, added_at=SAVED_AT)
    login(spotify_api, fake_spotify, user)

    cold = spotify_api.get(RECS, params=PARAMS).json()
    assert cold["cold_start"] is True
    user_id = cold["user_id"]

    report = _sync(spotify_api)
    assert report["saved_tracks"]["taste"] == 3
    assert report["saved_tracks"]["new_tracks"] == 3
    assert report["saved_tracks"]["taste_removed"] == 0
    assert sum(r["taste"] for r in report.values()) == 3  # no top tracks, no other taste

    warm = spotify_api.get(RECS, params=PARAMS).json()
    # No plays at all: the taste is the saved tracks alone.
    assert warm["cold_start"] is False and warm["plays_considered"] == 0
    ids = [item["id"] for item in warm["items"]]
    assert len(ids) == 20 and not set(ids) & set(saved)  # saved ones are not offered again
    because = {
        r["track_id"] for item in warm["items"] for r in item["reasons"] if r["kind"] == "liked"
    }
    assert because and because <= set(saved)
    # The saved tracks' close neighbours now rank first: three quarters of the answer
    # lies among the catalog's nearest 2% to them (typically all of it, most in the
    # nearest 0.1%), where the cold answer, by popularity, was spread out (popular
    # tracks bunch in feature space, so a few of them can fall that near).
    near = [c < 0.02 for c in _closeness(spotify_api, ids, saved)]
    cold_near = [c < 0.02 for c in _closeness(spotify_api, [i["id"] for i in cold["items"]], saved)]
    assert sum(near) >= 15 and sum(cold_near) <= sum(near) // 2

    stored = _feedback_of(spotify_api, user_id)
    assert sorted(f.track_id for f in stored) == sorted(saved)
    assert {(f.kind, f.at) for f in stored} == {("save", SAVED_AT)}

    # Synced again: nothing new is written, and the answer stays the same.
    again = _sync(spotify_api)
    assert sum(r["taste"] + r["taste_removed"] for r in again.values()) == 0
    assert _feedback_of(spotify_api, user_id) == stored
    assert [i["id"] for i in spotify_api.get(RECS, params=PARAMS).json()["items"]] == ids

    # My own dislike (newer than the Spotify save) wins and survives syncs;
    # a track unsaved on Spotify stops counting at the next full sync.
    own = spotify_api.post("/api/v1/me/feedback", json={"track_id": saved[0], "kind": "dislike"})
    assert own.status_code == 201, own.text
    fake_spotify.state.remove_tracks(user, [saved[1]])
    third = _sync(spotify_api)
    assert third["saved_tracks"]["taste_removed"] == 1
    assert sum(r["taste"] for r in third.values()) == 0
    profile = _call(spotify_api, _services(spotify_api).personal.profile, user_id)
    assert profile.liked == {saved[2]} and profile.disliked == {saved[0]}
    kinds = sorted((f.track_id, f.kind) for f in _feedback_of(spotify_api, user_id))
    assert kinds == sorted([(saved[0], "save"), (saved[0], "dislike"), (saved[2], "save")])


def test_top_tracks_are_liked_once_across_time_ranges(
    spotify_api: TestClient, fake_spotify: FakeSpotify
) -> None:
    # Ten per range: short [0, 10), medium [7, 17), long [13, 23) of the fake's catalog.
    user = _fresh_user(fake_spotify, n_top=10)
    catalog = fake_spotify.state.catalog
    fake_spotify.state.save_tracks(user, [catalog.track_at(i).id for i in range(5)])
    login(spotify_api, fake_spotify, user)

    report = _sync(spotify_api)
    assert report["saved_tracks"]["taste"] == 5
    taste = [report[f"top_tracks:{r}"]["taste"] for r in ("short_term", "medium_term", "long_term")]
    assert taste == [10, 7, 6]  # a track already liked from another range counts once
    user_id = spotify_api.get(RECS, params=PARAMS).json()["user_id"]
    events = _feedback_of(spotify_api, user_id)
    likes = {f.track_id for f in events if f.kind == "like"}
    assert likes == {catalog.track_at(i).id for i in range(23)}
    profile = _call(spotify_api, _services(spotify_api).personal.profile, user_id)
    assert profile.liked == likes and not profile.is_cold

    again = _sync(spotify_api)
    assert sum(r["taste"] + r["taste_removed"] for r in again.values()) == 0
    assert len(_feedback_of(spotify_api, user_id)) == len(events) == 28
