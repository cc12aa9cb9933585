"""Every failure the fake Gemini can act out, as the SDK sees it, lands in our error tree;
the SDK never retries on its own (the router does)."""

from __future__ import annotations

import time

import pytest

from echotune.llm.errors import (
    MalformedResponse,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    StreamInterrupted,
)
from echotune.llm.providers.gemini_provider import GeminiProvider
from echotune.llm.types import TextDelta
from tests.fakes.llm.gemini_app import FakeGemini
from tests.llm.providers.gemini_helpers import API_KEY, ask, collect, config, provider

RETRY_INFO = {
    "error": {
        "code": 429,
        "message": "quota",
        "status": "RESOURCE_EXHAUSTED",
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "31s"}],
    }
}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"status": 500}, ProviderUnavailable),
        ({"status": 503}, ProviderUnavailable),
        ({"status": 404}, ProviderRejected),
        ({"malformed": True}, MalformedResponse),
        ({"cut_after_chunks": 0}, ProviderUnavailable),
    ],
)
async def test_faults_map_to_our_errors(
    fake_gemini: FakeGemini, stream: bool, fault: dict[str, object], error: type[ProviderError]
) -> None:
    fake_gemini.faults.add(**fault)
    async with provider(fake_gemini) as gemini:
        with pytest.raises(error) as caught:
            if stream:
                await collect(gemini.stream(ask()))
            else:
                await gemini.complete(ask())
    assert caught.value.retryable is (error is not ProviderRejected)
    assert caught.value.provider == "gemini"
    assert len(fake_gemini.requests) == 1  # the SDK did not retry


@pytest.mark.parametrize("stream", [False, True])
async def test_rate_limit_carries_retry_after(fake_gemini: FakeGemini, stream: bool) -> None:
    fake_gemini.faults.add(status=429, headers={"retry-after": "7"})
    async with provider(fake_gemini) as gemini:
        with pytest.raises(ProviderRateLimited) as caught:
            if stream:
                await collect(gemini.stream(ask()))
            else:
                await gemini.complete(ask())
    assert caught.value.retry_after == 7.0
    assert caught.value.status == 429
    assert len(fake_gemini.requests) == 1


async def test_retry_after_from_googles_retry_info(fake_gemini: FakeGemini) -> None:
    fake_gemini.faults.add(status=429, body=RETRY_INFO)
    async with provider(fake_gemini) as gemini:
        with pytest.raises(ProviderRateLimited) as caught:
            await gemini.complete(ask())
    assert caught.value.retry_after == 31.0


async def test_rate_limit_without_a_hint(fake_gemini: FakeGemini) -> None:
    fake_gemini.faults.add(status=429)
    async with provider(fake_gemini) as gemini:
        with pytest.raises(ProviderRateLimited) as caught:
            await gemini.complete(ask())
    assert caught.value.retry_after is None


async def test_a_bad_key_is_rejected_without_echoing_it(fake_gemini: FakeGemini) -> None:
    fake_gemini.api_key = "the-right-key"
    async with provider(fake_gemini) as gemini:
        with pytest.raises(ProviderRejected) as caught:
            await gemini.complete(ask())
    assert not caught.value.retryable
    assert caught.value.status == 400
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize("stream", [False, True])
async def test_a_slow_answer_times_out_quickly(fake_gemini: FakeGemini, stream: bool) -> None:
    fake_gemini.faults.add(delay=3.0)
    started = time.monotonic()
    async with provider(fake_gemini, timeout=0.25) as gemini:
        with pytest.raises(ProviderTimeout):
            if stream:
                await collect(gemini.stream(ask()))
            else:
                await gemini.complete(ask())
    assert time.monotonic() - started < 1.5


async def test_a_delay_within_the_timeout_still_answers(fake_gemini: FakeGemini) -> None:
    fake_gemini.faults.add(delay=0.05)
    fake_gemini.reply("late but fine")
    async with provider(fake_gemini) as gemini:
        assert (await gemini.complete(ask())).text == "late but fine"


async def test_a_cut_after_the_first_chunk_interrupts_the_stream(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply("one two three four five six")
    fake_gemini.faults.add(cut_after_chunks=2)
    seen: list[object] = []
    async with provider(fake_gemini) as gemini:
        with pytest.raises(StreamInterrupted) as caught:
            async for event in gemini.stream(ask()):
                seen.append(event)
    assert seen == [TextDelta("one two "), TextDelta("three four ")]
    assert caught.value.provider == "gemini"
    assert "stream broke" in str(caught.value)


async def test_a_stream_ending_without_a_finish_reason_is_not_whole(
    fake_gemini: FakeGemini,
) -> None:
    fake_gemini.reply("half an ans", finish_reason=None)
    fake_gemini.reply("", finish_reason=None, chunks=())
    async with provider(fake_gemini) as gemini:
        with pytest.raises(StreamInterrupted):
            await collect(gemini.stream(ask()))
        with pytest.raises(MalformedResponse):  # nothing was shown yet: retryable
            await collect(gemini.stream(ask()))


async def test_an_unreachable_server_is_unavailable() -> None:
    gemini = GeminiProvider(config("http://127.0.0.1:9"))
    try:
        with pytest.raises(ProviderUnavailable, match="connection failed"):
            await gemini.complete(ask())
    finally:
        await gemini.aclose()
