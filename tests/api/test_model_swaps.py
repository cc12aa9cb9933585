"""The served model against a changing catalog index and a model file saved elsewhere.

A model's scores come out in the row order of the index it was mapped onto.
When the index is rebuilt (an import added tracks) the rows move; a request
must still get scores laid out on the index it ranks with, and the model is
then re-mapped onto the new index. A model that `echotune train` saved in
another process is installed by the running app. An app of its own, on the
10-track sample catalog, so the added tracks leave the shared catalog alone.
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from echotune.app import create_app
from echotune.cli.main import app as cli_app
from echotune.listening.models import Play
from echotune.recommend.personal import store
from echotune.recommend.personal.cf_scorer import CFArtifact
from echotune.settings import CatalogSettings
from tests.api.conftest import cli_env, make_settings

SAMPLE_CSV = Path(__file__).parents[1] / "catalog" / "data" / "spotify_songs_sample.csv"
NOW = datetime.now(UTC)
# Ids that sort before every catalog id: indexed in id order, they move every row.
NEW_IDS = ("0000000000000000000001", "0000000000000000000002", "0000000000000000000003")


def sample_ids() -> list[str]:
    with SAMPLE_CSV.open(encoding="utf-8") as f:
        return list(dict.fromkeys(row["track_id"] for row in csv.DictReader(f)))


def plays(user_id: str, track_ids: list[str]) -> list[Play]:
    return [
        Play(user_id=user_id, track_id=t, played_at=NOW - timedelta(hours=i), ms_played=200_000)
        for i, t in enumerate(track_ids)
    ]


def call(client: TestClient, fn: Any, *args: Any) -> Any:
    assert client.portal is not None
    return client.portal.call(fn, *args)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Listeners over overlapping windows of the catalog, one of them with a token, a model."""
    settings = make_settings(tmp_path_factory.mktemp("model-swaps"))
    settings = settings.model_copy(update={"catalog": CatalogSettings(path=SAMPLE_CSV)})
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        ids = sample_ids()
        for k in range(8):
            user, _ = call(client, services.users.create_user, f"listener-{k}")
            window = [ids[(k + j) % len(ids)] for j in range(4)]
            call(client, services.storage.listening.add_many, plays(user.id, window))
        user, _, secret = call(client, services.users.create_token, "dana")
        call(client, services.storage.listening.add_many, plays(user.id, ids[:3]))
        report = call(client, services.models.train)
        assert report.trained and report.threads == 1  # the server's default
        yield {
            "client": client,
            "services": services,
            "auth": {"Authorization": f"Bearer {secret}"},
            "settings": settings,
            "ids": ids,
        }


