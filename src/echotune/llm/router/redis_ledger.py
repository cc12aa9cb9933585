"""Daily budget spending shared by every process through Redis.

One key per day, scope and unit (`echotune:llm:budget:2025-06-01:user:u1:cost`), so a new
day starts from zero without a reset job, and old days expire by themselves. Tokens grow
with INCRBY and dollars with INCRBYFLOAT, both atomic; a check is one MGET and a charge one
pipelined round trip.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis


class RedisLedger:
    def __init__(
        self, redis: Redis, prefix: str = "echotune:llm:budget", owns_client: bool = False
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._owns_client = owns_client

    @classmethod
    def from_url(cls, url: str, prefix: str = "echotune:llm:budget") -> RedisLedger:
        return cls(Redis.from_url(url), prefix=prefix, owns_client=True)

    def _key(self, day: str, scope: str, unit: str) -> str:
        return f"{self._prefix}:{day}:{scope}:{unit}"

    async def spent(self, day: str, scopes: Sequence[str]) -> list[tuple[int, float]]:
        keys: list[str] = []
        for scope in scopes:
            keys.append(self._key(day, scope, "tokens"))
            keys.append(self._key(day, scope, "cost"))
        values = await self._redis.mget(keys)
        return [
            (int(values[i] or 0), float(values[i + 1] or 0.0)) for i in range(0, len(values), 2)
        ]

    async def charge(
        self, day: str, scopes: Sequence[str], tokens: int, cost: float, keep_for: float
    ) -> None:
        ttl = max(1, int(keep_for))
        async with self._redis.pipeline(transaction=False) as pipe:
            for scope in scopes:
                tokens_key = self._key(day, scope, "tokens")
                cost_key = self._key(day, scope, "cost")
                pipe.incrby(tokens_key, tokens)
                pipe.incrbyfloat(cost_key, cost)
                pipe.expire(tokens_key, ttl)
                pipe.expire(cost_key, ttl)
            await pipe.execute()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._redis.aclose()
