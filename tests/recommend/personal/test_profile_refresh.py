"""The cached taste profile follows feedback that is not the newest: a Spotify
sync adds saves dated when they were made, and removes unsaved ones. On every
backend (the `storage` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from echotune.listening.models import Feedback
from echotune.observability.metrics import Metrics
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.recommend.personal.store import ModelStore
from echotune.storage.base import Storage

NOW = datetime.now(UTC)


async def test_older_and_removed_sourced_feedback_change_the_profile(
    storage: Storage, tmp_path: Path
) -> None:
    index = FeatureIndex.synthetic(300, seed=3)
    models = ModelStore(storage.listening, lambda: index, tmp_path / "models")
    service = PersonalRecommendationService(
        lambda: index, storage.tracks, storage.listening, storage.feedback, models, Metrics()
    )
    user, _ = await storage.users.get_or_create("alice")
    ids = [str(i) for i in index.ids[:4]]
    await storage.feedback.add(Feedback(user_id=user.id, track_id=ids[0], kind="like", at=NOW))
    assert (await service.profile(user.id)).liked == {ids[0]}

    # Saved on Spotify a year ago: older than the newest event, still counted at once.
    year_ago = NOW - timedelta(days=365)
    saves = [Feedback(user_id=user.id, track_id=t, kind="save", at=year_ago) for t in ids[1:]]
    assert await storage.feedback.add_many(saves, "spotify") == 3
    assert (await service.profile(user.id)).liked == set(ids)

    assert await storage.feedback.retain(user.id, "spotify", "save", {ids[3]}) == 2
    assert (await service.profile(user.id)).liked == {ids[0], ids[3]}
