"""Routing policies: each orders the candidates, best first; the router tries them in turn.

`balanced` (the default) scores every candidate, lower is better:

    score = 1.0 * latency_ewma~ + 0.5 * latency_p95~ + 0.5 * ttft_ewma~ + 1.0 * cost~
          + 8.0 * (1 - quality) + 10.0 * (1 - availability)

where `x~` is x divided by the largest x among the candidates (so 0..1, unit-free), cost is
`price_input * estimated input tokens + price_output * expected output tokens`, quality is
the configured prior moved by user thumbs (see stats.py) and availability the success share
of the recent calls. Speed and cost together weigh at most 3 points, so a provider 0.1 lower
in quality (0.8 points) wins when it is clearly faster or cheaper, while a much weaker one
(the offline assistant, quality about 0.3) does not win on speed and price alone. 10% recent
failures cost 1 point. A provider with no samples yet for a metric is given the best value
seen for it (optimism: a new provider gets tried, and its real numbers then speak).

`fastest` orders by latency EWMA (then TTFT), `cheapest` by estimated cost, `best-quality`
by quality, `ordered` keeps the configured order. Ties keep the configured order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final, Protocol, TypeVar

from echotune.llm.provider import ProviderConfig
from echotune.llm.router.stats import ProviderStats

POLICIES: Final = ("balanced", "fastest", "cheapest", "best-quality", "ordered")

W_LATENCY, W_P95, W_TTFT, W_COST = 1.0, 0.5, 0.5, 1.0
W_QUALITY, W_AVAILABILITY = 8.0, 10.0


class Candidate(Protocol):
    @property
    def config(self) -> ProviderConfig: ...

    @property
    def stats(self) -> ProviderStats: ...


C = TypeVar("C", bound=Candidate)


def rank(policy: str, candidates: Sequence[C], input_tokens: int, output_tokens: int) -> list[C]:
    """The candidates in the order `policy` would try them. Unknown policy: ValueError."""
    if len(candidates) < 2 or policy == "ordered":
        return list(candidates)
    scorer = _SCORERS.get(policy)
    if scorer is None:
        raise ValueError(f"unknown routing policy {policy!r}; one of {', '.join(POLICIES)}")
    scores = scorer(candidates, input_tokens, output_tokens)
    # sorted() is stable: equal scores keep the configured order.
    order = sorted(range(len(candidates)), key=scores.__getitem__)
    return [candidates[i] for i in order]


Scorer = Callable[[Sequence[Candidate], int, int], list[float]]


def _balanced(cands: Sequence[Candidate], tin: int, tout: int) -> list[float]:
    stats = [c.stats for c in cands]
    lat = _normalised([s.latency_ewma for s in stats])
    p95 = _normalised([s.latency_p95 for s in stats])
    ttft = _normalised([s.ttft_ewma for s in stats])
    cost = _normalised([c.config.cost(tin, tout) for c in cands])
    return [
        W_LATENCY * lat[i] + W_P95 * p95[i] + W_TTFT * ttft[i] + W_COST * cost[i]
        + W_QUALITY * (1.0 - s.quality) + W_AVAILABILITY * (1.0 - s.availability)
        for i, s in enumerate(stats)
    ]  # fmt: skip


def _fastest(cands: Sequence[Candidate], tin: int, tout: int) -> list[float]:
    lat = _filled([c.stats.latency_ewma for c in cands])
    ttft = _filled([c.stats.ttft_ewma for c in cands])
    # TTFT only breaks ties: a microsecond of latency outweighs it.
    return [lat[i] + 1e-6 * ttft[i] for i in range(len(cands))]


def _cheapest(cands: Sequence[Candidate], tin: int, tout: int) -> list[float]:
    return [c.config.cost(tin, tout) for c in cands]


def _best_quality(cands: Sequence[Candidate], tin: int, tout: int) -> list[float]:
    return [-c.stats.quality for c in cands]


_SCORERS: dict[str, Scorer] = {
    "balanced": _balanced,
    "fastest": _fastest,
    "cheapest": _cheapest,
    "best-quality": _best_quality,
}


def _filled(values: list[float | None]) -> list[float]:
    """Unknowns replaced by the best (smallest) known value, or 0 when none is known."""
    known = [v for v in values if v is not None]
    best = min(known) if known else 0.0
    return [best if v is None else v for v in values]


def _normalised(values: Sequence[float | None]) -> list[float]:
    filled = _filled(list(values))
    top = max(filled)
    if top <= 0.0:
        return [0.0] * len(filled)
    return [v / top for v in filled]
