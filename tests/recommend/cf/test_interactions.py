"""The `Interactions` container: id maps, summing, canonical CSR."""

from __future__ import annotations

import numpy as np
import pytest

from echotune.errors import InvalidInput
from echotune.recommend.cf.interactions import Interactions


def test_from_triples_maps_ids_in_first_seen_order() -> None:
    data = Interactions.from_triples(
        [("bob", "t2", 1.0), ("ann", "t1", 2.0), ("bob", "t1", 1.0), ("bob", "t2", 4.0)]
    )
    assert data.user_ids == ("bob", "ann") and data.item_ids == ("t2", "t1")
    assert data.user_index("ann") == 1 and data.item_index("t9") is None
    assert data.matrix.toarray().tolist() == [[5.0, 1.0], [0.0, 2.0]]
    assert data.seen(0).tolist() == [0, 1]
    assert data.matrix.has_canonical_format and data.nnz == 3


def test_zero_weights_leave_no_entry_and_bad_weights_are_refused() -> None:
    data = Interactions.from_triples([("a", "x", 0.0), ("a", "y", 1.0)])
    assert data.nnz == 1 and data.seen(0).tolist() == [1]
    with pytest.raises(InvalidInput):
        Interactions.from_triples([("a", "x", float("inf"))])


def test_shape_must_match_the_ids() -> None:
    with pytest.raises(ValueError, match="shape"):
        Interactions(("a",), ("x", "y"), Interactions.from_triples([("a", "x", 1.0)]).matrix)


def test_triples_round_trip() -> None:
    triples = [("a", "x", 1.0), ("b", "y", 2.5), ("a", "y", 3.0)]
    assert sorted(Interactions.from_triples(triples).triples()) == sorted(triples)
    assert np.isclose(Interactions.from_triples(triples).matrix.sum(), 6.5)


def test_typed_gathering_builds_what_float64_lists_built() -> None:
    """Weights are gathered as float32 (4 bytes, not a Python float each): the
    matrix is the one built from float64 values, rounded once, then summed."""
    rng = np.random.default_rng(3)
    users = [f"u{n}" for n in rng.integers(0, 50, 2_000)]
    items = [f"i{n}" for n in rng.integers(0, 300, 2_000)]
    weights = [1 / 3, 1e-8, 16_777_217.0, 0.1, 2.5e6] * 400
    built = Interactions.from_triples(zip(users, items, weights, strict=True))
    user_ids = list(dict.fromkeys(users))
    item_ids = list(dict.fromkeys(items))
    expected = Interactions.from_indices(
        user_ids,
        item_ids,
        [user_ids.index(u) for u in users],
        [item_ids.index(i) for i in items],
        np.asarray(weights, dtype=np.float64),
    )
    assert built.user_ids == expected.user_ids and built.item_ids == expected.item_ids
    assert (built.matrix != expected.matrix).nnz == 0


def test_no_triples_and_weights_past_float32_range() -> None:
    empty = Interactions.from_triples([])
    assert empty.matrix.shape == (0, 0) and empty.nnz == 0
    with pytest.raises(InvalidInput, match="finite"):
        Interactions.from_triples([("a", "x", 1e39)])
