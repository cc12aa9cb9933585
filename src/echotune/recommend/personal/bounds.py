"""Upper bounds on the taste kernel of every catalog row, at a fraction of its cost.

The exact kernel needs each row's distance to each taste point: a product over
the index's 17-row block, the costliest step of a personal request at a
million rows. With U the first `DIMS` principal directions of the standardised
space and R the rest, for any row z and point p

    |z − p|² = |U(z − p)|² + |R(z − p)|² ≥ |U(z − p)|² + (|Rz| − |Rp|)²

(the reverse triangle inequality), and the right side expands to
|z|² + |p|² − 2(Uz·Up + |Rz|·|Rp|): one product over a (DIMS + 3)-row block
[Uz | |Rz| | |z|² | 1], a third of the exact one. A lower bound on the distance
is an upper bound on the kernel, so the ranker scores exactly only the rows
whose bound can still reach its pool (`pruning.py`). The bound is tight where
the catalog has most of its spread; whatever it leaves loose costs time, not
correctness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.scaling import TOTAL_WEIGHT, Z_WIDTH
from echotune.recommend.scoring import KERNEL_WIDTH

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

# Rows whose bound still reached the pool, for the 1M-track bench listener:
# ~550 with 2 dimensions (30,000 with content weighted 6x higher), ~300 with 4
# (2,600), ~250 with 8. 4 keeps the product at 7 rows, against 17 exact.
DIMS = 4
# Rows per float64 chunk while building: 64k rows x 15 columns is 8 MB.
_CHUNK = 65_536


@dataclass(frozen=True)
class ContentBounds:
    """The projected block of one feature index (rebuild it with the index)."""

    basis: F64
    """(DIMS, Z_WIDTH), orthonormal rows: the principal directions U."""
    block: F32
    """(DIMS + 3, rows), row-major: [Uz | |Rz| | |z|² | 1]."""

    @property
    def rows(self) -> int:
        return int(self.block.shape[1])

    @classmethod
    def build(cls, index: FeatureIndex, dims: int = DIMS) -> ContentBounds:
        z = index.standardised
        gram = (z.T @ z).astype(np.float64)
        # Directions of largest second moment (not centred): they leave the
        # smallest residual norms |Rz|, which is what loosens the bound.
        _, vectors = np.linalg.eigh(gram)
        basis: F64 = np.ascontiguousarray(vectors[:, ::-1][:, :dims].T)
        block = np.empty((dims + 3, len(index)), dtype=np.float32)
        for start in range(0, len(index), _CHUNK):
            part = z[start : start + _CHUNK].astype(np.float64)
            projected = part @ basis.T
            # The residual directly, not sqrt(|z|² − |Uz|²): that difference
            # cancels to noise for rows lying almost inside the subspace.
            residual = part - projected @ basis
            stop = start + part.shape[0]
            block[:dims, start:stop] = projected.T
            block[dims, start:stop] = np.sqrt(np.einsum("ij,ij->i", residual, residual))
        block[dims + 1] = index.seed_block[:, Z_WIDTH]
        block[dims + 2] = 1.0
        block.flags.writeable = False
        return cls(basis, block)

    def kernel_weights(self, points: Sequence[F32], share: float) -> F32:
        """(k, DIMS + 3): the reciprocal of row k times the block bounds point k's kernel."""
        scale = 1.0 / (TOTAL_WEIGHT * KERNEL_WIDTH)
        dims = self.basis.shape[0]
        weights = np.empty((len(points), dims + 3), dtype=np.float64)
        for i, point in enumerate(points):
            p = np.asarray(point, dtype=np.float64)
            up = self.basis @ p
            weights[i, :dims] = -2.0 * scale * up
            weights[i, dims] = -2.0 * scale * float(np.linalg.norm(p - up @ self.basis))
            weights[i, dims + 1] = scale
            weights[i, dims + 2] = 1.0 + scale * float(p @ p)
        weights /= share
        out: F32 = weights.astype(np.float32)
        return out

    def add_upper(self, out: F32, kernel: F32, start: int = 0) -> None:
        """out += the bound of the kernel (`kernel_weights`) on rows start.. start + len(out)."""
        _add_bound(out, kernel, self.block[:, start : start + out.size])

    def upper(self, kernel: F32, rows: npt.NDArray[np.intp] | None = None) -> F32:
        """The bound of the kernel on the given rows, or on every row."""
        block = self.block if rows is None else self.block[:, rows]
        out = np.zeros(block.shape[1], dtype=np.float32)
        for start in range(0, out.size, _CHUNK):
            # In chunks, so each point's pass finds the chunk still in cache.
            part = out[start : start + _CHUNK]
            _add_bound(part, kernel, block[:, start : start + part.size])
        return out


def _add_bound(out: F32, kernel: F32, block: F32) -> None:
    # One matrix-vector product per point: for 2-3 points BLAS runs separate
    # gemv calls faster than one skinny gemm.
    for weights in kernel:
        bound = weights @ block
        np.reciprocal(bound, out=bound)
        out += bound
