"""Prometheus counters of the response caches, on the registry the app passes in."""

from __future__ import annotations

from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Histogram

CacheKind = Literal["exact", "semantic"]
LookupResult = Literal["hit", "miss", "bypass"]
_KINDS: tuple[CacheKind, ...] = ("exact", "semantic")
_RESULTS: tuple[LookupResult, ...] = ("hit", "miss", "bypass")
_EMBED_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class CacheMetrics:
    """Lookups by kind and result (`bypass`: the request may not use that cache), stores
    by kind, and the time a semantic lookup takes (embedding plus index search)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        lookups = Counter(
            "echotune_llm_cache_lookups_total",
            "LLM response cache lookups by kind (exact, semantic) and result (hit, miss, bypass)",
            ["kind", "result"],
            registry=registry,
        )
        stores = Counter(
            "echotune_llm_cache_stores_total",
            "LLM responses written to a cache, by kind",
            ["kind"],
            registry=registry,
        )
        self.semantic_seconds = Histogram(
            "echotune_llm_cache_semantic_lookup_seconds",
            "Time to embed a question and search the semantic index",
            buckets=_EMBED_BUCKETS,
            registry=registry,
        )
        # Children bound once: a labels() lookup per request would cost more than the hit.
        self._lookups = {(k, r): lookups.labels(k, r) for k in _KINDS for r in _RESULTS}
        self._stores = {k: stores.labels(k) for k in _KINDS}

    def lookup(self, kind: CacheKind, result: LookupResult) -> None:
        self._lookups[(kind, result)].inc()

    def stored(self, kind: CacheKind) -> None:
        self._stores[kind].inc()
