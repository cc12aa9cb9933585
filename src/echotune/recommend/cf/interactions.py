"""`Interactions`: who played what, as a sparse user x item matrix with id maps."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from echotune.errors import InvalidInput

F32 = npt.NDArray[np.float32]
Idx = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Interactions:
    """User x item weights (CSR, float32) and the ids behind each row and column.

    Rows are users in `user_ids` order, columns items in `item_ids` order.
    The matrix is canonical: sorted indices, no duplicates, no explicit zeros.
    """

    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    matrix: sp.csr_matrix
    _user_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _item_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.matrix.shape != (len(self.user_ids), len(self.item_ids)):
            raise ValueError(f"matrix shape {self.matrix.shape} does not match the id lists")
        object.__setattr__(self, "_user_index", {u: i for i, u in enumerate(self.user_ids)})
        object.__setattr__(self, "_item_index", {t: i for i, t in enumerate(self.item_ids)})

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def nnz(self) -> int:
        return int(self.matrix.nnz)

    def user_index(self, user_id: str) -> int | None:
        return self._user_index.get(user_id)

    def item_index(self, item_id: str) -> int | None:
        return self._item_index.get(item_id)

    def seen(self, user: int) -> Idx:
        """Column indices of the items `user` interacted with, ascending."""
        start, end = self.matrix.indptr[user], self.matrix.indptr[user + 1]
        return np.asarray(self.matrix.indices[start:end], dtype=np.int64)

    def triples(self) -> Iterable[tuple[str, str, float]]:
        coo = self.matrix.tocoo()
        for row, col, value in zip(coo.row, coo.col, coo.data, strict=True):
            yield self.user_ids[row], self.item_ids[col], float(value)

    @classmethod
    def from_triples(cls, triples: Iterable[tuple[str, str, float]]) -> Interactions:
        """Build from (user, item, weight); ids keep first-seen order, repeats are summed.

        Indices and weights are gathered in typed arrays, 4 bytes a value
        (weights float32, as in the matrix they go into). In Python lists, a
        pointer a value and a float object a weight, reading 47 M rows peaked
        at 4.9 GB instead of 1.9 GB (`bench/read_memory.py`).
        """
        users: dict[str, int] = {}
        items: dict[str, int] = {}
        rows = array("i")
        cols = array("i")
        weights = array("f")
        for user, item, weight in triples:
            rows.append(users.setdefault(user, len(users)))
            cols.append(items.setdefault(item, len(items)))
            weights.append(weight)
        return cls.from_indices(
            tuple(users),
            tuple(items),
            np.frombuffer(rows, dtype=np.intc),
            np.frombuffer(cols, dtype=np.intc),
            np.frombuffer(weights, dtype=np.float32),
        )

    @classmethod
    def from_indices(
        cls,
        user_ids: Sequence[str],
        item_ids: Sequence[str],
        rows: npt.ArrayLike,
        cols: npt.ArrayLike,
        weights: npt.ArrayLike,
    ) -> Interactions:
        """Build from parallel index arrays; repeated (row, col) pairs are summed."""
        data = np.asarray(weights, dtype=np.float32)
        if data.size and not np.all(np.isfinite(data)):
            raise InvalidInput("interaction weights must be finite numbers")
        shape = (len(user_ids), len(item_ids))
        coo = sp.coo_matrix(
            (data, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
            shape=shape,
        )
        return cls(tuple(user_ids), tuple(item_ids), canonical_csr(coo))


def canonical_csr(matrix: sp.spmatrix | sp.sparray) -> sp.csr_matrix:
    """CSR float32 with duplicates summed, indices sorted and explicit zeros removed."""
    csr = sp.csr_matrix(matrix, dtype=np.float32)
    csr.sum_duplicates()
    csr.eliminate_zeros()
    csr.sort_indices()
    return csr
