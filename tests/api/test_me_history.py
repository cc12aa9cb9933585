"""/api/v1/me history, plays and feedback over HTTP, on an app of its own.

The app has its own data dir and a 10-track catalog, so importing the real
export sample (which adds tracks to the catalog) leaves the shared test
catalog alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from echotune.app import create_app
from echotune.settings import CatalogSettings
from tests.api.conftest import make_settings
from tests.listening.conftest import AUDIO_2022, SAMPLE

SAMPLE_CSV = Path(__file__).parents[1] / "catalog" / "data" / "spotify_songs_sample.csv"
KNOWN = "6f807x0ima9a1j3VPbc7VN"  # in the 10-track catalog
FROM_2022 = "3HiobOOpSpMsi95WBKPBYk"  # only in the export sample
BASE = "/api/v1/me"


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("history-api"))
    settings = settings.model_copy(update={"catalog": CatalogSettings(path=SAMPLE_CSV)})
    with TestClient(create_app(settings)) as client:
        yield client


def new_user(client: TestClient) -> dict[str, str]:
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    name = f"u-{uuid.uuid4().hex[:10]}"
    _, _, secret = client.portal.call(services.users.create_token, name)
    return {"Authorization": f"Bearer {secret}"}


def upload(client: TestClient, auth: dict[str, str], *named: tuple[str, bytes]) -> Any:
    parts = [("files", (name, data, "application/json")) for name, data in named]
    return client.post(f"{BASE}/history/import", files=parts, headers=auth)


def sample_upload() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in SAMPLE]


def whole_history(client: TestClient, auth: dict[str, str], limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    url: str | None = f"{BASE}/history?limit={limit}"
    while url is not None:
        page = client.get(url, headers=auth)
        assert page.status_code == 200, page.text
        items.extend(page.json()["items"])
        url = page.json()["next"]
    return items


def test_import_upload_returns_the_report_and_is_idempotent(app_client: TestClient) -> None:
    auth = new_user(app_client)
    first = upload(app_client, auth, *sample_upload())
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["ok"] and report["failed"] == []
    assert (report["records_read"], report["plays_new"], report["duplicates"]) == (114, 90, 1)
    assert report["skipped"] == {"podcast": 10, "audiobook": 0, "video": 13, "no_track": 0}
    again = upload(app_client, auth, *sample_upload()).json()
    assert (again["plays_new"], again["duplicates"], again["tracks_added"]) == (0, 91, 0)


def test_a_corrupt_upload_is_listed_and_the_good_one_imported(app_client: TestClient) -> None:
    auth = new_user(app_client)
    broken = AUDIO_2022.read_bytes()[:5000]
    report = upload(
        app_client, auth, ("endsong_0.json", broken), (AUDIO_2022.name, AUDIO_2022.read_bytes())
    ).json()
    assert not report["ok"] and report["plays_new"] == 34
    (failed,) = report["failed"]
    assert failed["file"] == "endsong_0.json" and failed["reason"].startswith("truncated")
    assert failed["record_index"] == 6 and failed["byte_offset"] > 0


def test_imported_tracks_are_in_the_catalog_without_features(app_client: TestClient) -> None:
    auth = new_user(app_client)
    upload(app_client, auth, (AUDIO_2022.name, AUDIO_2022.read_bytes()))
    found = app_client.get(f"/v1/tracks/{FROM_2022}", headers=auth)
    assert found.status_code == 200, found.text
    assert found.json()["id"] == FROM_2022 and found.json()["name"]
    assert app_client.get(f"/v1/audio-features/{FROM_2022}", headers=auth).status_code == 404
    # Once indexed (the import's background retrain re-indexes), such a track
    # is refused as a seed for what it lacks, not as unknown.
    services = app_client.app.state.services  # type: ignore[attr-defined]
    app_client.portal.call(services.models.wait)  # type: ignore[union-attr]
    seeded = app_client.get(f"{BASE}/recommendations?seed_tracks={FROM_2022}", headers=auth)
    assert seeded.status_code == 400
    assert seeded.json()["error"]["message"] == (
        f"seed_tracks: track '{FROM_2022}' has no audio features yet, "
        "so it cannot seed recommendations"
    )


def test_history_pages_follow_next_links_newest_first(app_client: TestClient) -> None:
    auth = new_user(app_client)
    upload(app_client, auth, *sample_upload())
    items = whole_history(app_client, auth, limit=7)
    assert len(items) == 90
    times = [i["played_at"] for i in items]
    assert times == sorted(times, reverse=True)
    assert len({(i["track_id"], i["played_at"]) for i in items}) == 90
    assert all(i["track_name"] and i["artist_name"] for i in items)
    assert app_client.get(f"{BASE}/history?limit=0", headers=auth).status_code == 400
    assert app_client.get(f"{BASE}/history?before=yesterday", headers=auth).status_code == 400


def test_a_user_sees_only_their_own_plays_and_feedback(app_client: TestClient) -> None:
    alice, bob = new_user(app_client), new_user(app_client)
    upload(app_client, alice, (AUDIO_2022.name, AUDIO_2022.read_bytes()))
    app_client.post(f"{BASE}/plays", json={"track_id": KNOWN, "ms_played": 1}, headers=bob)
    app_client.post(f"{BASE}/feedback", json={"track_id": KNOWN, "kind": "like"}, headers=alice)
    assert len(whole_history(app_client, alice, 50)) == 34
    assert [i["track_id"] for i in whole_history(app_client, bob, 50)] == [KNOWN]
    assert app_client.get(f"{BASE}/feedback", headers=bob).json() == {"items": []}
    assert len(app_client.get(f"{BASE}/feedback", headers=alice).json()["items"]) == 1


def test_posting_a_play_stores_it_once(app_client: TestClient) -> None:
    auth = new_user(app_client)
    body = {"track_id": KNOWN, "played_at": "2024-05-01T10:00:00Z", "ms_played": 12_000}
    created = app_client.post(f"{BASE}/plays", json=body, headers=auth)
    assert created.status_code == 201, created.text
    play = created.json()
    assert play["skipped"] is True and play["source"] == "api"
    assert play["played_at"] == "2024-05-01T10:00:00Z" and play["artist_name"] == "Ed Sheeran"
    again = app_client.post(f"{BASE}/plays", json=body, headers=auth)
    assert again.status_code == 200 and again.json() == play
    assert len(whole_history(app_client, auth, 50)) == 1


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"track_id": "0" * 22, "ms_played": 1}, 404, "Unknown track id '0000000000000000000000'"),
        ({"track_id": "bad", "ms_played": 1}, 400, "Invalid base62 id"),
        ({"track_id": KNOWN}, 400, "ms_played"),
        ({"track_id": KNOWN, "ms_played": -1}, 400, "ms_played"),
        ({"track_id": KNOWN, "ms_played": 1, "skipped": True}, 400, "skipped"),
    ],
)
def test_bad_plays_are_refused_with_a_clear_message(
    app_client: TestClient, body: dict[str, Any], status: int, message: str
) -> None:
    response = app_client.post(f"{BASE}/plays", json=body, headers=new_user(app_client))
    assert response.status_code == status
    assert message in response.json()["error"]["message"]


def test_feedback_round_trip(app_client: TestClient) -> None:
    auth = new_user(app_client)
    for kind in ("like", "save", "dislike"):
        made = app_client.post(
            f"{BASE}/feedback", json={"track_id": KNOWN, "kind": kind}, headers=auth
        )
        assert made.status_code == 201 and made.json()["kind"] == kind
    listed = app_client.get(f"{BASE}/feedback?limit=2", headers=auth).json()["items"]
    assert [f["kind"] for f in listed] == ["dislike", "save"]
    bad = app_client.post(
        f"{BASE}/feedback", json={"track_id": KNOWN, "kind": "love"}, headers=auth
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/history"),
        ("POST", "/plays"),
        ("POST", "/history/import"),
        ("GET", "/feedback"),
        ("POST", "/feedback"),
    ],
)
def test_every_route_needs_a_token(app_client: TestClient, method: str, path: str) -> None:
    assert app_client.request(method, f"{BASE}{path}").status_code == 401


def test_an_import_retrains_the_model_in_the_background(app_client: TestClient) -> None:
    services = app_client.app.state.services  # type: ignore[attr-defined]
    assert app_client.portal is not None
    auth = new_user(app_client)
    assert upload(app_client, auth, *sample_upload()).status_code == 200
    app_client.portal.call(services.models.wait)
    assert services.models.scorer() is not None
    assert services.models.scorer().artifact.trained_at is not None
    # The index was rebuilt first, so tracks the import added are known to it.
    assert services.discovery.index().featureless_track(FROM_2022) is not None
    recs = app_client.get(f"{BASE}/recommendations", params={"limit": 3}, headers=auth)
    assert recs.status_code == 200
    assert recs.json()["plays_considered"] > 0
