"""Where the semantic cache keeps its vectors: in process, or in Redis for every process.

Both hold L2-normalised float32 vectors, so cosine similarity is a dot product, and both
are bounded: memory by a ring of `capacity` slots (the oldest entry is overwritten), Redis
by the `recent` newest entries per signature (older ones are trimmed from the list, and
every entry expires by itself after its TTL).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

import numpy as np
from redis.asyncio import Redis
from redis.exceptions import RedisError

from echotune.llm.cache.semantic import SemanticMatch
from echotune.llm.embeddings import Vectors

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "echotune:llm:semantic:"

# One round trip, atomic: store the entry, list it first, trim the list, and let the list
# live as long as its longest-lived entry (only ever extend its expiry, on any Redis version).
_ADD = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('LPUSH', KEYS[2], KEYS[1])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
local left = redis.call('PTTL', KEYS[2])
if left >= 0 and left < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
elseif left == -1 then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
"""


class MemorySemanticIndex:
    """A ring of `capacity` entries; a search scans the live entries of one signature."""

    def __init__(self, capacity: int = 2048, clock: Callable[[], float] = time.monotonic) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._clock = clock
        self._vectors: Vectors | None = None  # (capacity, dim), allocated on the first add
        self._expires = np.full(capacity, -np.inf)
        # Signatures as 64-bit hashes so a search is one vectorised comparison; the string
        # is kept too and checked on the winner, so a hash collision can never serve it.
        self._sig_hashes = np.zeros(capacity, dtype=np.int64)
        self._signatures: list[str | None] = [None] * capacity
        self._values: list[bytes | None] = [None] * capacity
        self._next = 0

    def __len__(self) -> int:
        return int(np.count_nonzero(self._expires > self._clock()))

    async def search(
        self, signature: str, vector: Vectors, threshold: float
    ) -> SemanticMatch | None:
        if self._vectors is None:
            return None
        live = (self._expires > self._clock()) & (self._sig_hashes == hash(signature))
        slots = np.flatnonzero(live)
        if slots.size == 0:
            return None
        scores = self._vectors[slots] @ vector
        for rank in np.argsort(-scores):
            score = float(scores[rank])
            if score < threshold:
                return None
            slot = int(slots[rank])
            value = self._values[slot]
            if self._signatures[slot] == signature and value is not None:
                return SemanticMatch(score, value)
        return None

    async def add(self, signature: str, vector: Vectors, value: bytes, ttl: float) -> None:
        if ttl <= 0:
            return
        if self._vectors is None:
            self._vectors = np.zeros((self._capacity, vector.shape[0]), dtype=np.float32)
        slot = self._next
        self._next = (slot + 1) % self._capacity
        self._vectors[slot] = vector
        self._expires[slot] = self._clock() + ttl
        self._sig_hashes[slot] = hash(signature)
        self._signatures[slot] = signature
        self._values[slot] = value

    async def aclose(self) -> None:
        self._values = [None] * self._capacity
        self._expires[:] = -np.inf


class RedisSemanticIndex:
    """Per signature, a list of the newest entry keys (`<prefix>l:{<signature>}`); each entry
    (`<prefix>e:{<signature>}:<random id>`) is the vector's float32 bytes followed by the stored value.

    A search reads the list and the entries in one round trip each and scores them here:
    at `recent` = 256 entries of 384 floats that is 400 kB and well under a millisecond.
    Redis errors read as misses and skipped writes.
    """

    def __init__(
        self,
        client: Redis,
        prefix: str = DEFAULT_PREFIX,
        recent: int = 256,
        *,
        owns_client: bool = False,
    ) -> None:
        if recent < 1:
            raise ValueError("recent must be at least 1")
        self._redis = client
        self._prefix = prefix
        self._recent = recent
        self._owns = owns_client
        self._add = client.register_script(_ADD)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = DEFAULT_PREFIX, recent: int = 256
    ) -> RedisSemanticIndex:
        """An index with a client of its own, closed by `aclose`."""
        return cls(Redis.from_url(url), prefix, recent, owns_client=True)

    async def search(
        self, signature: str, vector: Vectors, threshold: float
    ) -> SemanticMatch | None:
        try:
            ids = await self._redis.lrange(self._listing(signature), 0, self._recent - 1)
            blobs = await self._redis.mget(ids) if ids else []
        except RedisError as exc:
            log.warning("semantic cache read failed, treated as a miss: %s", exc)
            return None
        width = vector.shape[0] * 4
        live = [b for b in blobs if isinstance(b, bytes) and len(b) > width]
        if not live:
            return None
        matrix = np.frombuffer(b"".join(b[:width] for b in live), dtype=np.float32)
        scores = matrix.reshape(len(live), vector.shape[0]) @ vector
        best = int(np.argmax(scores))
        if float(scores[best]) < threshold:
            return None
        return SemanticMatch(float(scores[best]), live[best][width:])

    async def add(self, signature: str, vector: Vectors, value: bytes, ttl: float) -> None:
        ttl_ms = int(ttl * 1000)
        if ttl_ms <= 0:
            return
        # The {signature} hash tag keeps a list and its entries in one Redis Cluster slot.
        entry = f"{self._prefix}e:{{{signature}}}:{uuid.uuid4().hex}"
        blob = np.ascontiguousarray(vector, dtype=np.float32).tobytes() + value
        try:
            await self._add(
                keys=[entry, self._listing(signature)], args=[blob, ttl_ms, self._recent]
            )
        except RedisError as exc:
            log.warning("semantic cache write failed, answer not cached: %s", exc)

    async def aclose(self) -> None:
        if self._owns:
            await self._redis.aclose()

    def _listing(self, signature: str) -> str:
        return f"{self._prefix}l:{{{signature}}}"
