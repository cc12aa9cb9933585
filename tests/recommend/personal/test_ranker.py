"""Taste profile, context and the hybrid ranker on a synthetic catalog (no storage)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from echotune.errors import InvalidInput
from echotune.listening.models import Feedback, FeedbackKind, Play
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.context import context_targets
from echotune.recommend.personal.diversity import pairwise_similarity
from echotune.recommend.personal.ranker import RankRequest, rank
from echotune.recommend.personal.taste import build_profile, play_weight
from echotune.recommend.scaling import RAW_COLUMN

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def index() -> FeatureIndex:
    return FeatureIndex.synthetic(5000, seed=7)


def _plays(track_ids: list[str], skipped: bool = False, days_ago: int = 1) -> list[Play]:
    return [
        Play(
            user_id="u",
            track_id=t,
            played_at=NOW - timedelta(days=days_ago, minutes=i),
            ms_played=5_000 if skipped else 200_000,
            skipped=skipped,
        )
        for i, t in enumerate(track_ids)
    ]


def _energy(index: FeatureIndex, rows: list[int]) -> float:
    return float(index.raw[rows, RAW_COLUMN["energy"]].mean())


def test_play_weight_decays_and_skips_are_negative() -> None:
    fresh = _plays(["a"])[0]
    old = _plays(["a"], days_ago=180)[0]
    skip = _plays(["a"], skipped=True)[0]
    assert play_weight(fresh, NOW) > 0.95
    assert 0.2 < play_weight(old, NOW) < 0.3  # two half-lives
    assert play_weight(skip, NOW) < 0


def test_recommendations_follow_taste_and_exclude_played(index: FeatureIndex) -> None:
    energy = index.raw[:, RAW_COLUMN["energy"]]
    calm = [str(index.ids[r]) for r in np.argsort(energy)[:40]]
    profile = build_profile("u", index, _plays(calm), [], NOW)
    ranked = rank(index, profile, None, RankRequest(limit=20, diversity=0.0, novelty=0.0))
    rows = [r.row for r in ranked]
    assert len(rows) == 20
    assert not {str(index.ids[r]) for r in rows} & set(calm)
    assert _energy(index, rows) < float(energy.mean()) - 0.15
    again = rank(index, profile, None, RankRequest(limit=20, diversity=0.0, novelty=0.0))
    assert [r.row for r in again] == rows


def test_context_pulls_toward_mood_targets(index: FeatureIndex) -> None:
    profile = build_profile("u", index, [], [], NOW)
    assert profile.is_cold
    req = RankRequest(limit=20, targets=context_targets(None, "workout", None), diversity=0.0)
    rows = [r.row for r in rank(index, profile, None, req)]
    assert _energy(index, rows) > 0.8


def test_dislike_excludes_track_and_penalises_artist(index: FeatureIndex) -> None:
    energy = index.raw[:, RAW_COLUMN["energy"]]
    liked = [str(index.ids[r]) for r in np.argsort(energy)[:20]]
    base = build_profile("u", index, _plays(liked), [], NOW)
    first = rank(index, base, None, RankRequest(limit=10, diversity=0.0))
    victim = str(index.ids[first[0].row])
    feedback = [Feedback(user_id="u", track_id=victim, kind="dislike", at=NOW)]
    after = build_profile("u", index, _plays(liked), feedback, NOW)
    ranked = rank(index, after, None, RankRequest(limit=10, diversity=0.0))
    artist = index.artist_of_row(first[0].row)
    assert victim not in {str(index.ids[r.row]) for r in ranked}
    assert all(index.artist_of_row(r.row) != artist for r in ranked[:3])


def test_own_feedback_outranks_what_a_spotify_sync_implied(index: FeatureIndex) -> None:
    a, b, c = (str(index.ids[r]) for r in (1, 2, 3))

    def own(track: str, kind: FeedbackKind, days_ago: int) -> Feedback:
        return Feedback(user_id="u", track_id=track, kind=kind, at=NOW - timedelta(days_ago))

    synced = [  # a top track seen by today's sync, a track saved on Spotify last week
        Feedback(user_id="u", track_id=a, kind="like", at=NOW, source="spotify"),
        Feedback(user_id="u", track_id=b, kind="save", at=NOW - timedelta(7), source="spotify"),
    ]
    # Newest first, as the repositories list them.
    feedback = sorted(
        [own(a, "dislike", 30), own(b, "like", 1), own(c, "dislike", 2), *synced],
        key=lambda f: f.at,
        reverse=True,
    )
    profile = build_profile("u", index, [], feedback, NOW)
    # My month-old dislike of a beats today's top-track like; c has only my dislike.
    assert profile.disliked == {a, c}
    assert profile.liked == {b}
    # Without my feedback, the synced entries count as likes.
    only_synced = build_profile("u", index, [], synced, NOW)
    assert only_synced.liked == {a, b} and not only_synced.disliked


def test_diversity_spreads_the_list(index: FeatureIndex) -> None:
    energy = index.raw[:, RAW_COLUMN["energy"]]
    liked = [str(index.ids[r]) for r in np.argsort(energy)[-30:]]
    profile = build_profile("u", index, _plays(liked), [], NOW)

    def mean_similarity(diversity: float) -> float:
        rows = np.array([r.row for r in rank(index, profile, None, RankRequest(limit=15, diversity=diversity))])
        sim = pairwise_similarity(index, rows)
        return float((sim.sum() - np.trace(sim)) / (len(rows) * (len(rows) - 1)))

    assert mean_similarity(0.8) < mean_similarity(0.0)


def test_collaborative_scores_are_blended_in(index: FeatureIndex) -> None:
    profile = build_profile("u", index, _plays([str(index.ids[0])]), [], NOW)
    cf = np.zeros(len(index), dtype=np.float32)
    boosted = 4321
    cf[boosted] = 1.0
    ranked = rank(index, profile, cf, RankRequest(limit=5, diversity=0.0))
    assert ranked[0].row == boosted
    assert ranked[0].collaborative == pytest.approx(1.0)


def test_unknown_mood_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="Unknown mood 'grumpy'; choose one of: "):
        context_targets("grumpy", None, None)
    assert context_targets("melancholic", "gym", 7)["tempo"] == 135.0
