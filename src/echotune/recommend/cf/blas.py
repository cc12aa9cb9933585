"""Keeping BLAS to one thread where EchoTune brings its own parallelism or shares cores.

A multi-threaded BLAS next to other busy processes (or inside `implicit`'s
own threads) spends its time waiting on thread hand-offs: on a loaded
two-core machine Cholesky inversion ran 8x slower with two BLAS threads than
with one. One thread also makes float sums come out in the same order every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):
        yield
