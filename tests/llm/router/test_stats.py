from __future__ import annotations

import pytest

from echotune.llm.router.stats import ProviderStats


def test_latency_ewma_and_p95() -> None:
    stats = ProviderStats()
    assert stats.latency_ewma is None and stats.latency_p95 is None
    for ms in range(1, 101):
        stats.success(ms / 1000, 10, 5, 0.001)
    # The ring holds the latest 64 samples (37..100 ms): p95 is near its top.
    assert stats.latency_p95 == pytest.approx(0.097)
    assert stats.latency_ewma is not None and 0.09 < stats.latency_ewma < 0.1
    assert (stats.requests, stats.tokens_in, stats.tokens_out) == (100, 1000, 500)
    assert stats.cost == pytest.approx(0.1)


def test_availability_is_over_recent_calls() -> None:
    stats = ProviderStats()
    assert stats.availability == 1.0
    for _ in range(10):
        stats.failure()
    assert stats.availability == 0.0
    for _ in range(40):
        stats.success(0.1, 1, 1, 0.0)
    assert stats.availability == pytest.approx(0.8)
    for _ in range(10):  # the ten failures fall out of the 50-call window
        stats.success(0.1, 1, 1, 0.0)
    assert stats.availability == 1.0
    assert stats.errors == 10


def test_thumbs_move_quality_from_the_prior() -> None:
    stats = ProviderStats(prior_quality=0.5)
    assert stats.quality == 0.5
    for _ in range(20):
        stats.rate(True)
    assert stats.quality == pytest.approx(0.75)
    for _ in range(40):
        stats.rate(False)
    assert stats.quality == pytest.approx(0.375)


def test_ttft_ewma() -> None:
    stats = ProviderStats()
    stats.ttft(0.2)
    stats.ttft(0.4)
    assert stats.ttft_ewma == pytest.approx(0.24)
