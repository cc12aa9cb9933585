"""Daily budget spending shared by every process through Redis.

One key per day, scope and unit (`echotune:llm:budget:2025-06-01:user:u1:cost`), so a new
day starts from zero without a reset job, and old days expire by themselves. Tokens grow
with INCRBY and dollars with INCRBYFLOAT, both atomic; a check is one MGET and a charge one
pipelined round trip.
"""

from __future__ import annotations

from redis.asyncio import Redis

from echotune.llm.router.budgets import Spend


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

    def _keys(self, day: str, scope: str) -> tuple[str, str]:
        base = f"{self._prefix}:{day}:{scope}"
        return base + ":tokens", base + ":cost"

    async def spent(self, day: str, user_id: str | None) -> tuple[Spend, Spend]:
        keys = [*self._keys(day, "global")]
        if user_id is not None:
            keys.extend(self._keys(day, "user:" + user_id))
        values = await self._redis.mget(keys)
        everyone = Spend(int(values[0] or 0), float(values[1] or 0.0))
        if user_id is None:
            return Spend(), everyone
        return Spend(int(values[2] or 0), float(values[3] or 0.0)), everyone

    async def charge(
        self, day: str, user_id: str | None, tokens: int, cost: float, keep_for: float
    ) -> None:
        ttl = max(1, int(keep_for))
        scopes = ("global",) if user_id is None else ("global", "user:" + user_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            for scope in scopes:
                tokens_key, cost_key = self._keys(day, scope)
                pipe.incrby(tokens_key, tokens)
                pipe.incrbyfloat(cost_key, cost)
                pipe.expire(tokens_key, ttl)
                pipe.expire(cost_key, ttl)
            await pipe.execute()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._redis.aclose()
