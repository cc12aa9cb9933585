"""RecommendationQuery and parse_query: Spotify's validation, naming the parameter."""

from __future__ import annotations

import math

import pytest

from echotune.errors import InvalidInput
from echotune.recommend.query import RecommendationQuery, parse_query


def test_a_valid_query_keeps_its_values() -> None:
    q = RecommendationQuery(
        seed_tracks=("t1",),
        seed_genres=("rock",),
        limit=7,
        min_values={"energy": 0.2},
        max_values={"energy": 0.9, "tempo": 180},
        target_values={"popularity": 60},
    )
    assert q.seed_count == 2
    assert q.limit == 7
    assert dict(q.max_values) == {"energy": 0.9, "tempo": 180.0}
    assert dict(q.target_values) == {"popularity": 60.0}


def test_bounds_cannot_be_changed_after_validation() -> None:
    minimums = {"energy": 0.2}
    q = RecommendationQuery(seed_genres=("rock",), min_values=minimums)
    minimums["energy"] = 0.9
    assert q.min_values["energy"] == 0.2
    with pytest.raises(TypeError):
        q.min_values["energy"] = 0.5  # type: ignore[index]


def test_repeated_seeds_count_once() -> None:
    q = RecommendationQuery(seed_tracks=("a", "b", "a", " b "))
    assert q.seed_tracks == ("a", "b")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "at least one of seed_artists, seed_genres, seed_tracks is required"),
        (
            {"seed_tracks": ("1", "2", "3"), "seed_artists": ("4", "5"), "seed_genres": ("x",)},
            "at most 5 seeds in total across seed_artists, seed_genres and seed_tracks, got 6",
        ),
        ({"seed_genres": ("rock",), "limit": 0}, "limit must be between 1 and 100, got 0"),
        ({"seed_genres": ("rock",), "limit": 101}, "limit must be between 1 and 100, got 101"),
        ({"seed_genres": ("rock", "")}, "seed_genres holds an empty or non-text seed"),
    ],
)
def test_seed_and_limit_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        RecommendationQuery(**kwargs)  # type: ignore[arg-type]
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("min_values", {"loudnesss": -5}, "unknown tunable attribute in min_loudnesss"),
        ("target_values", {"energy": 1.5}, "target_energy must be between 0 and 1, got 1.5"),
        ("max_values", {"valence": -0.1}, "max_valence must be between 0 and 1, got -0.1"),
        ("min_values", {"popularity": 101}, "min_popularity must be between 0 and 100, got 101"),
        ("target_values", {"key": 12}, "target_key must be between 0 and 11, got 12"),
        ("target_values", {"key": 2.5}, "target_key must be an integer, got 2.5"),
        ("min_values", {"tempo": -1}, "min_tempo must be at least 0, got -1"),
        ("max_values", {"energy": math.nan}, "max_energy must be a finite number"),
    ],
)
def test_attribute_errors_name_the_parameter(
    field: str, values: dict[str, float], message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        RecommendationQuery(seed_genres=("rock",), **{field: values})  # type: ignore[arg-type]
    assert message in caught.value.message


def test_min_above_max_is_rejected() -> None:
    with pytest.raises(InvalidInput) as caught:
        RecommendationQuery(
            seed_genres=("rock",), min_values={"energy": 0.8}, max_values={"energy": 0.2}
        )
    assert caught.value.message == "min_energy (0.8) is greater than max_energy (0.2)"


def test_loudness_is_unbounded_and_min_equal_max_is_fine() -> None:
    q = RecommendationQuery(
        seed_genres=("rock",), min_values={"loudness": -60.0}, max_values={"loudness": -60.0}
    )
    assert q.min_values["loudness"] == q.max_values["loudness"] == -60.0


def test_parse_query_reads_spotify_parameters() -> None:
    q = parse_query(
        {
            "seed_tracks": "t1,t2,",
            "seed_genres": "rock",
            "limit": "12",
            "market": "ES",
            "min_energy": "0.4",
            "max_tempo": "150.5",
            "target_key": "7",
            "unrelated": "ignored",
        }
    )
    assert q.seed_tracks == ("t1", "t2")
    assert q.seed_genres == ("rock",)
    assert q.seed_artists == ()
    assert q.limit == 12
    assert dict(q.min_values) == {"energy": 0.4}
    assert dict(q.max_values) == {"tempo": 150.5}
    assert dict(q.target_values) == {"key": 7.0}


def test_parse_query_defaults_the_limit_to_20() -> None:
    assert parse_query({"seed_genres": "pop"}).limit == 20


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"seed_genres": "pop", "min_energy": "high"}, "min_energy must be a number, got 'high'"),
        (
            {"seed_genres": "pop", "target_colour": "1"},
            "unknown tunable attribute in target_colour",
        ),
        ({"seed_genres": "pop", "limit": "ten"}, "limit must be an integer, got 'ten'"),
        ({"seed_genres": "pop", "limit": "0"}, "limit must be between 1 and 100, got 0"),
        ({"seed_genres": "pop", "max_energy": "inf"}, "max_energy must be a finite number"),
        ({"seed_tracks": ",,"}, "at least one of seed_artists, seed_genres, seed_tracks"),
    ],
)
def test_parse_query_errors(params: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_query(params)
    assert message in caught.value.message
