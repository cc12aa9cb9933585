from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from echotune.llm.provider import ProviderConfig
from echotune.llm.router.policies import rank
from echotune.llm.router.stats import ProviderStats


@dataclass
class Cand:
    config: ProviderConfig
    stats: ProviderStats = field(init=False)

    def __post_init__(self) -> None:
        self.stats = ProviderStats(self.config.quality)


def cand(name: str, latency: float | None = None, price: float = 1.0, quality: float = 0.8,
         **config: float) -> Cand:  # fmt: skip
    c = Cand(ProviderConfig(name=name, kind="openai", model=name, price_input=price,
                            price_output=price * 4, quality=quality, **config))  # type: ignore[arg-type]  # fmt: skip
    if latency is not None:
        for _ in range(5):
            c.stats.success(latency, 100, 20, 0.0)
    return c


def names(cands: list[Cand]) -> list[str]:
    return [c.config.name for c in cands]


def test_ordered_keeps_config_order() -> None:
    cs = [cand("a", 3.0), cand("b", 1.0), cand("c", 2.0)]
    assert names(rank("ordered", cs, 1000, 300)) == ["a", "b", "c"]


def test_fastest_cheapest_best_quality() -> None:
    cs = [
        cand("slow-cheap-good", 3.0, price=0.1, quality=0.9),
        cand("fast-dear-poor", 0.5, price=10.0, quality=0.4),
        cand("mid", 1.0, price=1.0, quality=0.7),
    ]
    assert names(rank("fastest", cs, 1000, 300)) == ["fast-dear-poor", "mid", "slow-cheap-good"]
    assert names(rank("cheapest", cs, 1000, 300)) == ["slow-cheap-good", "mid", "fast-dear-poor"]
    assert names(rank("best-quality", cs, 1000, 300)) == [
        "slow-cheap-good", "mid", "fast-dear-poor"
    ]  # fmt: skip


def test_thumbs_change_best_quality() -> None:
    a, b = cand("a", quality=0.8), cand("b", quality=0.7)
    for _ in range(10):
        a.stats.rate(False)
    assert names(rank("best-quality", [a, b], 10, 10)) == ["b", "a"]


def test_balanced_prefers_fast_and_cheap_at_equal_quality() -> None:
    cs = [cand("dear-slow", 2.0, price=5.0), cand("cheap-fast", 0.4, price=0.5)]
    assert names(rank("balanced", cs, 1000, 300)) == ["cheap-fast", "dear-slow"]


def test_balanced_does_not_pick_a_weak_model_for_speed_and_price_alone() -> None:
    # The offline assistant: instant and free, but far weaker.
    cs = [cand("local", 0.005, price=0.0, quality=0.3), cand("gpt", 1.5, price=2.5, quality=0.85)]
    assert names(rank("balanced", cs, 1000, 300)) == ["gpt", "local"]


def test_balanced_penalises_recent_failures() -> None:
    a, b = cand("a", 0.5), cand("b", 0.6)
    for _ in range(3):
        a.stats.failure()
    assert names(rank("balanced", [a, b], 1000, 300)) == ["b", "a"]


def test_balanced_tries_a_provider_without_samples() -> None:
    # No samples yet: it is given the best known latency, so it is not buried.
    cs = [cand("known", 1.0), cand("new")]
    assert names(rank("balanced", cs, 1000, 300)) == ["known", "new"]  # a tie keeps config order
    cs = [cand("known", 1.0, price=2.0), cand("new", price=1.0)]
    assert names(rank("balanced", cs, 1000, 300)) == ["new", "known"]


def test_unknown_policy() -> None:
    with pytest.raises(ValueError, match="unknown routing policy"):
        rank("random", [cand("a"), cand("b")], 1, 1)
