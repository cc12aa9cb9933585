"""FeatureIndex: built from Track batches into read-only numpy columns."""

from __future__ import annotations

import math

import numpy as np
import pytest

from echotune.catalog.models import TUNABLE_ATTRIBUTES
from echotune.recommend import FeatureIndex, IndexBuilder
from echotune.recommend.scaling import SIMILARITY_WEIGHTS, Z_COLUMNS

from .factory import random_catalog, track


def test_batches_build_one_row_per_track_with_features() -> None:
    tracks = random_catalog(30)
    featureless = track("nofeat", artist="ghost", genre="jazz", with_features=False)
    index = FeatureIndex.from_batches([tracks[:10], [featureless], tracks[10:]])
    assert len(index) == 30
    assert sorted(index.ids.tolist()) == sorted(t.id for t in tracks)
    assert index.row_of("nofeat") is None
    meta = index.featureless_track("nofeat")
    assert meta is not None and meta.artist_id == "ghost"
    assert index.has_artist("ghost")
    assert index.artist_rows("ghost").size == 0
    # A genre known only from featureless tracks has nothing to recommend.
    assert "jazz" not in index.available_genres()


def test_rows_hold_each_tracks_values_in_tunable_order() -> None:
    tracks = random_catalog(25, seed=3)
    index = FeatureIndex.from_tracks(tracks)
    for t in tracks:
        row = index.row_of(t.id)
        assert row is not None and index.ids[row] == t.id
        assert t.features is not None
        expected = [*(getattr(t.features, n) for n in TUNABLE_ATTRIBUTES[:-1]), t.popularity]
        np.testing.assert_allclose(index.raw[row], np.array(expected, np.float32), rtol=1e-6)
        assert index.artist_of_row(row) == t.artist_id


def test_columns_are_contiguous_and_read_only() -> None:
    index = FeatureIndex.from_tracks(random_catalog(20))
    energy = index.column("energy")
    assert energy.flags["C_CONTIGUOUS"] and energy.dtype == np.float32
    assert index.standardised[:, 0].flags["C_CONTIGUOUS"]
    with pytest.raises(ValueError, match="read-only"):
        energy[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        index.standardised[0, 0] = 1.0
    with pytest.raises(AttributeError):
        index.extra = 1  # type: ignore[attr-defined]


def test_a_repeated_id_keeps_its_last_copy() -> None:
    builder = IndexBuilder()
    builder.add([track("x", energy=0.1), track("y", energy=0.2)])
    builder.add([track("x", energy=0.9, artist="later")])
    index = FeatureIndex(builder.columns())
    assert len(index) == 2
    row = index.row_of("x")
    assert row is not None
    assert index.column("energy")[row] == pytest.approx(0.9)
    assert index.artist_of_row(row) == "later"


def test_a_track_losing_its_features_leaves_the_matrix() -> None:
    builder = IndexBuilder()
    builder.add([track("x"), track("y")])
    builder.add([track("x", with_features=False)])
    index = FeatureIndex(builder.columns())
    assert index.ids.tolist() == ["y"]
    assert index.featureless_track("x") is not None


def test_standardised_columns_are_weighted_z_scores() -> None:
    index = FeatureIndex.from_tracks(random_catalog(400, seed=5))
    z = index.standardised.astype(np.float64)
    for name in ("energy", "danceability", "valence"):
        (col,) = Z_COLUMNS[name]
        assert z[:, col].mean() == pytest.approx(0.0, abs=0.02)
        assert z[:, col].std() == pytest.approx(math.sqrt(SIMILARITY_WEIGHTS[name]), rel=0.05)


def test_key_is_a_circle_so_b_and_c_are_neighbours() -> None:
    index = FeatureIndex.from_tracks(
        [track("c", key=0), track("b", key=11), track("fsharp", key=6), track("none", key=-1)]
    )
    cols = list(Z_COLUMNS["key"])

    def key_point(track_id: str) -> np.ndarray:
        row = index.row_of(track_id)
        assert row is not None
        return index.standardised[row, cols].astype(np.float64)

    c, b, fsharp, none = (key_point(t) for t in ("c", "b", "fsharp", "none"))
    assert np.linalg.norm(c - b) < np.linalg.norm(c - fsharp) / 3
    # "No key detected" sits at the centre: equally far from every key.
    assert np.linalg.norm(none - c) == pytest.approx(np.linalg.norm(none - fsharp), rel=1e-5)


def test_genres_and_subgenres_are_both_seeds() -> None:
    tracks = [
        track("1", genre="Rock", subgenre="Hard Rock"),
        track("2", genre="rock", subgenre="album rock"),
        track("3", genre="pop", subgenre="post-teen pop"),
        track("4", genre="r&b", subgenre=None),
        track("5", genre=None, subgenre=None),
    ]
    index = FeatureIndex.from_tracks(tracks)
    genres = index.available_genres()
    assert genres == ["album rock", "hard rock", "pop", "post-teen pop", "r&b", "rock"]

    def ids(genre: str) -> set[str]:
        return {str(index.ids[r]) for r in index.genre_rows(genre)}

    assert ids("rock") == {"1", "2"}
    assert ids("ROCK") == {"1", "2"}
    assert ids("hard-rock") == {"1"}
    assert ids("post teen pop") == {"3"}
    assert ids("jazz") == set()


def test_artist_rows() -> None:
    tracks = random_catalog(60, seed=2, artists=5)
    index = FeatureIndex.from_tracks(tracks)
    for artist in {t.artist_id for t in tracks}:
        rows = index.artist_rows(artist)
        assert np.all(np.diff(rows) > 0)
        assert {str(index.ids[r]) for r in rows} == {t.id for t in tracks if t.artist_id == artist}
    assert index.artist_rows("nobody").size == 0
    assert not index.has_artist("nobody")


def test_empty_catalog() -> None:
    index = FeatureIndex.from_batches([])
    assert len(index) == 0
    assert index.available_genres() == []


def test_synthetic_catalogs_are_reproducible_and_realistic() -> None:
    a = FeatureIndex.synthetic(3000, seed=4)
    b = FeatureIndex.synthetic(3000, seed=4)
    c = FeatureIndex.synthetic(3000, seed=5)
    assert len(a) == 3000
    assert a.ids.tolist() == b.ids.tolist()
    np.testing.assert_array_equal(a.raw, b.raw)
    assert a.ids.tolist() != c.ids.tolist()
    assert len(set(a.ids.tolist())) == 3000
    assert "rock" in a.available_genres() and "trap" in a.available_genres()
    energy, speech = a.column("energy"), a.column("speechiness")
    assert 0.6 < float(energy.mean()) < 0.8 and 0 <= energy.min() and energy.max() <= 1
    # Speechiness is right-skewed: its median sits well under its mean.
    assert float(np.median(speech)) < float(speech.mean())
    assert a.nbytes > a.raw.nbytes


def test_every_index_has_its_own_serial_though_ids_are_reused() -> None:
    # Caches keyed by an index (a listener's profile holds its row numbers) must
    # not take a new index for a freed one that happened to get the same id().
    ids, serials = set(), set()
    for _ in range(50):
        index = FeatureIndex.synthetic(10, seed=0)
        ids.add(id(index))
        serials.add(index.serial)
        del index
    assert len(serials) == 50
    assert len(ids) < 50  # CPython hands a freed index's memory to the next one
