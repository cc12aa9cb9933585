"""The writes the history import leans on keep the guarantees of the general ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from echotune.catalog.models import UpsertResult
from echotune.errors import StorageError
from echotune.listening.play_batch import PlayBatch
from echotune.storage.base import Storage
from echotune.storage.sqlite import SqliteStorage
from tests.storage.samples import track

AT = "2024-01-02T03:04:05.678+00:00"


def batch(user_id: str, n: int = 3) -> PlayBatch:
    return PlayBatch(
        user_id=user_id,
        source="import",
        track_ids=[f"t{i}" for i in range(n)],
        played_at=[AT] * n,
        ms_played=[1000] * n,
        skipped=[True] * n,
        contexts=["clickrow"] * n,
        genres=[None] * n,
    )


async def test_a_track_without_features_replaces_one_with_and_back(storage: Storage) -> None:
    full = track("a")
    bare = track("a", features=None, album_id=None, genre=None)
    assert await storage.tracks.upsert_many([full]) == UpsertResult(inserted=1)
    assert await storage.tracks.upsert_many([bare]) == UpsertResult(updated=1)
    assert await storage.tracks.get_many(["a"]) == [bare]
    assert await storage.tracks.upsert_many([full, track("b", features=None)]) == UpsertResult(
        inserted=1, updated=1
    )
    assert await storage.tracks.get_many(["a", "b"]) == [full, track("b", features=None)]


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    opened = await SqliteStorage.open(tmp_path / "echotune.db")
    yield opened
    await opened.close()


async def test_committing_plays_of_a_user_gone_meanwhile_fails_and_stores_nothing(
    sqlite: SqliteStorage,
) -> None:
    user, _ = await sqlite.users.get_or_create("listener")
    await sqlite.listening.stage("imp", batch(user.id))
    await sqlite.listening.stage("imp", batch("nobody", 1))
    with pytest.raises(StorageError, match="FOREIGN KEY"):
        await sqlite.listening.commit_stage("imp")
    assert await sqlite.listening.count() == 0
    await sqlite.listening.drop_stage("imp")
    # The per-row key check is back on for every other write.
    with pytest.raises(StorageError, match="FOREIGN KEY"):
        await sqlite.listening.add_many([batch("nobody", 1)[0]])
    await sqlite.listening.stage("ok", batch(user.id))
    assert await sqlite.listening.commit_stage("ok") == 3
    (first, *_) = await sqlite.listening.page(user.id, None, 10)
    assert first.played_at == datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
