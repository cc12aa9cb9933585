"""Hybrid-ranker evaluation: playlists as listeners, folds, metrics and the weight search."""

from __future__ import annotations

import csv
import gzip
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from echotune.catalog.csv_rows import FEATURE_COLUMNS
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.evaluation.hybrid import (
    HybridFold,
    Scenario,
    context_adherence,
    evaluate,
    grid_search,
    hybrid_fold,
)
from echotune.recommend.evaluation.playlists import context_of_name, read_catalog_playlists
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.context import context_targets
from echotune.recommend.personal.ranker import WEIGHTS
from echotune.recommend.scaling import RAW_COLUMN


def test_playlist_names_become_context_targets() -> None:
    assert context_of_name("Hard Rock Workout!") == context_targets(None, "workout", None)
    assert context_of_name("Sad Trap") == context_targets("sad", None, None)
    # Synonyms count, and a mood and an activity combine as in a request.
    assert context_of_name("Happy Gym Mix") == context_targets("happy", "workout", None)
    assert context_of_name("Pop Hits 2019") == {}


def _row(track: str, playlist: str, name: str, genre: str, energy: str = "0.5") -> dict[str, str]:
    row = dict.fromkeys(FEATURE_COLUMNS, "0.5")
    row.update(key="5", mode="1", loudness="-6", tempo="120", energy=energy, duration_ms="200000")
    row.update(track_id=track, track_name=f"song {track[:3]}", track_artist="artist", track_popularity="50",
               playlist_id=playlist, playlist_name=name, playlist_genre=genre)  # fmt: skip
    return row


def test_catalog_playlists_keep_the_first_copy_and_distinct_members(tmp_path: Path) -> None:
    a, b, c = "A" * 22, "B" * 22, "C" * 22
    rows = [
        _row(a, "p1", "Morning Run", "pop", energy="0.9"),
        _row(b, "p1", "Morning Run", "pop"),
        _row(a, "p2", "Rock Drive", "rock", energy="0.1"),  # a again: first copy wins
        _row(b, "p1", "Morning Run", "pop"),  # a repeated pair
        _row(c, "p2", "Rock Drive", "rock", energy="not a number"),  # skipped as a track
    ]
    path = tmp_path / "songs.csv.gz"
    with gzip.open(path, "wt", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tracks, playlists = read_catalog_playlists(path)
    assert [t.id for t in tracks] == [a, b]
    assert tracks[0].features is not None and tracks[0].features.energy == 0.9
    assert tracks[0].genre == "pop"
    assert [(p.id, p.name, p.genre, p.tracks) for p in playlists] == [
        ("p1", "Morning Run", "pop", [a, b]),
        ("p2", "Rock Drive", "rock", [a, c]),
    ]


@pytest.fixture(scope="module")
def fold() -> HybridFold:
    """60 listeners over a 3,000-track catalog: each plays 20 tracks of one energy band."""
    index = FeatureIndex.synthetic(3000, seed=9)
    energy = index.raw[:, RAW_COLUMN["energy"]]
    bands = np.array_split(np.argsort(energy), 6)
    rng = np.random.default_rng(4)
    triples = []
    about = {}
    for user in range(60):
        band = bands[user % 6]
        for row in rng.choice(band[:150], 20, replace=False):
            triples.append((f"u{user}", str(index.ids[row]), 1.0))
        loud = user % 6 == 5 and user % 12 == 11
        about[f"u{user}"] = (
            context_targets(None, "workout", None) if loud else {},
            f"band{user % 6}",
        )
    return hybrid_fold(index, Interactions.from_triples(triples), about, 0.25, seed=3, min_items=5)


def test_fold_holds_out_part_of_every_listener(fold: HybridFold) -> None:
    assert fold.stats["listeners"] == 60
    assert fold.stats["test_pairs"] == 60 * 5
    for listener in fold.listeners:
        held = {str(fold.index.ids[r]) for r in listener.test_rows}
        assert len(held) == listener.test_size == 5
        assert not held & listener.profile.played
        assert listener.cf is not None and listener.cf.shape == (len(fold.index),)
    with_context = fold.where(lambda x: bool(x.targets))
    assert with_context.stats["listeners"] == 5
    # Each listener with a context also has a blended history: their tracks and another's.
    blend = with_context.listeners[0].blend
    assert blend is not None and len(blend[0].played) == 15 + 15


def test_the_hybrid_beats_popularity_and_metrics_are_in_range(fold: HybridFold) -> None:
    hybrid = evaluate(fold, WEIGHTS, Scenario())
    popular = evaluate(fold, replace(WEIGHTS, cf=0.0, content=0.0), Scenario())
    assert set(hybrid) == {"precision@10", "recall@20", "ndcg@10", "map@10", "ndcg@10_se"}
    assert all(0.0 <= v <= 1.0 for v in hybrid.values())
    assert 0.0 < hybrid["ndcg@10_se"] < hybrid["ndcg@10"]
    assert hybrid["ndcg@10"] > 2 * popular["ndcg@10"]
    # Same inputs, same answer: the ranker's copy of the scores leaves the fold untouched.
    assert evaluate(fold, WEIGHTS, Scenario()) == hybrid


def test_grid_search_tries_every_combination_best_first(fold: HybridFold) -> None:
    seen: list[float] = []
    grid = {"cf": (0.0, 1.0), "content": (0.0, 1.0)}
    trials = grid_search(
        [fold], WEIGHTS, grid, [Scenario()], progress=lambda t: seen.append(t.weights.cf)
    )
    assert len(trials) == len(seen) == 4
    scores = [t.metrics["ndcg@10"] for t in trials]
    assert scores == sorted(scores, reverse=True)
    assert {(t.weights.cf, t.weights.content) for t in trials} == {
        (a, b) for a in (0.0, 1.0) for b in (0.0, 1.0)
    }
    assert all(t.weights.popularity == WEIGHTS.popularity for t in trials)
    best = trials[0]
    assert evaluate(fold, best.weights, Scenario())["ndcg@10"] == pytest.approx(
        best.metrics["ndcg@10"]
    )


def test_context_adherence_grows_with_the_weight(fold: HybridFold) -> None:
    few = fold.where(lambda x: int(x.user_id[1:]) < 12)
    contexts = [context_targets(None, "workout", None), context_targets("sad", None, None)]
    ignored = context_adherence(few, replace(WEIGHTS, context=0.0), Scenario(), contexts)
    mild = context_adherence(few, replace(WEIGHTS, context=0.1), Scenario(), contexts)
    strong = context_adherence(few, replace(WEIGHTS, context=3.0), Scenario(), contexts)
    assert ignored == 0.0
    assert 0.0 < mild < strong <= 1.0 and strong > 0.75
