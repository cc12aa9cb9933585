"""The OpenAI adapter through the real `openai` SDK against the loopback fake: answers,
streams, and tool calls, with the translated request checked on the fake's side."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from echotune.llm.errors import MalformedResponse, ProviderRejected, StreamInterrupted
from echotune.llm.providers.openai_provider import OpenAIProvider
from echotune.llm.types import ChatRequest, Message, TextDelta, ToolCall, ToolCallDelta
from tests.fakes.llm.openai_app import FakeOpenAI
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
async def provider(fake_openai: FakeOpenAI) -> AsyncIterator[OpenAIProvider]:
    adapter = OpenAIProvider(config("openai", fake_openai))
    yield adapter
    await adapter.aclose()


async def test_complete_answers_and_sends_the_translated_request(
    provider: OpenAIProvider, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script.reply("Try Midnight City by M83.", input_tokens=21, output_tokens=7)

    response = await provider.complete(ask("something dreamy"))

    assert response.text == "Try Midnight City by M83."
    assert (response.usage.input_tokens, response.usage.output_tokens) == (21, 7)
    assert (response.provider, response.model, response.finish_reason) == (
        "openai-test", "model-under-test", "stop")
    sent = fake_openai.last_request
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.body["model"] == "model-under-test"
    assert sent.body["messages"] == [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "something dreamy"},
    ]
    # A compatible server (any base URL but OpenAI's) gets the classic `max_tokens`.
    assert sent.body["max_tokens"] == 256
    assert "tools" not in sent.body and "stream" not in sent.body


async def test_stream_yields_deltas_in_order_then_one_end_with_usage(
    provider: OpenAIProvider, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script.reply("Here are three upbeat tracks", output_tokens=5)

    events = await collect(provider, ask("upbeat please"))

    deltas = [event.text for event in events if isinstance(event, TextDelta)]
    assert deltas == ["Here", " are", " three", " upbeat", " tracks"]
    end = end_of(events)
    assert end.response.text == "".join(deltas)
    assert end.response.usage.output_tokens == 5 and end.response.usage.input_tokens > 0
    assert end.response.finish_reason == "stop"
    assert fake_openai.last_request.body["stream"] is True
    assert fake_openai.last_request.body["stream_options"] == {"include_usage": True}


async def test_tool_call_round_trip(provider: OpenAIProvider, fake_openai: FakeOpenAI) -> None:
    fake_openai.script.call_tool("recommend", {"mood": "upbeat", "activity": "run", "limit": 3},
                                 id="call_abc")
    first = await provider.complete(ask("music for a run", tools=(RECOMMEND, SEARCH)))

    assert first.finish_reason == "tool_calls" and first.text == ""
    assert first.tool_calls == (
        ToolCall("call_abc", "recommend", {"mood": "upbeat", "activity": "run", "limit": 3}),
    )
    tools = fake_openai.last_request.body["tools"]
    assert tools[0] == {"type": "function", "function": {
        "name": "recommend", "description": RECOMMEND.description,
        "parameters": dict(RECOMMEND.parameters)}}
    assert [t["function"]["name"] for t in tools] == ["recommend", "search_catalog"]

    fake_openai.script.say("Lace up: Dog Days Are Over, Go!")
    follow_up = ChatRequest(
        messages=(*ask("music for a run").messages,
                  Message("assistant", tool_calls=first.tool_calls),
                  Message("tool", '{"tracks": [{"id": "t1"}]}', tool_call_id="call_abc",
                          name="recommend")),
        tools=(RECOMMEND, SEARCH),
    )
    second = await provider.complete(follow_up)

    assert second.text == "Lace up: Dog Days Are Over, Go!"
    assistant, tool = fake_openai.last_request.body["messages"][2:]
    assert assistant["role"] == "assistant" and assistant["content"] is None
    assert assistant["tool_calls"] == [{"id": "call_abc", "type": "function", "function": {
        "name": "recommend",
        "arguments": '{"mood": "upbeat", "activity": "run", "limit": 3}'}}]
    assert tool == {"role": "tool", "tool_call_id": "call_abc",
                    "content": '{"tracks": [{"id": "t1"}]}'}


async def test_stream_assembles_tool_calls_split_over_chunks(
    provider: OpenAIProvider, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script.reply("Searching", tool_calls=[
        ScriptedCall("search_catalog", {"query": "daft punk around the world", "limit": 5}),
        ScriptedCall("recommend", {"genres": ["house", "french touch"], "limit": 10}),
    ])

    events = await collect(provider, ask("daft punk vibes", tools=(RECOMMEND, SEARCH)))

    calls = [event.call for event in events if isinstance(event, ToolCallDelta)]
    assert [(c.name, dict(c.arguments)) for c in calls] == [
        ("search_catalog", {"query": "daft punk around the world", "limit": 5}),
        ("recommend", {"genres": ["house", "french touch"], "limit": 10}),
    ]
    assert all(call.id.startswith("call_") for call in calls)
    assert isinstance(events[0], TextDelta)
    end = end_of(events)
    assert end.response.tool_calls == tuple(calls)
    assert end.response.finish_reason == "tool_calls"


async def test_broken_tool_arguments_are_a_malformed_response(
    provider: OpenAIProvider, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script.call_tool("recommend", raw_arguments='{"mood": "upbe')
    with pytest.raises(MalformedResponse) as caught:
        await provider.complete(ask("anything", tools=(RECOMMEND,)))
    assert caught.value.retryable

    # Nothing shown yet: the router may still fail over.
    fake_openai.script.call_tool("recommend", raw_arguments="[1, 2]")
    with pytest.raises(MalformedResponse):
        await collect(provider, ask("anything", tools=(RECOMMEND,)))

    # Text already shown: the stream is interrupted, never silently retried.
    fake_openai.script.call_tool("recommend", raw_arguments='{"mood": ', text="Let me see")
    with pytest.raises(StreamInterrupted):
        await collect(provider, ask("anything", tools=(RECOMMEND,)))


async def test_length_finish_reason(provider: OpenAIProvider, fake_openai: FakeOpenAI) -> None:
    fake_openai.script.reply("A very long", stop_reason="length")
    assert (await provider.complete(ask("go on"))).finish_reason == "length"


async def test_a_tool_message_without_its_call_id_is_rejected(provider: OpenAIProvider) -> None:
    request = ChatRequest(messages=(Message("user", "hi"), Message("tool", "{}")))
    with pytest.raises(ProviderRejected) as caught:
        await provider.complete(request)
    assert not caught.value.retryable


async def test_the_fake_passes_the_sdks_strict_validation(fake_openai: FakeOpenAI) -> None:
    """The fake's wire format is the real one: the SDK validates every field it declares."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key=API_KEY, base_url=fake_openai.base_url, max_retries=0,
                         _strict_response_validation=True)
    fake_openai.script.call_tool("recommend", {"mood": "calm"}, text="Sure")
    completion = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.tool_calls
    fake_openai.script.call_tool("recommend", {"mood": "calm"}, text="Sure")
    chunks = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True,
        stream_options={"include_usage": True})
    assert [chunk async for chunk in chunks][-1].usage is not None
    await client.close()
