"""Scripted in-process providers (the Provider Protocol) and a fake clock, for router tests.

A `ScriptedProvider` answers each call with the next `Outcome` of its script, then with its
default: a latency (and, for streams, a time to first event), a failure, a stream that
breaks after N events, a hang, and the usage to report. With a `FakeClock` latencies advance
the clock instead of sleeping, so tests of stats, breakers and policies take no time.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace

from echotune.llm.errors import ProviderError, ProviderUnavailable
from echotune.llm.provider import ProviderConfig, ProviderKind
from echotune.llm.types import (
    ChatRequest,
    ChatResponse,
    Message,
    StreamEnd,
    StreamEvent,
    TextDelta,
    Usage,
)


class FakeClock:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Outcome:
    """One scripted call. `error` is raised after `latency` (complete) or `ttft` (stream),
    or, with `break_after`, after that many stream events (default: a dropped connection)."""

    error: ProviderError | None = None
    latency: float = 0.0
    ttft: float = 0.0
    text: str = "an answer in five words"
    usage: Usage = field(default_factory=lambda: Usage(100, 20))
    break_after: int | None = None
    hang: bool = False  # never answers, until cancelled or timed out
    end: bool = True  # a stream ends with StreamEnd (False: it just stops)


class ScriptedProvider:
    def __init__(
        self,
        name: str = "p",
        *,
        script: Sequence[Outcome] = (),
        default: Outcome | None = None,
        clock: FakeClock | None = None,
        kind: ProviderKind = "openai",
        gate: asyncio.Event | None = None,
        **config: float | str,
    ) -> None:
        base = ProviderConfig(name=name, kind=kind, model=f"{name}-model")
        self._config = replace(base, **config)  # type: ignore[arg-type]
        self.script: deque[Outcome] = deque(script)
        self.default = default or Outcome()
        self.clock = clock
        self.gate = gate  # when set, every call waits for it before answering
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.cancelled = 0
        self.closed = False
        self.requests: list[ChatRequest] = []

    @property
    def config(self) -> ProviderConfig:
        return self._config

    async def complete(self, request: ChatRequest) -> ChatResponse:
        outcome = self._begin(request)
        try:
            await self._wait(outcome, outcome.latency)
            if outcome.error is not None:
                raise outcome.error
            return self._response(outcome)
        finally:
            self.in_flight -= 1

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        outcome = self._begin(request)
        try:
            await self._wait(outcome, outcome.ttft)
            if outcome.error is not None and outcome.break_after is None:
                raise outcome.error
            words = outcome.text.split(" ")
            for i, word in enumerate(words):
                if outcome.break_after is not None and i >= outcome.break_after:
                    raise outcome.error or ProviderUnavailable(self.name, "connection dropped")
                yield TextDelta(word if i == 0 else " " + word)
            if outcome.end:
                yield StreamEnd(self._response(outcome))
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        self.closed = True

    @property
    def name(self) -> str:
        return self._config.name

    def _begin(self, request: ChatRequest) -> Outcome:
        self.calls += 1
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return self.script.popleft() if self.script else self.default

    async def _wait(self, outcome: Outcome, seconds: float) -> None:
        try:
            if self.gate is not None:
                await self.gate.wait()
            if outcome.hang:
                await asyncio.Event().wait()
            if self.clock is not None:
                self.clock.advance(seconds)
            elif seconds > 0:
                await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise

    def _response(self, outcome: Outcome) -> ChatResponse:
        return ChatResponse(
            text=outcome.text, usage=outcome.usage, provider=self.name, model=self._config.model
        )


def ask(text: str = "something upbeat for a run", **fields: object) -> ChatRequest:
    return ChatRequest(messages=(Message(role="user", content=text),), **fields)  # type: ignore[arg-type]
