"""Parts reused between tuning trials give the same model as building them anew."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from echotune.recommend.cf import echotune_model, memo, neighbour_parts
from echotune.recommend.cf.echotune_model import EchoTuneModel
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.itemknn import ItemKNN


def test_outside_tuning_nothing_is_kept() -> None:
    built: list[int] = []
    for _ in range(2):
        memo.reuse("part", "key", lambda: built.append(1) or len(built), copy=lambda v: v)
    assert len(built) == 2 and not memo.active()


def test_inside_tuning_equal_keys_build_once_and_hand_out_copies() -> None:
    built: list[sp.csr_matrix] = []

    def build() -> sp.csr_matrix:
        built.append(sp.csr_matrix(np.eye(3, dtype=np.float32)))
        return built[-1]

    with memo.reusing_parts():
        first = memo.reuse("part", ("fp", 1), build, copy=lambda m: m.copy())
        first.data *= 5  # callers scale their copy in place
        second = memo.reuse("part", ("fp", 1), build, copy=lambda m: m.copy())
        memo.reuse("part", ("fp", 2), build, copy=lambda m: m.copy())
    assert len(built) == 2
    np.testing.assert_array_equal(second.toarray(), np.eye(3))
    assert not memo.active()


def test_only_the_newest_parts_of_a_kind_are_kept() -> None:
    builds: list[int] = []
    with memo.reusing_parts():
        for key in [*range(memo.KEEP_PER_KIND + 1), 0]:
            memo.reuse("part", key, lambda: builds.append(1) or 0, copy=lambda v: v)
    assert len(builds) == memo.KEEP_PER_KIND + 2  # key 0 was dropped, then built again


def test_a_larger_store_keeps_a_whole_cycle_of_parts() -> None:
    # Five folds visited in turn, three times: a store of four rebuilds every
    # visit, one of ten builds each fold's part once.
    def builds_with(keep: int) -> int:
        builds: list[int] = []
        with memo.reusing_parts(keep=keep):
            for _ in range(3):
                for fold in range(5):
                    memo.reuse("part", fold, lambda: builds.append(1) or 0, copy=lambda v: v)
        return len(builds)

    assert builds_with(memo.KEEP_PER_KIND) == 15
    assert builds_with(10) == 5


def test_a_store_must_keep_something() -> None:
    with pytest.raises(ValueError, match="keep must be at least 1, got 0"), memo.reusing_parts(0):
        pass


def test_fingerprint_tells_matrices_apart() -> None:
    a = sp.csr_matrix(np.array([[1, 0], [0, 2]], dtype=np.float32))
    b = a.copy()
    assert memo.fingerprint(a) == memo.fingerprint(b)
    b.data[1] = 3
    assert memo.fingerprint(a) != memo.fingerprint(b)


@pytest.mark.parametrize("similarity", ["rp3", "cosine"])
def test_reused_parts_score_exactly_as_fresh_ones(
    planted_data: Interactions, similarity: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"rp3": 0, "cosine": 0}
    real_rp3, real_cosine = neighbour_parts.rp3_neighbours, neighbour_parts.cosine_neighbours

    def counted_rp3(*args: object, **kwargs: object) -> sp.csr_matrix:
        calls["rp3"] += 1
        return real_rp3(*args, **kwargs)  # type: ignore[arg-type]

    def counted_cosine(*args: object, **kwargs: object) -> sp.csr_matrix:
        calls["cosine"] += 1
        return real_cosine(*args, **kwargs)  # type: ignore[arg-type]

    real_lists = neighbour_parts.cosine_lists

    def counted_lists(*args: object, **kwargs: object) -> sp.csr_matrix:
        calls["cosine"] += 1
        return real_lists(*args, **kwargs)  # type: ignore[arg-type]

    sizes: list[float] = []
    real_size = echotune_model._typical_top

    def counted_size(x: sp.csr_matrix, weights: sp.csr_matrix) -> float:
        sizes.append(real_size(x, weights))
        return sizes[-1]

    monkeypatch.setattr(echotune_model, "_typical_top", counted_size)
    monkeypatch.setattr(neighbour_parts, "rp3_neighbours", counted_rp3)
    monkeypatch.setattr(neighbour_parts, "cosine_neighbours", counted_cosine)
    monkeypatch.setattr(neighbour_parts, "cosine_lists", counted_lists)
    users = np.arange(planted_data.n_users)
    settings = [
        {"ease_weight": a, "als_weight": w, "prior_weight": p}
        for a, w, p in [(0.5, 0.6, 0.1), (0.25, 0.6, 0.1), (0.5, 1.5, 0.0)]
    ]

    def scores(params: dict[str, float]) -> np.ndarray:
        model = EchoTuneModel(similarity=similarity, als_factors=8, seed=1, **params)  # type: ignore[arg-type]
        model.fit(planted_data)
        return model.recommend(users, 10)

    fresh = [scores(p) for p in settings]
    built_fresh = calls[similarity]
    with memo.reusing_parts():
        reused = [scores(p) for p in settings]
    assert built_fresh == 3 and calls[similarity] == 4  # one build for three fits
    # Each part's typical size is measured with it: 2 parts x 3 fresh fits, then 2.
    assert len(sizes) == 8 and sizes[6:] == sizes[:2]
    for a, b in zip(fresh, reused, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_ease_part_is_keyed_by_its_dropout(planted_data: Interactions) -> None:
    # EASE (q = 0) and DLAE (q = 1) are different parts: reusing one for the other
    # would make the search score the same blend twice under two names.
    def scores(dropout: float) -> np.ndarray:
        model = EchoTuneModel(ease_weight=1.0, ease_dropout=dropout, als_weight=0.0)
        model.fit(planted_data)
        return np.stack([model.score(u) for u in range(5)])

    fresh = [scores(0.0), scores(1.0)]
    with memo.reusing_parts():
        reused = [scores(0.0), scores(1.0)]
    assert not np.allclose(fresh[0], fresh[1])
    for a, b in zip(fresh, reused, strict=True):
        np.testing.assert_array_equal(a, b)


def test_nested_parts_are_cut_from_the_largest_built() -> None:
    built: list[tuple[str, int]] = []

    def build(size: int) -> list[int]:
        built.append(("build", size))
        return list(range(size))

    def keep(size: int) -> tuple[int, ...]:  # the kept form may differ from the part
        built.append(("keep", size))
        return tuple(range(size))

    def ask(size: int, key: str = "a") -> list[int]:
        return memo.reuse_nested("part", key, size, build, keep, cut=lambda v, n: list(v[:n]))

    with memo.reusing_parts():
        assert ask(50) == list(range(50))
        assert ask(20) == list(range(20)) and ask(50) == list(range(50))  # cut from the 50
        assert ask(100) == list(range(100))  # larger: made, and it replaces the 50
        assert ask(50) == list(range(50)) and ask(7, key="b") == list(range(7))
    assert built == [("keep", 50), ("keep", 100), ("keep", 7)]
    assert ask(5) == list(range(5)) and built[-1] == ("build", 5)  # outside tuning: built


def test_nested_parts_are_dropped_least_recently_used_first() -> None:
    made: list[tuple[str, int]] = []

    def ask(key: str, size: int) -> None:
        def keep(n: int) -> list[int]:
            made.append((key, n))
            return [0] * n

        memo.reuse_nested("part", key, size, build=list, keep=keep, cut=lambda v, n: v[:n])

    with memo.reusing_parts(keep=2):
        for key, size in [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("a", 1), ("b", 1)]:
            ask(key, size)
    # "a" grew in place and stayed in use; "b" was the oldest when "c" came.
    assert made == [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("b", 1)]


def test_item_knn_scores_the_same_from_a_cut_as_from_its_own_build(
    planted_data: Interactions,
) -> None:
    users = np.arange(planted_data.n_users)

    def recommended(neighbours: int) -> np.ndarray:
        model = ItemKNN(neighbours=neighbours, shrink=10.0)
        model.fit(planted_data)
        return model.recommend(users, 10)

    fresh = [recommended(k) for k in (3, 30)]
    with memo.reusing_parts():
        recommended(60)
        cut = [recommended(k) for k in (3, 30)]
    for a, b in zip(fresh, cut, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(fresh[0], fresh[1])
