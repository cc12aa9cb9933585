"""Selection: exact top-k with row-ordered ties, the sampled short list, the artist cap."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from echotune.recommend.selection import _SAMPLE_SIZE, ARTIST_CAP, select, shortlist, top_rows

F32 = npt.NDArray[np.float32]


def reference(score: F32, keep: npt.NDArray[np.bool_] | None, k: int) -> list[int]:
    rows = np.flatnonzero(np.isfinite(score) if keep is None else keep & np.isfinite(score))
    order = np.lexsort((rows, -score[rows]))
    ranked: list[int] = rows[order][:k].tolist()
    return ranked


def scores(kind: str, n: int, seed: int) -> F32:
    rng = np.random.default_rng(seed)
    if kind == "continuous":
        return rng.random(n, dtype=np.float32)
    # Few distinct values: ties everywhere, including at the k-th place.
    return (rng.integers(0, 7, n) / np.float32(7)).astype(np.float32)


@pytest.mark.parametrize("kind", ["continuous", "ties"])
@pytest.mark.parametrize("k", [1, 10, 400])
def test_top_rows_is_exact_with_ties_in_row_order(kind: str, k: int) -> None:
    score = scores(kind, 5000, seed=k)
    score[::97] = -np.inf
    rows = np.arange(score.size)
    assert top_rows(score, rows, k).tolist() == reference(score, None, k)


@pytest.mark.parametrize("kind", ["continuous", "ties"])
@pytest.mark.parametrize("filtered", [False, True])
def test_the_short_list_always_holds_the_best(kind: str, filtered: bool) -> None:
    n, k = 200_000, 200
    score = scores(kind, n, seed=3)
    keep = np.random.default_rng(4).random(n) < 0.3 if filtered else None
    count = int(keep.sum()) if keep is not None else n
    short = shortlist(score, keep, count, k)
    if kind == "continuous":
        assert short.size < 10 * k  # short; with ties it holds every row tied at the top
    assert top_rows(score, short, k).tolist() == reference(score, keep, k)


def test_the_short_list_falls_back_when_the_sample_misleads() -> None:
    n, k = 100_000, 100
    score = np.random.default_rng(8).random(n, dtype=np.float32)
    # The strided sample sees 50 outliers above everything else and nothing
    # typical, so its threshold admits only those 50: fewer than k.
    sampled = score[:: n // _SAMPLE_SIZE]
    sampled[:50] += np.float32(10.0)
    sampled[50:] = np.float32(-1.0)
    short = shortlist(score, None, n, k)
    assert short.size == n
    assert top_rows(score, short, k).tolist() == reference(score, None, k)


def test_select_caps_artists_and_fills_from_the_rest() -> None:
    score = np.arange(30, 0, -1, dtype=np.float32)  # row 0 is best
    artists = np.array([0] * 10 + list(range(1, 21)), dtype=np.int32)
    rows = select(score, None, 30, 5, artists, seed_artists=set())
    assert rows == [*range(ARTIST_CAP), *range(10, 15 - ARTIST_CAP)]
    assert select(score, None, 30, 5, artists, seed_artists={0}) == [0, 1, 2, 3, 4]
    only_one_artist = np.zeros(30, dtype=np.int32)
    assert select(score, None, 30, 5, only_one_artist, seed_artists=set()) == [0, 1, 2, 3, 4]


def test_select_respects_the_candidates() -> None:
    score = np.linspace(1, 0, 50, dtype=np.float32)
    keep = np.zeros(50, dtype=bool)
    keep[[3, 8, 20, 41]] = True
    artists = np.arange(50, dtype=np.int32)
    assert select(score, keep, 4, 10, artists, seed_artists=set()) == [3, 8, 20, 41]
