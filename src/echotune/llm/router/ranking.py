"""Each policy's order of the providers, reused across requests.

Scoring every provider on every request would make the router's cost grow with traffic
times providers; the order changes slowly, so it is recomputed at most every `ttl` seconds,
or at once after anything that can demote a provider suddenly: a failure or a user's
rating (`Epoch` counts those). Cost estimates use the token counts of the request that
triggered the recomputation, a fair sample of the traffic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from echotune.llm.router.policies import rank
from echotune.llm.router.slot import Slot
from echotune.llm.router.stats import Epoch

DEFAULT_TTL = 0.25  # seconds


class Rankings:
    __slots__ = ("_cache", "_clock", "_slots", "_ttl", "epoch", "smallest_window")

    def __init__(
        self,
        slots: Sequence[Slot],
        epoch: Epoch,
        clock: Callable[[], float],
        ttl: float = DEFAULT_TTL,
    ) -> None:
        self._slots = tuple(slots)
        self.smallest_window = min(slot.config.context_window for slot in self._slots)
        self.epoch = epoch
        self._clock = clock
        self._ttl = ttl
        # policy -> (order, epoch it was computed at, when it goes stale)
        self._cache: dict[str, tuple[tuple[Slot, ...], int, float]] = {}

    def order(self, policy: str, input_tokens: int, output_tokens: int) -> tuple[Slot, ...]:
        if policy == "ordered":
            return self._slots
        now = self._clock()
        cached = self._cache.get(policy)
        if cached is not None and cached[1] == self.epoch.value and now < cached[2]:
            return cached[0]
        order = tuple(rank(policy, self._slots, input_tokens, output_tokens))
        self._cache[policy] = (order, self.epoch.value, now + self._ttl)
        return order
