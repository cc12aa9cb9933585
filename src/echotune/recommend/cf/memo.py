"""Reuse of fitted model parts between tuning trials on the same data.

A coordinate sweep over `echotune`'s blend weights refits the model many
times on the same fold while its parts (the EASE matrix, the neighbour
matrix, the ALS factors) do not change. Inside `reusing_parts()` those parts
are kept, keyed by a fingerprint of the matrix they were built from and the
parameters that shape them, and handed out as copies, so a trial that only
changes a weight costs a scaling and a sum. Outside it (the serving path)
nothing is kept, and no memory outlives a fit.

Some parts come in nested sizes: an item's k best neighbours are the first
k of its 1,000 best (ties go to the lowest item index, so the cut is
exact). `reuse_nested` keeps one build per key at the largest size asked
for and cuts smaller sizes from it, so a search over neighbour counts builds
the neighbours once instead of once per count.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
import scipy.sparse as sp

T = TypeVar("T")
K = TypeVar("K")

# Parts kept per kind by default. A sweep holds one setting fixed while it
# varies another, and each trial fits every validation fold in turn, so a
# search over F folds needs 2 x F entries (`tune` asks for that): with fewer,
# the folds evict each other's parts in a cycle and nothing is ever reused.
KEEP_PER_KIND = 4


@dataclass
class _Store:
    keep: int
    parts: dict[str, OrderedDict[Hashable, object]] = field(default_factory=dict)


_store: ContextVar[_Store | None] = ContextVar("echotune_cf_parts", default=None)


@contextmanager
def reusing_parts(keep: int = KEEP_PER_KIND) -> Iterator[None]:
    """Within this block, `reuse` keeps up to `keep` built parts of each kind for later fits."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    token = _store.set(_Store(keep))
    try:
        yield
    finally:
        _store.reset(token)


def active() -> bool:
    """Whether parts are being kept (inside `reusing_parts()`)."""
    return _store.get() is not None


def fingerprint(matrix: sp.csr_matrix) -> str:
    """A digest of a CSR matrix's shape and contents (equal matrices, equal digests)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.asarray(matrix.shape, dtype=np.int64).tobytes())
    for array in (matrix.indptr, matrix.indices, matrix.data):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def reuse(kind: str, key: Hashable, build: Callable[[], T], copy: Callable[[T], T]) -> T:
    """`build()`, or inside `reusing_parts()` a `copy` of what an earlier equal call built."""
    store = _store.get()
    if store is None:
        return build()
    kept = store.parts.setdefault(kind, OrderedDict())
    if key in kept:
        kept.move_to_end(key)
    else:
        kept[key] = build()
        while len(kept) > store.keep:
            kept.popitem(last=False)
    value: T = kept[key]  # type: ignore[assignment]
    return copy(value)


def reuse_nested(
    kind: str,
    key: Hashable,
    size: int,
    build: Callable[[int], T],
    keep: Callable[[int], K],
    cut: Callable[[K, int], T],
) -> T:
    """`build(size)`, or inside `reusing_parts()` a part cut from an earlier, larger build.

    For parts that come in nested sizes: `cut(keep(n), size)` must equal
    `build(size)` for every n >= size and share no memory with what it was
    cut from. `keep(n)` is the form kept (for cosine neighbours, each item's
    list, which `cut` shortens and turns around). The store keeps, per
    `key`, the largest size built so far: a request up to that size is cut
    from it, a larger one is built and replaces it.
    """
    store = _store.get()
    if store is None:
        return build(size)
    kept = store.parts.setdefault(kind, OrderedDict())
    entry = kept.get(key)
    if not (isinstance(entry, _Sized) and entry.size >= size):
        kept.pop(key, None)  # the smaller build goes before the larger is made
        entry = _Sized(size, keep(size))
        kept[key] = entry
    kept.move_to_end(key)
    while len(kept) > store.keep:
        kept.popitem(last=False)
    return cut(entry.value, size)


@dataclass(frozen=True)
class _Sized(Generic[K]):
    """A nested part as kept, and the size it was built at."""

    size: int
    value: K
