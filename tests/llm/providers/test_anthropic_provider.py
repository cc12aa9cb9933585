"""The Anthropic adapter through the real `anthropic` SDK against the loopback fake:
answers, SSE streams, and tool use, with the translated request checked on the fake's side."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from echotune.llm.errors import MalformedResponse, StreamInterrupted
from echotune.llm.providers.anthropic_provider import AnthropicProvider
from echotune.llm.types import ChatRequest, Message, TextDelta, ToolCall, ToolCallDelta
from tests.fakes.llm.anthropic_app import FakeAnthropic
from tests.fakes.llm.script import ScriptedCall
from tests.llm.providers.chat_helpers import (
    API_KEY,
    RECOMMEND,
    SEARCH,
    SYSTEM,
    ask,
    collect,
    config,
    end_of,
)


@pytest.fixture
async def provider(fake_anthropic: FakeAnthropic) -> AsyncIterator[AnthropicProvider]:
    adapter = AnthropicProvider(config("anthropic", fake_anthropic))
    yield adapter
    await adapter.aclose()


async def test_complete_answers_with_the_system_prompt_top_level(
    provider: AnthropicProvider, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script.reply("Try Midnight City by M83.", input_tokens=30, output_tokens=8)

    response = await provider.complete(ask("something dreamy"))

    assert response.text == "Try Midnight City by M83."
    assert (response.usage.input_tokens, response.usage.output_tokens) == (30, 8)
    assert (response.provider, response.model, response.finish_reason) == (
        "anthropic-test", "model-under-test", "stop")
    sent = fake_anthropic.last_request
    assert API_KEY in sent.headers.get("x-api-key", "") + sent.headers.get("authorization", "")
    assert sent.headers["anthropic-version"]
    assert sent.body["system"] == SYSTEM
    assert sent.body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "something dreamy"}]}]
    assert sent.body["max_tokens"] == 256 and sent.body["model"] == "model-under-test"
    assert "tools" not in sent.body


async def test_stream_yields_deltas_in_order_then_one_end_with_usage(
    provider: AnthropicProvider, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script.reply("Here are three upbeat tracks", input_tokens=12, output_tokens=6)

    events = await collect(provider, ask("upbeat please"))

    deltas = [event.text for event in events if isinstance(event, TextDelta)]
    assert deltas == ["Here", " are", " three", " upbeat", " tracks"]
    end = end_of(events)
    assert end.response.text == "".join(deltas)
    # Input from message_start, output from message_delta's cumulative count.
    assert (end.response.usage.input_tokens, end.response.usage.output_tokens) == (12, 6)
    assert end.response.finish_reason == "stop"
    assert fake_anthropic.last_request.body["stream"] is True


async def test_tool_use_round_trip(
    provider: AnthropicProvider, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script.reply("Looking", tool_calls=[
        ScriptedCall("search_catalog", {"query": "m83"}, id="toolu_a"),
        ScriptedCall("recommend", {"mood": "dreamy", "limit": 3}, id="toolu_b"),
    ])
    first = await provider.complete(ask("dreamy like m83", tools=(RECOMMEND, SEARCH)))

    assert first.finish_reason == "tool_calls" and first.text == "Looking"
    assert first.tool_calls == (ToolCall("toolu_a", "search_catalog", {"query": "m83"}),
                                ToolCall("toolu_b", "recommend", {"mood": "dreamy", "limit": 3}))
    assert fake_anthropic.last_request.body["tools"] == [
        {"name": t.name, "description": t.description, "input_schema": dict(t.parameters)}
        for t in (RECOMMEND, SEARCH)]

    fake_anthropic.script.say("Here you go.")
    follow_up = ChatRequest(
        messages=(*ask("dreamy like m83").messages,
                  Message("assistant", "Looking", tool_calls=first.tool_calls),
                  Message("tool", '{"tracks": []}', tool_call_id="toolu_a"),
                  Message("tool", '{"error": "no seed"}', tool_call_id="toolu_b")),
        tools=(RECOMMEND, SEARCH),
    )
    assert (await provider.complete(follow_up)).text == "Here you go."

    sent = fake_anthropic.last_request.body
    assert sent["system"] == SYSTEM
    assistant, results = sent["messages"][1:]
    assert assistant == {"role": "assistant", "content": [
        {"type": "text", "text": "Looking"},
        {"type": "tool_use", "id": "toolu_a", "name": "search_catalog", "input": {"query": "m83"}},
        {"type": "tool_use", "id": "toolu_b", "name": "recommend",
         "input": {"mood": "dreamy", "limit": 3}}]}
    # Both results ride in the one user turn that follows the tool_use turn.
    assert results == {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_a", "content": '{"tracks": []}'},
        {"type": "tool_result", "tool_use_id": "toolu_b", "content": '{"error": "no seed"}'}]}


async def test_stream_assembles_input_json_deltas(
    provider: AnthropicProvider, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script.reply("On it", tool_calls=[
        ScriptedCall("recommend", {"genres": ["house", "french touch"], "limit": 10}),
        ScriptedCall("search_catalog", {"query": "around the world"}),
    ])

    events = await collect(provider, ask("daft punk vibes", tools=(RECOMMEND, SEARCH)))

    calls = [event.call for event in events if isinstance(event, ToolCallDelta)]
    assert [(c.name, dict(c.arguments)) for c in calls] == [
        ("recommend", {"genres": ["house", "french touch"], "limit": 10}),
        ("search_catalog", {"query": "around the world"}),
    ]
    assert all(call.id.startswith("toolu_") for call in calls)
    end = end_of(events)
    assert end.response.tool_calls == tuple(calls) and end.response.text == "On it"
    assert end.response.finish_reason == "tool_calls"


async def test_broken_partial_json(
    provider: AnthropicProvider, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script.call_tool("recommend", raw_arguments='{"mood": "upbe')
    with pytest.raises(MalformedResponse):
        await collect(provider, ask("anything", tools=(RECOMMEND,)))

    fake_anthropic.script.call_tool("recommend", raw_arguments='"just a string"', text="Hmm")
    with pytest.raises(StreamInterrupted):
        await collect(provider, ask("anything", tools=(RECOMMEND,)))


async def test_max_tokens_stop_reason(
    provider: AnthropicProvider, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script.reply("A very long", stop_reason="max_tokens")
    assert (await provider.complete(ask("go on"))).finish_reason == "length"


def test_importing_the_adapter_does_not_import_the_sdk() -> None:
    code = ("import sys, echotune.llm.providers.anthropic_provider; "
            "sys.exit(1 if 'anthropic' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False, timeout=30).returncode == 0


async def test_the_fake_passes_the_sdks_strict_validation(fake_anthropic: FakeAnthropic) -> None:
    """The fake's wire format is the real one: the SDK validates every field it declares."""
    from anthropic import AsyncAnthropic

    client = AsyncAnthropic(api_key=API_KEY, base_url=fake_anthropic.base_url, max_retries=0,
                            _strict_response_validation=True)
    fake_anthropic.script.call_tool("recommend", {"mood": "calm"}, text="Sure")
    message = await client.messages.create(
        model="m", max_tokens=64, messages=[{"role": "user", "content": "hi"}])
    assert [block.type for block in message.content] == ["text", "tool_use"]
    fake_anthropic.script.call_tool("recommend", {"mood": "calm"}, text="Sure")
    events = await client.messages.create(
        model="m", max_tokens=64, messages=[{"role": "user", "content": "hi"}], stream=True)
    kinds = [event.type async for event in events]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    await client.close()