def answer(app: dict[str, Any]) -> dict[str, Any]:
    r = app["client"].get(
        "/api/v1/me/recommendations", params={"limit": 10, "diversity": 0}, headers=app["auth"]
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_rebuilt_index_is_met_by_a_model_remapped_onto_it(
    app: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Re-mapping waits for the gate, so requests meet the window it leaves.
    gate = threading.Event()
    real_scorer = store.CFScorer

    def gated(artifact: CFArtifact, index: Any) -> Any:
        assert gate.wait(30)
        return real_scorer(artifact, index)

    monkeypatch.setattr(store, "CFScorer", gated)
    try:
        _rebuild_while_remapping_waits(app, gate)
    finally:
        gate.set()  # never leave the worker thread waiting


def _rebuild_while_remapping_waits(app: dict[str, Any], gate: threading.Event) -> None:
    client, services = app["client"], app["services"]
    before = answer(app)
    assert before["model"]["collaborative"] is True
    old_index, old_scorer = services.discovery.index(), services.models.scorer()
    assert old_scorer.index is old_index

    # Another import adds tracks (with audio features, so they are indexed).
    [template] = call(client, services.storage.tracks.get_many, [app["ids"][5]])
    added = [template.model_copy(update={"id": i, "name": f"new {i[-1]}"}) for i in NEW_IDS]
    call(client, services.storage.tracks.upsert_many, added)
    call(client, services.discovery.rebuild)
    new_index = services.discovery.index()
    assert len(new_index) == len(old_index) + 3
    assert [new_index.row_of(t) for t in app["ids"]] != [old_index.row_of(t) for t in app["ids"]]

    # The model still knows only the old rows: the request is answered on the
    # old index, exactly as before, and the re-mapping starts.
    assert answer(app)["items"] == before["items"]
    # A seed only the new index has is answered on it, without the model
    # until the re-mapping ends (rather than refused as unknown).
    seeded = client.get(
        "/api/v1/me/recommendations",
        params={"limit": 5, "seed_tracks": NEW_IDS[0]},
        headers=app["auth"],
    )
    assert seeded.status_code == 200, seeded.text
    assert seeded.json()["model"]["collaborative"] is False
    assert services.models.scorer() is old_scorer  # still re-mapping
    gate.set()
    call(client, services.models.settle)
    new_scorer = services.models.scorer()
    assert new_scorer.index is new_index and new_scorer.artifact is old_scorer.artifact

    # Each model item's score sits on its own track's row in either layout.
    profile = call(client, services.personal.profile, before["user_id"], new_index)
    old_scores = old_scorer.scores(profile.track_weights)
    new_scores = new_scorer.scores(profile.track_weights)
    for track_id in old_scorer.artifact.item_ids:
        assert new_scores[new_index.row_of(track_id)] == old_scores[old_index.row_of(track_id)]
    assert all(new_scores[new_index.row_of(t)] == 0.0 for t in NEW_IDS)
    after = answer(app)
    assert after["model"]["collaborative"] is True
    seeded = client.get(
        "/api/v1/me/recommendations",
        params={"limit": 5, "seed_tracks": NEW_IDS[0]},
        headers=app["auth"],
    )
    assert seeded.status_code == 200 and seeded.json()["model"]["collaborative"] is True
    assert {i["id"] for i in after["items"]} <= set(app["ids"]) | set(NEW_IDS)


def test_a_model_trained_by_another_process_is_installed(app: dict[str, Any]) -> None:
    client, services, settings = app["client"], app["services"], app["settings"]
    served = services.models.scorer().artifact
    # A new listener's plays, then `echotune train` in its own services, as a
    # second process would.
    newcomer, _ = call(client, services.users.create_user, "newcomer")
    call(client, services.storage.listening.add_many, plays(newcomer.id, app["ids"][6:]))
    env = {**cli_env(settings.data_dir), "COLUMNS": "300"}
    result = CliRunner().invoke(cli_app, ["train", "--threads", "2"], env=env)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("│"))
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    assert cells[1] == "yes" and cells[6] == "2"  # trained, on two threads
    saved = CFArtifact.load(settings.data_dir / "models" / "collaborative.npz")
    assert saved.users == served.users + 1

    services.models.check_seconds = 0.0  # look at the file on every request
    try:
        answer(app)  # notices the file and starts installing it
        call(client, services.models.settle)
    finally:
        services.models.check_seconds = 1.0
    installed = services.models.scorer()
    assert installed.artifact.users == saved.users
    assert installed.index is services.discovery.index()
    body = answer(app)
    assert body["model"]["trained_at"] == saved.trained_at.isoformat().replace("+00:00", "Z")
    # Installed once: the same file is not loaded again.
    assert services.models.serving(services.discovery.index())[1] is installed


def test_the_model_file_is_looked_at_once_a_second_at_most(app: dict[str, Any]) -> None:
    client, services, settings = app["client"], app["services"], app["settings"]
    answer(app)
    call(client, services.models.settle)
    served = services.models.scorer()
    env = {**cli_env(settings.data_dir), "COLUMNS": "300"}
    result = CliRunner().invoke(cli_app, ["train", "--threads", "2"], env=env)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("│"))
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    assert cells[1] == "yes" and cells[6] == "2"  # trained, on two threads
    services.models.check_seconds = 3600.0
    try:
        answer(app)
        call(client, services.models.settle)
        assert services.models.scorer() is served  # not looked at again yet
        services.models.check_seconds = 0.0
        answer(app)
        call(client, services.models.settle)
        assert services.models.scorer() is not served  # looked at, and installed
    finally:
        services.models.check_seconds = 1.0


def test_an_unreadable_model_file_leaves_the_served_model_alone(
    app: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, services, settings = app["client"], app["services"], app["settings"]
    loads: list[Path] = []
    real_load = CFArtifact.load

    def counted(path: Path) -> CFArtifact:
        loads.append(path)
        return real_load(path)

    monkeypatch.setattr(CFArtifact, "load", staticmethod(counted))
    answer(app)
    call(client, services.models.settle)
    served = services.models.scorer()
    path = settings.data_dir / "models" / "collaborative.npz"
    kept = path.read_bytes()
    broken = path.with_name("broken.npz")
    broken.write_bytes(b"not a model")
    os.replace(broken, path)  # as another process's save would: whole, by rename
    services.models.check_seconds = 0.0
    try:
        first = answer(app)
        call(client, services.models.settle)
        assert services.models.scorer() is served and first["model"]["collaborative"] is True
        assert loads == [path]
        # Refused once, not read again on every request.
        answer(app)
        call(client, services.models.settle)
        assert loads == [path] and services.models.scorer() is served
    finally:
        services.models.check_seconds = 1.0
        path.write_bytes(kept)
