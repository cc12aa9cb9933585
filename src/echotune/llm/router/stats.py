"""Live statistics of one provider, read by the policies and by `describe()`.

Every update is O(1) and allocates nothing: the router records one outcome per call on the
hot path. The p95 is exact over a small ring of the latest latencies, sorted only when read
after new samples arrived (a sort of 64 floats costs about a microsecond).
"""

from __future__ import annotations

_ALPHA = 0.2  # EWMA weight of the newest sample: about the last 10 calls matter
_LATENCY_RING = 64
_OUTCOME_RING = 50  # availability is the success share of the last 50 calls
_PRIOR_VOTES = 20.0  # the configured quality counts as 20 votes against user thumbs


class ProviderStats:
    """Latency EWMA and p95, time-to-first-token EWMA, recent availability, totals, quality.

    `quality` is the mean of a Beta posterior: the configured prior worth `_PRIOR_VOTES`
    votes, plus every thumbs up (a 1) and down (a 0) users gave this provider's answers.
    """

    __slots__ = (
        "_lat_count",
        "_lat_next",
        "_latencies",
        "_out_count",
        "_out_failures",
        "_out_next",
        "_outcomes",
        "_p95",
        "_p95_dirty",
        "cost",
        "errors",
        "latency_ewma",
        "prior_quality",
        "requests",
        "thumbs_down",
        "thumbs_up",
        "tokens_in",
        "tokens_out",
        "ttft_ewma",
    )

    def __init__(self, prior_quality: float = 0.5) -> None:
        self.prior_quality = prior_quality
        self._latencies = [0.0] * _LATENCY_RING
        self._lat_next = 0
        self._lat_count = 0
        self._p95: float | None = None
        self._p95_dirty = False
        self._outcomes = [True] * _OUTCOME_RING
        self._out_next = 0
        self._out_count = 0
        self._out_failures = 0
        self.latency_ewma: float | None = None
        self.ttft_ewma: float | None = None
        self.requests = 0
        self.errors = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.cost = 0.0
        self.thumbs_up = 0
        self.thumbs_down = 0

    def success(self, latency: float, tokens_in: int, tokens_out: int, cost: float) -> None:
        self.requests += 1
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        self.cost += cost
        self._latency(latency)
        self._outcome(True)

    def failure(self, latency: float | None = None) -> None:
        """A failed call. Its latency is kept only when given (a timeout's is the timeout)."""
        self.requests += 1
        self.errors += 1
        if latency is not None:
            self._latency(latency)
        self._outcome(False)

    def ttft(self, seconds: float) -> None:
        prev = self.ttft_ewma
        self.ttft_ewma = seconds if prev is None else prev + _ALPHA * (seconds - prev)

    def rate(self, thumbs_up: bool) -> None:
        if thumbs_up:
            self.thumbs_up += 1
        else:
            self.thumbs_down += 1

    @property
    def quality(self) -> float:
        votes = self.thumbs_up + self.thumbs_down
        return (self.prior_quality * _PRIOR_VOTES + self.thumbs_up) / (_PRIOR_VOTES + votes)

    @property
    def availability(self) -> float:
        """Success share of the recent calls; 1.0 before the first call."""
        if self._out_count == 0:
            return 1.0
        return 1.0 - self._out_failures / self._out_count

    @property
    def latency_p95(self) -> float | None:
        if self._p95_dirty:
            n = self._lat_count
            ordered = sorted(self._latencies[:n])
            self._p95 = ordered[min(n - 1, int(0.95 * n))]
            self._p95_dirty = False
        return self._p95

    def _latency(self, seconds: float) -> None:
        prev = self.latency_ewma
        self.latency_ewma = seconds if prev is None else prev + _ALPHA * (seconds - prev)
        self._latencies[self._lat_next] = seconds
        self._lat_next = (self._lat_next + 1) % _LATENCY_RING
        if self._lat_count < _LATENCY_RING:
            self._lat_count += 1
        self._p95_dirty = True

    def _outcome(self, ok: bool) -> None:
        i = self._out_next
        if self._out_count == _OUTCOME_RING and not self._outcomes[i]:
            self._out_failures -= 1  # the failure falling out of the window
        elif self._out_count < _OUTCOME_RING:
            self._out_count += 1
        self._outcomes[i] = ok
        if not ok:
            self._out_failures += 1
        self._out_next = (i + 1) % _OUTCOME_RING


class Epoch:
    """Counts events that can demote a provider at once (a failure, a rating), so cached
    rankings know to recompute."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0
