"""The real export sample, and a user and importer on the `storage` fixture's backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from echotune.listening.history_import import HistoryFile, HistoryImporter
from echotune.storage.base import Storage

DATA = Path(__file__).parent / "data"
AUDIO_2022 = DATA / "Streaming_History_Audio_2022.json"
AUDIO_2023 = DATA / "Streaming_History_Audio_2023.json"
VIDEO_2023 = DATA / "Streaming_History_Video_2023.json"
VIDEO_2026 = DATA / "Streaming_History_Video_2026.json"
SAMPLE = [AUDIO_2022, AUDIO_2023, VIDEO_2023, VIDEO_2026]


def files(*paths: Path) -> list[HistoryFile]:
    return [HistoryFile.from_path(p) for p in paths]


@pytest.fixture
async def user_id(storage: Storage) -> str:
    user, _ = await storage.users.get_or_create("listener")
    return user.id


@pytest.fixture
def importer(storage: Storage) -> HistoryImporter:
    return HistoryImporter(storage.listening, storage.tracks)
