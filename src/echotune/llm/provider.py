"""The provider seam: what every adapter, the router and the caches implement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from echotune.llm.types import ChatRequest, ChatResponse, StreamEvent

ProviderKind = Literal["openai", "anthropic", "gemini", "local"]


@dataclass(frozen=True)
class ProviderConfig:
    """One configured model endpoint. Prices are USD per million tokens."""

    name: str
    kind: ProviderKind
    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never in logs or reprs
    price_input: float = 0.0
    price_output: float = 0.0
    context_window: int = 128_000
    quality: float = 0.5  # 0..1, our prior; user thumbs move the router's estimate
    max_concurrency: int = 8
    timeout: float = 30.0

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.price_input + output_tokens * self.price_output) / 1e6


class Provider(Protocol):
    """`complete` answers at once; `stream` yields TextDelta / ToolCallDelta events and
    ends with exactly one StreamEnd. Both raise only `echotune.llm.errors` types."""

    @property
    def config(self) -> ProviderConfig: ...

    async def complete(self, request: ChatRequest) -> ChatResponse: ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]: ...

    async def aclose(self) -> None: ...
