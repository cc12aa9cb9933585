"""Shared bits of the OpenAI and Anthropic adapter tests: configs pointed at the fakes,
the music tools, requests, and a stream collector."""

from __future__ import annotations

from dataclasses import replace

from echotune.llm.provider import Provider, ProviderConfig, ProviderKind
from echotune.llm.types import ChatRequest, Message, StreamEnd, StreamEvent, ToolSpec
from tests.fakes.llm.vendor import FakeVendor

API_KEY = "sk-test-7f3c2b1a09e8d6c5"
TIMEOUT = 0.5
SYSTEM = "You are EchoTune's music assistant. Taste: indie rock, synthpop."

RECOMMEND = ToolSpec(
    name="recommend",
    description="Recommend tracks for a mood, activity or genres",
    parameters={
        "type": "object",
        "properties": {
            "mood": {"type": "string"},
            "activity": {"type": "string"},
            "genres": {"type": "array", "items": {"type": "string"}},
            "limit": {"type": "integer", "default": 10},
        },
    },
)
SEARCH = ToolSpec(
    name="search_catalog",
    description="Search the catalog",
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
        "required": ["query"],
    },
)


def config(kind: ProviderKind, fake: FakeVendor, **overrides: object) -> ProviderConfig:
    base = ProviderConfig(
        name=f"{kind}-test",
        kind=kind,
        model="model-under-test",
        base_url=fake.base_url,
        api_key=API_KEY,
        timeout=TIMEOUT,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def ask(text: str, *, tools: tuple[ToolSpec, ...] = (), system: str = SYSTEM) -> ChatRequest:
    return ChatRequest(
        messages=(Message("system", system), Message("user", text)), tools=tools, max_tokens=256
    )


async def collect(provider: Provider, request: ChatRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(request)]


def end_of(events: list[StreamEvent]) -> StreamEnd:
    """The one StreamEnd, checked to be the last event and the only one."""
    ends = [event for event in events if isinstance(event, StreamEnd)]
    assert len(ends) == 1, events
    assert events[-1] is ends[0], events
    return ends[0]
