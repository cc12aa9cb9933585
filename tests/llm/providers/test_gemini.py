"""GeminiProvider through the real google-genai SDK against the loopback fake: answers,
streams, and what goes over the wire."""

from __future__ import annotations

import pytest

from echotune.llm.errors import MalformedResponse, ProviderRejected
from echotune.llm.provider import Provider
from echotune.llm.providers.gemini_provider import GeminiProvider
from echotune.llm.types import StreamEnd, TextDelta, ToolCallDelta, Usage
from tests.fakes.llm.gemini_app import FakeGemini
from tests.fakes.llm.gemini_wire import DEFAULT_MODEL_VERSION, FakeCall
from tests.llm.providers.gemini_helpers import (
    API_KEY,
    MODEL,
    RECOMMEND,
    ask,
    collect,
    config,
    provider,
)


async def test_complete_returns_text_usage_and_names(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply("Try 'Run Boy Run' by Woodkid.", usage=(42, 9))
    async with provider(fake_gemini) as gemini:
        answer = await gemini.complete(ask(max_tokens=200, temperature=0.5))
    assert answer.text == "Try 'Run Boy Run' by Woodkid."
    assert answer.usage == Usage(input_tokens=42, output_tokens=9)
    assert (answer.provider, answer.model, answer.finish_reason) == (
        "gemini",
        DEFAULT_MODEL_VERSION,
        "stop",
    )
    sent = fake_gemini.last_request
    assert sent.path == f"/v1beta/models/{MODEL}:generateContent"
    assert sent.api_key == API_KEY
    assert sent.system_text == "You are EchoTune."
    assert sent.contents == [{"role": "user", "parts": [{"text": "something upbeat for a run"}]}]
    assert sent.body["generationConfig"] == {"temperature": 0.5, "maxOutputTokens": 200}
    assert "tools" not in sent.body


async def test_thinking_tokens_count_as_output(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply("ok", usage=(10, 5), thoughts_tokens=7)
    async with provider(fake_gemini) as gemini:
        answer = await gemini.complete(ask())
    assert answer.usage == Usage(input_tokens=10, output_tokens=12)


async def test_complete_with_a_function_call(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply_calls(FakeCall("recommend", {"mood": "upbeat", "limit": 5}))
    async with provider(fake_gemini) as gemini:
        answer = await gemini.complete(ask(tools=(RECOMMEND,)))
    assert answer.finish_reason == "tool_calls"
    (call,) = answer.tool_calls
    assert (call.name, dict(call.arguments)) == ("recommend", {"mood": "upbeat", "limit": 5})
    assert call.id.startswith("call_")
    declared = fake_gemini.last_request.body["tools"]
    assert declared == [
        {
            "functionDeclarations": [
                {
                    "name": "recommend",
                    "description": "Recommend tracks for a mood or activity",
                    "parameters_json_schema": dict(RECOMMEND.parameters),
                }
            ]
        }
    ]


async def test_stream_yields_deltas_then_one_end(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply("one two three four five", usage=(20, 6))
    async with provider(fake_gemini) as gemini:
        events = await collect(gemini.stream(ask()))
    assert events[:-1] == [TextDelta("one two "), TextDelta("three four "), TextDelta("five")]
    end = events[-1]
    assert isinstance(end, StreamEnd)
    assert end.response.text == "one two three four five"
    assert end.response.usage == Usage(20, 6)
    assert end.response.finish_reason == "stop"
    sent = fake_gemini.last_request
    assert sent.path == f"/v1beta/models/{MODEL}:streamGenerateContent"
    assert sent.query == {"alt": "sse"}


async def test_stream_with_text_and_a_call(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply_calls(FakeCall("search_catalog", {"query": "daft punk"}), text="Looking.")
    async with provider(fake_gemini) as gemini:
        events = await collect(gemini.stream(ask(tools=(RECOMMEND,))))
    assert [type(e) for e in events] == [TextDelta, ToolCallDelta, StreamEnd]
    end = events[-1]
    assert isinstance(end, StreamEnd) and isinstance(events[1], ToolCallDelta)
    assert end.response.tool_calls == (events[1].call,)
    assert end.response.text == "Looking."
    assert end.response.finish_reason == "tool_calls"


async def test_leaving_a_stream_early_releases_it(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply("a b c d e f g h")
    async with provider(fake_gemini) as gemini:
        events = gemini.stream(ask())
        first = await anext(events)
        await events.aclose()  # type: ignore[attr-defined]
        assert first == TextDelta("a b ")
        fake_gemini.reply("again")
        assert (await gemini.complete(ask())).text == "again"


@pytest.mark.parametrize(("finish", "expected"), [("MAX_TOKENS", "length"), ("SAFETY", "error")])
async def test_finish_reasons(fake_gemini: FakeGemini, finish: str, expected: str) -> None:
    fake_gemini.reply("cut sho", finish_reason=finish)
    async with provider(fake_gemini) as gemini:
        assert (await gemini.complete(ask())).finish_reason == expected


async def test_a_malformed_function_call_is_retryable(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply("", finish_reason="MALFORMED_FUNCTION_CALL")
    async with provider(fake_gemini) as gemini:
        with pytest.raises(MalformedResponse) as caught:
            await gemini.complete(ask())
    assert caught.value.retryable


async def test_a_blocked_prompt_is_rejected(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply(block_reason="SAFETY")
    fake_gemini.reply(block_reason="SAFETY")
    async with provider(fake_gemini) as gemini:
        with pytest.raises(ProviderRejected, match="blocked"):
            await gemini.complete(ask())
        with pytest.raises(ProviderRejected, match="blocked"):
            await collect(gemini.stream(ask()))


def test_needs_an_api_key() -> None:
    with pytest.raises(ValueError, match="api_key"):
        GeminiProvider(config("http://127.0.0.1:9", api_key=None))


async def test_is_a_provider(fake_gemini: FakeGemini) -> None:
    async with provider(fake_gemini) as gemini:
        typed: Provider = gemini
        assert typed.config.kind == "gemini"
