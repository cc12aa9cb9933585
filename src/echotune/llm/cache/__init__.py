"""Response caches for the LLM layer, added by wrapping: `CachingProvider(inner, ...)`.

Plugs in here: a `CacheStore` (bytes with a TTL: `MemoryStore` in process, `RedisStore`
shared) for the exact cache, keyed by `keys.exact_key` (the normalised request plus its
privacy scope), and a `SemanticIndex` (`MemorySemanticIndex`, `RedisSemanticIndex`) behind
`SemanticCache`, which matches single-turn, non-personal questions by the cosine
similarity of their `Embedder` vectors.
"""

from echotune.llm.cache.codec import decode_response, encode_response
from echotune.llm.cache.keys import cache_scope, cacheable, exact_key
from echotune.llm.cache.metrics import CacheMetrics
from echotune.llm.cache.provider import CachingProvider, replay
from echotune.llm.cache.semantic import (
    SemanticCache,
    SemanticIndex,
    SemanticLookup,
    SemanticMatch,
    SemanticQuery,
    semantic_query,
)
from echotune.llm.cache.semantic_index import MemorySemanticIndex, RedisSemanticIndex
from echotune.llm.cache.store import CacheStore, MemoryStore, RedisStore

__all__ = [
    "CacheMetrics",
    "CacheStore",
    "CachingProvider",
    "MemorySemanticIndex",
    "MemoryStore",
    "RedisSemanticIndex",
    "RedisStore",
    "SemanticCache",
    "SemanticIndex",
    "SemanticLookup",
    "SemanticMatch",
    "SemanticQuery",
    "cache_scope",
    "cacheable",
    "decode_response",
    "encode_response",
    "exact_key",
    "replay",
    "semantic_query",
]
