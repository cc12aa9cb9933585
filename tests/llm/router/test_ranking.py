from __future__ import annotations

from dataclasses import dataclass, field

from echotune.llm.provider import ProviderConfig
from echotune.llm.router.ranking import Rankings
from echotune.llm.router.stats import Epoch, ProviderStats
from tests.llm.doubles import FakeClock


@dataclass
class Cand:
    name: str
    config: ProviderConfig = field(init=False)
    stats: ProviderStats = field(default_factory=ProviderStats)

    def __post_init__(self) -> None:
        self.config = ProviderConfig(name=self.name, kind="openai", model=self.name)


def names(order: tuple[Cand, ...]) -> list[str]:
    return [c.name for c in order]


def setup() -> tuple[Rankings, Cand, Cand, FakeClock, Epoch]:
    a, b = Cand("a"), Cand("b")
    a.stats.success(1.0, 1, 1, 0.0)
    b.stats.success(2.0, 1, 1, 0.0)
    clock, epoch = FakeClock(), Epoch()
    return Rankings([a, b], epoch, clock, ttl=0.25), a, b, clock, epoch  # type: ignore[list-item]


def test_order_is_reused_within_the_ttl_then_recomputed() -> None:
    rankings, a, _, clock, _ = setup()
    assert names(rankings.order("fastest", 10, 10)) == ["a", "b"]
    for _ in range(20):
        a.stats.success(5.0, 1, 1, 0.0)
    assert names(rankings.order("fastest", 10, 10)) == ["a", "b"]  # cached
    clock.advance(0.25)
    assert names(rankings.order("fastest", 10, 10)) == ["b", "a"]


def test_a_failure_or_rating_recomputes_at_once() -> None:
    rankings, a, _, _, epoch = setup()
    assert names(rankings.order("balanced", 10, 10)) == ["a", "b"]
    for _ in range(5):
        a.stats.failure()
    assert names(rankings.order("balanced", 10, 10)) == ["a", "b"]
    epoch.value += 1  # what Slot.failed and Router.rate do
    assert names(rankings.order("balanced", 10, 10)) == ["b", "a"]


def test_ordered_is_the_config_order() -> None:
    rankings, *_ = setup()
    assert names(rankings.order("ordered", 10, 10)) == ["a", "b"]
