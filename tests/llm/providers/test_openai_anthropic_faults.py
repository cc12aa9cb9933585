"""Every vendor failure, injected into the loopback fakes, surfaces as our error type with
the right `retryable`, through both the OpenAI and the Anthropic adapter."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from echotune.llm.errors import (
    LLMError,
    MalformedResponse,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    StreamInterrupted,
)
from echotune.llm.providers.anthropic_provider import AnthropicProvider
from echotune.llm.providers.openai_provider import OpenAIProvider
from echotune.llm.types import TextDelta
from tests.fakes.llm.anthropic_app import FakeAnthropic
from tests.fakes.llm.openai_app import FakeOpenAI
from tests.fakes.llm.vendor import FakeVendor
from tests.llm.providers.chat_helpers import API_KEY, TIMEOUT, ask, collect, config, end_of


@dataclass
class Vendor:
    fake: FakeVendor
    provider: OpenAIProvider | AnthropicProvider
    preamble: int


# One adapter per vendor for the whole module, on the module's event loop: building an SDK
# client costs ~40 ms (its TLS context), which would dominate these tests.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def openai_adapter(fake_openai_server: FakeOpenAI) -> AsyncIterator[OpenAIProvider]:
    adapter = OpenAIProvider(config("openai", fake_openai_server))
    yield adapter
    await adapter.aclose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def anthropic_adapter(
    fake_anthropic_server: FakeAnthropic,
) -> AsyncIterator[AnthropicProvider]:
    adapter = AnthropicProvider(config("anthropic", fake_anthropic_server))
    yield adapter
    await adapter.aclose()


@pytest.fixture(params=["openai", "anthropic"])
def vendor(request: pytest.FixtureRequest) -> Vendor:
    fake: FakeVendor = request.getfixturevalue(f"fake_{request.param}")  # reset per test
    provider = request.getfixturevalue(f"{request.param}_adapter")
    # SSE events before the first text delta (OpenAI: the role chunk; Anthropic:
    # message_start, content_block_start, ping).
    return Vendor(fake, provider, preamble=1 if request.param == "openai" else 3)


async def _fail(vendor: Vendor, *, stream: bool) -> LLMError:
    request = ask("play something")
    with pytest.raises(LLMError) as caught:
        if stream:
            await collect(vendor.provider, request)
        else:
            await vendor.provider.complete(request)
    assert API_KEY not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_unavailable_and_retryable(vendor: Vendor, status: int) -> None:
    vendor.fake.faults.add(status=status)
    error = await _fail(vendor, stream=status == 503)
    assert isinstance(error, ProviderUnavailable) and error.retryable and error.status == status
    # The fault was used once: the next call is answered.
    assert (await vendor.provider.complete(ask("again"))).text == "echo: again"


@pytest.mark.parametrize("stream", [False, True])
async def test_429_carries_retry_after(vendor: Vendor, stream: bool) -> None:
    vendor.fake.faults.add(status=429, headers={"retry-after": "7"})
    error = await _fail(vendor, stream=stream)
    assert isinstance(error, ProviderRateLimited) and error.retryable
    assert error.retry_after == 7.0


async def test_retry_after_in_milliseconds_and_missing(vendor: Vendor) -> None:
    vendor.fake.faults.add(status=429, headers={"retry-after-ms": "1500", "retry-after": "2"})
    vendor.fake.faults.add(status=429)
    first, second = await _fail(vendor, stream=False), await _fail(vendor, stream=False)
    assert isinstance(first, ProviderRateLimited) and first.retry_after == 1.5
    assert isinstance(second, ProviderRateLimited) and second.retry_after is None


@pytest.mark.parametrize("status", [400, 401, 404])
async def test_other_4xx_are_rejected_and_not_retryable(vendor: Vendor, status: int) -> None:
    vendor.fake.faults.add(status=status)
    error = await _fail(vendor, stream=status == 404)
    assert isinstance(error, ProviderRejected) and not error.retryable and error.status == status


@pytest.mark.parametrize("stream", [False, True])
async def test_timeout_is_honoured_quickly(vendor: Vendor, stream: bool) -> None:
    vendor.fake.faults.add(delay=5.0)
    started = time.monotonic()
    error = await _fail(vendor, stream=stream)
    assert isinstance(error, ProviderTimeout) and error.retryable
    assert time.monotonic() - started < TIMEOUT + 1.0


@pytest.mark.parametrize("stream", [False, True])
async def test_malformed_json_is_a_retryable_malformed_response(
    vendor: Vendor, stream: bool
) -> None:
    vendor.fake.faults.add(malformed=True)
    error = await _fail(vendor, stream=stream)
    assert isinstance(error, MalformedResponse) and error.retryable


async def test_json_missing_required_fields_is_malformed(vendor: Vendor) -> None:
    vendor.fake.faults.add(body={"id": "x"})
    assert isinstance(await _fail(vendor, stream=False), MalformedResponse)


async def test_a_cut_before_the_first_delta_is_retryable(vendor: Vendor) -> None:
    vendor.fake.faults.add(cut_after_chunks=vendor.preamble)
    error = await _fail(vendor, stream=True)
    assert isinstance(error, ProviderUnavailable) and error.retryable


async def test_a_cut_after_the_first_delta_interrupts_the_stream(vendor: Vendor) -> None:
    vendor.fake.script.say("one two three four five")
    vendor.fake.faults.add(cut_after_chunks=vendor.preamble + 2)
    seen: list[str] = []
    with pytest.raises(StreamInterrupted) as caught:
        async for event in vendor.provider.stream(ask("count")):
            assert isinstance(event, TextDelta)
            seen.append(event.text)
    assert seen == ["one", " two"]
    assert not isinstance(caught.value, ProviderError)  # the router must not fail over
    assert caught.value.provider == vendor.provider.config.name


async def test_a_cut_answer_body_is_unavailable(vendor: Vendor) -> None:
    vendor.fake.faults.add(cut_after_chunks=1)
    assert isinstance(await _fail(vendor, stream=False), ProviderUnavailable)


async def test_a_refused_connection_is_unavailable(vendor: Vendor) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nobody listens
    kind = vendor.provider.config.kind
    cls = OpenAIProvider if kind == "openai" else AnthropicProvider
    adapter = cls(config(kind, vendor.fake, base_url=f"http://127.0.0.1:{port}"))
    try:
        with pytest.raises(ProviderUnavailable):
            await adapter.complete(ask("hello"))
        with pytest.raises(ProviderUnavailable):
            await collect(adapter, ask("hello"))
    finally:
        await adapter.aclose()


@pytest.mark.parametrize("stream", [False, True])
async def test_the_api_key_never_reaches_an_error_message(vendor: Vendor, stream: bool) -> None:
    echo = {"error": {"type": "authentication_error", "message": f"invalid x-api-key {API_KEY}"}}
    vendor.fake.faults.add(status=401, body=echo)
    error = await _fail(vendor, stream=stream)
    assert isinstance(error, ProviderRejected)
    assert API_KEY not in error.message and API_KEY not in repr(error.args)
    assert "invalid x-api-key" in error.message


async def test_a_healthy_stream_still_ends_once(vendor: Vendor) -> None:
    events = await collect(vendor.provider, ask("hello"))
    assert end_of(events).response.text == "echo: hello"


async def test_closing_a_stream_early_frees_it(vendor: Vendor) -> None:
    vendor.fake.script.say("one two three")
    stream = vendor.provider.stream(ask("count"))
    first = await anext(stream)
    await stream.aclose()
    assert first == TextDelta("one")
    assert (await vendor.provider.complete(ask("again"))).text == "echo: again"
