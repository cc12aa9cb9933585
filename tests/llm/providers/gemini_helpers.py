"""Shared bits of the Gemini adapter tests: a provider pointed at the fake, requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from echotune.llm.provider import ProviderConfig
from echotune.llm.providers.gemini_provider import GeminiProvider
from echotune.llm.types import ChatRequest, Message, StreamEvent, ToolSpec
from tests.fakes.llm.gemini_app import FakeGemini

API_KEY = "gm-test-key-0123456789"
MODEL = "gemini-2.5-flash"

RECOMMEND = ToolSpec(
    name="recommend",
    description="Recommend tracks for a mood or activity",
    parameters={
        "type": "object",
        "properties": {
            "mood": {"type": "string"},
            "limit": {"type": "integer", "default": 10},
        },
    },
)


def config(base_url: str, **overrides: object) -> ProviderConfig:
    values: dict[str, object] = {
        "name": "gemini",
        "kind": "gemini",
        "model": MODEL,
        "base_url": base_url,
        "api_key": API_KEY,
        "timeout": 5.0,
    }
    values.update(overrides)
    return ProviderConfig(**values)  # type: ignore[arg-type]


@asynccontextmanager
async def provider(fake: FakeGemini, **overrides: object) -> AsyncIterator[GeminiProvider]:
    gemini = GeminiProvider(config(fake.base_url, **overrides))
    try:
        yield gemini
    finally:
        await gemini.aclose()


def ask(text: str = "something upbeat for a run", **options: object) -> ChatRequest:
    messages = (Message("system", "You are EchoTune."), Message("user", text))
    return ChatRequest(messages=messages, **options)  # type: ignore[arg-type]


async def collect(events: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in events]
