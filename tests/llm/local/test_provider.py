"""The assistant as a Provider: streaming equals complete, only offered tools are used,
usage and names are filled in, failures come out as provider errors, and it is fast."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence

import pytest

from echotune.chat.tool_specs import CREATE_PLAYLIST, MUSIC_TOOLS, RECOMMEND
from echotune.llm.embeddings import Vectors
from echotune.llm.errors import ProviderUnavailable
from echotune.llm.local import LocalAssistant
from echotune.llm.provider import Provider
from echotune.llm.types import (
    ChatRequest,
    Message,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    ToolSpec,
)
from tests.llm.local.helpers import CONFIG, SYSTEM, Chat, ask, call_args
from tests.llm.local.test_intents import TABLE

A = LocalAssistant(CONFIG)


def request_for(text: str) -> ChatRequest:
    return ChatRequest(messages=(SYSTEM, Message("user", text)), tools=MUSIC_TOOLS)


async def collect(request: ChatRequest) -> tuple[str, list[StreamEvent]]:
    text, events = "", []
    async for event in A.stream(request):
        events.append(event)
        if isinstance(event, TextDelta):
            text += event.text
    return text, events


def test_is_a_provider() -> None:
    provider: Provider = A  # checked by mypy too
    assert provider.config.kind == "local"


@pytest.mark.parametrize("text", ["hi", "songs like Daft Punk", "make a playlist", "pause"])
async def test_stream_equals_complete(text: str) -> None:
    complete = await A.complete(request_for(text))
    streamed, events = await collect(request_for(text))
    last = events[-1]
    assert isinstance(last, StreamEnd) and last.response == complete
    assert sum(isinstance(e, StreamEnd) for e in events) == 1
    assert streamed == complete.text
    assert tuple(e.call for e in events if isinstance(e, ToolCallDelta)) == complete.tool_calls


async def test_a_composed_reply_streams_line_by_line() -> None:
    chat = Chat(A)
    chat.say("chill jazz")
    streamed, events = await collect(ChatRequest(messages=tuple(chat.messages[:-1])))
    assert streamed == chat.messages[-1].content
    assert sum(isinstance(e, TextDelta) for e in events) == 4  # the head and 3 tracks


def test_only_offered_tools_are_called() -> None:
    only = (RECOMMEND,)
    assert call_args(ask(A, "songs like Daft Punk", tools=only))[0] == "recommend"
    refused = ask(A, "pause", tools=only)
    assert refused.tool_calls == () and refused.text.startswith("I can't do that in this chat.")
    assert "Control Spotify" not in refused.text
    chat = Chat(A, tools=only)
    chat.say("play something chill")
    assert [c.name for c in chat.calls] == ["recommend"]  # no playback follow-up


def test_with_no_tools_it_still_talks() -> None:
    response = ask(A, "chill jazz", tools=())
    assert response.tool_calls == () and "can't reach the music tools" in response.text
    assert ask(A, "hello", tools=()).text.startswith("Hi!")


def test_arguments_the_offered_schema_lacks_are_left_out() -> None:
    properties = dict(CREATE_PLAYLIST.parameters["properties"])  # type: ignore[arg-type]
    del properties["seed_artists"]
    narrow = ToolSpec(CREATE_PLAYLIST.name, CREATE_PLAYLIST.description,
                      {**CREATE_PLAYLIST.parameters, "properties": properties})  # fmt: skip
    response = ask(A, "a playlist like Daft Punk for a party", tools=(narrow,))
    assert call_args(response) == ("create_playlist", {"activity": "party"})
    offered = ask(A, "a playlist like Daft Punk for a party", tools=(CREATE_PLAYLIST,))
    assert call_args(offered) == (
        "create_playlist", {"activity": "party", "seed_artists": ["Daft Punk"]}
    )


def test_response_fields_and_usage() -> None:
    response = ask(A, "make me a 45-minute focus playlist")
    assert (response.provider, response.model) == ("local", "echotune-local")
    assert response.finish_reason == "tool_calls"
    assert response.usage.input_tokens >= 7 and response.usage.output_tokens > 0
    assert CONFIG.cost(response.usage.input_tokens, response.usage.output_tokens) == 0
    reply = ask(A, "hi")
    assert reply.finish_reason == "stop" and reply.usage.output_tokens == len(reply.text.split())


class BrokenEmbedder:
    dim = 4

    def embed(self, texts: Sequence[str]) -> Vectors:
        raise RuntimeError("boom")


async def test_a_failure_inside_is_a_provider_error() -> None:
    broken = LocalAssistant(CONFIG, embedder=BrokenEmbedder())
    with pytest.raises(ProviderUnavailable, match="offline assistant failed"):
        await broken.complete(request_for("what is the capital of France"))
    await broken.aclose()


def _p99(durations: list[float]) -> float:
    return statistics.quantiles(durations, n=100)[98]


# CPU time of this thread: what the assistant itself costs, not how busy the shared
# machine is (other processes preempting us would show up in wall-clock time).
clock = time.thread_time


def test_p99_reply_time_over_the_table_is_under_5_ms() -> None:
    requests = [request_for(text) for text, _, _ in TABLE]
    for request in requests:  # warm up
        A.answer(request)
    durations = []
    for _ in range(5):
        for request in requests:
            start = clock()
            A.answer(request)
            durations.append(clock() - start)
    assert _p99(durations) < 0.005, f"p99 {_p99(durations) * 1000:.2f} ms"


def test_a_whole_recommendation_turn_is_under_5_ms() -> None:
    """Both calls of a turn: the tool call, then the reply written from the results."""
    chat = Chat(A)
    chat.say("something upbeat for a run")
    first = ChatRequest(messages=tuple(chat.messages[:2]), tools=MUSIC_TOOLS)
    second = ChatRequest(messages=tuple(chat.messages[:-1]), tools=MUSIC_TOOLS)
    durations = []
    for _ in range(200):
        start = clock()
        A.answer(first)
        A.answer(second)
        durations.append(clock() - start)
    assert _p99(durations) < 0.005, f"p99 {_p99(durations) * 1000:.2f} ms"
