"""recommend(): filters, targets, seeds, variety, determinism and Spotify's seed objects."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from echotune.catalog.models import Track
from echotune.errors import InvalidInput
from echotune.recommend import FeatureIndex, RecommendationQuery, recommend
from echotune.recommend.scaling import TOTAL_WEIGHT
from echotune.recommend.scoring import KERNEL_WIDTH, POPULARITY_PRIOR
from echotune.recommend.selection import ARTIST_CAP, SEED_ARTIST_CAP

from .factory import random_catalog, track

CATALOG = random_catalog(300, seed=11, artists=60)
BY_ID = {t.id: t for t in CATALOG}


@pytest.fixture(scope="module")
def index() -> FeatureIndex:
    return FeatureIndex.from_batches([CATALOG[:100], CATALOG[100:]])


def value(t: Track, attribute: str) -> float:
    assert t.features is not None
    return float(t.popularity if attribute == "popularity" else getattr(t.features, attribute))


def inside(t: Track, minimums: dict[str, float], maximums: dict[str, float]) -> bool:
    # The index keeps float32; a bound and a value compare as float32, as documented.
    f32 = np.float32
    return all(f32(value(t, a)) >= f32(b) for a, b in minimums.items()) and all(
        f32(value(t, a)) <= f32(b) for a, b in maximums.items()
    )


def test_min_max_filters_are_honoured_exactly(index: FeatureIndex) -> None:
    minimums = {"energy": 0.55, "popularity": 30, "key": 2}
    maximums = {"tempo": 135.0, "valence": 0.8, "key": 9}
    seed = CATALOG[0].id
    q = RecommendationQuery(
        seed_tracks=(seed,), limit=100, min_values=minimums, max_values=maximums
    )
    result = recommend(index, q)
    expected = {t.id for t in CATALOG if inside(t, minimums, maximums)} - {seed}
    assert 5 < len(expected) < 100  # the filters bite, and every passing track fits the limit
    assert set(result.track_ids) == expected
    assert len(result.track_ids) == len(expected)


def test_a_bound_equal_to_a_value_keeps_the_track() -> None:
    tracks = [track("low", energy=0.3), track("mid", energy=0.5), track("high", energy=0.7)]
    index = FeatureIndex.from_tracks(tracks)
    q = RecommendationQuery(
        seed_genres=("pop",), min_values={"energy": 0.5}, max_values={"energy": 0.5}
    )
    assert recommend(index, q).track_ids == ["mid"]


def mean_gap(ids: list[str], attribute: str, target: float) -> float:
    return float(np.mean([abs(value(BY_ID[i], attribute) - target) for i in ids]))


@pytest.mark.parametrize(
    ("attribute", "target"), [("energy", 0.95), ("tempo", 80.0), ("valence", 0.05)]
)
def test_a_target_pulls_results_toward_it(
    index: FeatureIndex, attribute: str, target: float
) -> None:
    plain = recommend(index, RecommendationQuery(seed_genres=("pop",), limit=20))
    pulled = recommend(
        index,
        RecommendationQuery(seed_genres=("pop",), limit=20, target_values={attribute: target}),
    )
    everyone = [t.id for t in CATALOG]
    assert mean_gap(pulled.track_ids, attribute, target) < 0.5 * mean_gap(
        plain.track_ids, attribute, target
    )
    assert mean_gap(pulled.track_ids, attribute, target) < 0.5 * mean_gap(
        everyone, attribute, target
    )


def test_two_targets_are_both_honoured(index: FeatureIndex) -> None:
    q = RecommendationQuery(
        seed_genres=("rock",), limit=10, target_values={"energy": 0.9, "danceability": 0.3}
    )
    ids = recommend(index, q).track_ids
    everyone = [t.id for t in CATALOG]
    assert mean_gap(ids, "energy", 0.9) < 0.5 * mean_gap(everyone, "energy", 0.9)
    assert mean_gap(ids, "danceability", 0.3) < 0.5 * mean_gap(everyone, "danceability", 0.3)


def test_seed_tracks_are_never_recommended(index: FeatureIndex) -> None:
    seeds = tuple(t.id for t in CATALOG[:5])
    for q in (
        RecommendationQuery(seed_tracks=seeds, limit=100),
        RecommendationQuery(seed_tracks=seeds[:2], limit=100, min_values={"energy": 0.0}),
    ):
        ids = recommend(index, q).track_ids
        assert len(ids) == 100
        assert not set(ids) & set(seeds)


def test_a_track_seed_ranks_by_similarity_and_a_mild_popularity_prior(index: FeatureIndex) -> None:
    seed = CATALOG[7]
    ids = recommend(index, RecommendationQuery(seed_tracks=(seed.id,), limit=10)).track_ids
    z = index.standardised.astype(np.float64)
    row = index.row_of(seed.id)
    assert row is not None
    distance = ((z - z[row]) ** 2).sum(axis=1)
    # The documented score: a Cauchy kernel of the weighted distance plus the prior.
    kernel = 1.0 / (1.0 + distance / (TOTAL_WEIGHT * KERNEL_WIDTH))
    expected = kernel + POPULARITY_PRIOR * index.column("popularity") / 100.0
    expected[row] = -np.inf
    ranked = [str(index.ids[r]) for r in np.argsort(-expected, kind="stable")[:10]]
    assert ids == ranked
    nearest = {str(index.ids[r]) for r in np.argsort(distance)[1:4]}
    assert ids[0] in nearest


def test_the_same_query_gives_the_same_answer(index: FeatureIndex) -> None:
    q = RecommendationQuery(
        seed_tracks=(CATALOG[3].id,),
        seed_artists=(CATALOG[4].artist_id,),
        seed_genres=("rock",),
        limit=30,
        min_values={"tempo": 90},
        target_values={"energy": 0.7},
    )
    first = recommend(index, q)
    rebuilt = FeatureIndex.from_batches([CATALOG[:100], CATALOG[100:]])
    assert recommend(index, q) == first
    assert recommend(rebuilt, q) == first


def test_ties_are_broken_by_row() -> None:
    twins = [track(f"twin{i}", artist=f"artist{i}") for i in range(10)]
    index = FeatureIndex.from_tracks(twins)
    ids = recommend(index, RecommendationQuery(seed_genres=("pop",), limit=5)).track_ids
    rows = [index.row_of(i) for i in ids]
    assert rows == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed_tracks": ("nope",)}, "invalid seed_tracks id: 'nope'"),
        ({"seed_artists": ("nobody",)}, "invalid seed_artists id: 'nobody'"),
        ({"seed_genres": ("polka",)}, "invalid seed_genres value: 'polka'"),
    ],
)
def test_unknown_seeds_are_rejected(
    index: FeatureIndex, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        recommend(index, RecommendationQuery(**kwargs))  # type: ignore[arg-type]
    assert message in caught.value.message


def test_a_genre_seed_recommends_that_genre(index: FeatureIndex) -> None:
    for genre, field in (("rock", "genre"), ("hard rock", "subgenre"), ("dance pop", "subgenre")):
        ids = recommend(index, RecommendationQuery(seed_genres=(genre,), limit=20)).track_ids
        assert len(ids) == 20
        assert all(getattr(BY_ID[i], field) == genre for i in ids), genre


def test_an_artist_seed_favours_the_artist_and_its_sound(index: FeatureIndex) -> None:
    artist = Counter(t.artist_id for t in CATALOG).most_common(1)[0][0]
    own = [t for t in CATALOG if t.artist_id == artist]
    assert len(own) > SEED_ARTIST_CAP
    ids = recommend(index, RecommendationQuery(seed_artists=(artist,), limit=20)).track_ids
    per_artist = Counter(BY_ID[i].artist_id for i in ids)
    assert per_artist[artist] == SEED_ARTIST_CAP
    assert max(n for a, n in per_artist.items() if a != artist) <= ARTIST_CAP
    # Others are closer to the artist's centroid than the catalog is on average.
    z = index.standardised.astype(np.float64)
    centroid = z[index.artist_rows(artist)].mean(axis=0)
    others = [index.row_of(i) for i in ids if BY_ID[i].artist_id != artist]
    distance = ((z - centroid) ** 2).sum(axis=1)
    assert distance[others].mean() < 0.6 * distance.mean()


def test_no_artist_repeats_more_than_the_cap(index: FeatureIndex) -> None:
    q = RecommendationQuery(seed_tracks=(CATALOG[1].id,), limit=60)
    counts = Counter(BY_ID[i].artist_id for i in recommend(index, q).track_ids)
    assert sum(counts.values()) == 60
    assert max(counts.values()) == ARTIST_CAP


def test_the_cap_gives_way_when_too_few_artists_pass() -> None:
    tracks = [track(f"{a}{i}", artist=a, energy=0.1 * i) for a in "xy" for i in range(1, 9)]
    index = FeatureIndex.from_tracks(tracks)
    ids = recommend(index, RecommendationQuery(seed_genres=("pop",), limit=10)).track_ids
    assert len(ids) == 10
    assert len(set(ids)) == 10


def test_limit_is_respected_and_filters_can_leave_fewer(index: FeatureIndex) -> None:
    for limit in (1, 7, 100):
        q = RecommendationQuery(seed_genres=("pop",), limit=limit)
        assert len(recommend(index, q).track_ids) == limit
    narrow = RecommendationQuery(seed_genres=("pop",), limit=50, min_values={"energy": 0.97})
    passing = [t for t in CATALOG if inside(t, {"energy": 0.97}, {})]
    assert 0 < len(passing) < 50
    assert len(recommend(index, narrow).track_ids) == len(passing)
    nothing = RecommendationQuery(seed_genres=("pop",), min_values={"tempo": 239})
    assert recommend(index, nothing).track_ids == []


def test_two_distant_seeds_mix_instead_of_averaging() -> None:
    quiet = [
        track(f"q{i}", artist=f"qa{i}", energy=0.05 + 0.01 * i, acousticness=0.9, loudness=-20)
        for i in range(20)
    ]
    loud = [
        track(f"l{i}", artist=f"la{i}", energy=0.95 - 0.01 * i, acousticness=0.02, loudness=-3)
        for i in range(20)
    ]
    middle = [
        track(f"m{i}", artist=f"ma{i}", energy=0.5, acousticness=0.46, loudness=-11.5)
        for i in range(20)
    ]
    index = FeatureIndex.from_tracks(quiet + loud + middle)
    ids = recommend(index, RecommendationQuery(seed_tracks=("q0", "l0"), limit=20)).track_ids
    kinds = Counter(i[0] for i in ids)
    assert kinds["m"] == 0
    assert kinds["q"] >= 8 and kinds["l"] >= 8


def pool(tracks: list[Track], labels: set[str], excluded: set[str]) -> list[Track]:
    return [t for t in tracks if t.id not in excluded and {t.genre, t.subgenre} & labels]


def test_seed_objects_report_pool_sizes(index: FeatureIndex) -> None:
    # The seed track passes the filter itself, yet is no candidate of its own pool.
    seed_track = next(t for t in CATALOG if t.subgenre == "hard rock" and value(t, "energy") > 0.7)
    artist = CATALOG[10].artist_id
    minimums = {"energy": 0.6}
    q = RecommendationQuery(
        seed_artists=(artist,), seed_genres=("dance pop",), seed_tracks=(seed_track.id,),
        min_values=minimums,
    )  # fmt: skip
    seeds = recommend(index, q).seeds
    artist_labels = {x for t in CATALOG if t.artist_id == artist for x in (t.genre, t.subgenre)}
    expected: list[tuple[str, str, str | None, set[str | None]]] = [
        ("ARTIST", artist, f"https://api.spotify.com/v1/artists/{artist}", artist_labels),
        ("GENRE", "dance pop", None, {"dance pop"}),
        (
            "TRACK",
            seed_track.id,
            f"https://api.spotify.com/v1/tracks/{seed_track.id}",
            {"rock", "hard rock"},
        ),
    ]
    assert len(seeds) == 3
    for info, (kind, seed_id, href, labels) in zip(seeds, expected, strict=True):
        initial = pool(CATALOG, {x for x in labels if x}, {seed_track.id})
        assert (info.type, info.id, info.href) == (kind, seed_id, href)
        assert info.initial_pool_size == len(initial)
        assert info.after_filtering_size == sum(inside(t, minimums, {}) for t in initial)
        assert info.after_relinking_size == info.after_filtering_size
        assert 0 < info.after_filtering_size < info.initial_pool_size
    dumped = seeds[1].model_dump(by_alias=True)
    assert set(dumped) == {
        "id",
        "type",
        "href",
        "initialPoolSize",
        "afterFilteringSize",
        "afterRelinkingSize",
    }


def test_the_api_base_shapes_the_seed_href(index: FeatureIndex) -> None:
    q = RecommendationQuery(seed_tracks=(CATALOG[0].id,))
    info = recommend(index, q, api_base="http://127.0.0.1:9/v1").seeds[0]
    assert info.href == f"http://127.0.0.1:9/v1/tracks/{CATALOG[0].id}"


def test_featureless_tracks_can_seed_but_are_never_recommended() -> None:
    tracks = random_catalog(40, seed=1, artists=8)
    ghost = track("ghost", artist=tracks[0].artist_id, genre="rock", with_features=False)
    index = FeatureIndex.from_batches([tracks, [ghost]])
    result = recommend(index, RecommendationQuery(seed_tracks=("ghost",), limit=100))
    assert "ghost" not in result.track_ids
    assert len(result.track_ids) == 40
    info = result.seeds[0]
    assert info.initial_pool_size == sum(t.genre == "rock" for t in tracks)
    # Without features of its own, the ghost sounds like its artist.
    by_id = {t.id: t for t in tracks}
    assert by_id[result.track_ids[0]].artist_id == tracks[0].artist_id
