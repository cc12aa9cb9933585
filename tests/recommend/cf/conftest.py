"""Small interaction sets with a planted pattern, shared by the model tests."""

from __future__ import annotations

import numpy as np
import pytest

from echotune.recommend.cf.interactions import Interactions

# Items 0..2 are A, B, C: users who play A and B mostly play C too.
A, B, C = 0, 1, 2
N_ITEMS = 40


def planted(seed: int = 0) -> Interactions:
    """60 users: 25 play A, B, C (+ noise), 25 play items of another cluster, 10 noise only.

    C is not the most popular item (item 10 is), so only a model that learns
    the A, B -> C pattern ranks C first for a user holding A and B.
    """
    rng = np.random.default_rng(seed)
    triples: list[tuple[str, str, float]] = []
    for u in range(60):
        items: set[int] = set(rng.choice(np.arange(12, N_ITEMS), size=3, replace=False).tolist())
        if u < 25:
            items |= {A, B, C}
        elif u < 50:
            items |= {10, 11, int(rng.integers(3, 10))}
        if u % 2:
            items.add(10)
        triples += [(f"u{u}", f"i{i}", float(1 + (u + i) % 3)) for i in sorted(items)]
    # The probe user: A and B, nothing else; also a user who played everything but one item.
    triples += [("probe", f"i{A}", 1.0), ("probe", f"i{B}", 1.0)]
    triples += [("all", f"i{i}", 1.0) for i in range(N_ITEMS) if i != 5]
    triples.append(("u59", "i5", 1.0))
    # Keep item index == number in the name, so tests can speak of items 0, 1, 2.
    ordered = sorted(triples, key=lambda t: int(t[1][1:]))
    data = Interactions.from_triples(ordered)
    assert data.item_ids[:3] == ("i0", "i1", "i2")
    return data


@pytest.fixture(scope="session")
def planted_data() -> Interactions:
    return planted()
