"""Storage latency metrics, added by wrapping a repository rather than by editing it."""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from echotune.observability.metrics import Metrics

R = TypeVar("R")


class _TimedRepo:
    """Proxies every coroutine method of a repo through a latency histogram."""

    def __init__(self, inner: object, metrics: Metrics, backend: str, repo: str) -> None:
        self._inner = inner
        self._metrics = metrics
        self._labels = (backend, repo)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(attr):
            return attr
        return self._timed(name, attr)

    def _timed(
        self, op: str, fn: Callable[..., Awaitable[object]]
    ) -> Callable[..., Awaitable[object]]:
        hist = self._metrics.storage_latency
        backend, repo = self._labels

        async def call(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            outcome = "error"
            try:
                result = await fn(*args, **kwargs)
                outcome = "ok"
                return result
            finally:
                hist.labels(backend, repo, op, outcome).observe(time.perf_counter() - start)

        return call


def timed(repo: R, metrics: Metrics, backend: str, name: str) -> R:
    """`repo` with the same interface, its async calls timed into `metrics`."""
    return cast(R, _TimedRepo(repo, metrics, backend, name))
