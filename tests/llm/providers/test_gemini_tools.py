"""The tool round trip on Gemini's wire: function calls and responses, ids Gemini issued
(sent back) and ids it did not (never sent), thought signatures, merged turns."""

from __future__ import annotations

import base64
import json

from echotune.llm.providers.gemini_convert import SKIP_SIGNATURE
from echotune.llm.types import ChatRequest, Message, ToolCall
from tests.fakes.llm.gemini_app import FakeGemini
from tests.fakes.llm.gemini_wire import FakeCall
from tests.llm.providers.gemini_helpers import RECOMMEND, ask, provider


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _follow_up(first: ChatRequest, calls: tuple[ToolCall, ...], results: list[str]) -> ChatRequest:
    answers = tuple(
        Message("tool", content=result, tool_call_id=call.id, name=call.name)
        for call, result in zip(calls, results, strict=True)
    )
    history = (*first.messages, Message("assistant", tool_calls=calls), *answers)
    return ChatRequest(messages=history, tools=first.tools)


async def test_round_trip_with_parallel_calls(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply_calls(
        FakeCall("recommend", {"mood": "upbeat"}),
        FakeCall("get_listening_stats", {"period": "week"}),
    )
    fake_gemini.reply("Here you go.")
    first = ask(tools=(RECOMMEND,))
    async with provider(fake_gemini) as gemini:
        calls = (await gemini.complete(first)).tool_calls
        tracks = json.dumps({"tracks": [{"id": "t1", "name": "Run", "artist": "Woodkid"}]})
        answer = await gemini.complete(_follow_up(first, calls, [tracks, '{"plays": 12}']))
    assert answer.text == "Here you go."
    model_turn, tool_turn = fake_gemini.last_request.contents[1:]
    # Gemini issued no ids and no signatures: the replay carries neither.
    assert model_turn == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "recommend", "args": {"mood": "upbeat"}}},
            {"functionCall": {"name": "get_listening_stats", "args": {"period": "week"}}},
        ],
    }
    # Both results answer in one user turn, as Gemini wants for parallel calls.
    assert tool_turn == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "recommend", "response": json.loads(tracks)}},
            {"functionResponse": {"name": "get_listening_stats", "response": {"plays": 12}}},
        ],
    }


async def test_issued_ids_and_signatures_go_back(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply_calls(FakeCall("recommend", {}, id="fc-7", thought_signature=b"sig-7"))
    fake_gemini.reply("done")
    first = ask(tools=(RECOMMEND,))
    async with provider(fake_gemini) as gemini:
        calls = (await gemini.complete(first)).tool_calls
        assert calls[0].id == "fc-7"
        await gemini.complete(_follow_up(first, calls, ['{"tracks": []}']))
    model_turn, tool_turn = fake_gemini.last_request.contents[1:]
    assert model_turn["parts"] == [
        {
            "functionCall": {"id": "fc-7", "name": "recommend", "args": {}},
            "thoughtSignature": _b64(b"sig-7"),
        }
    ]
    assert tool_turn["parts"][0]["functionResponse"]["id"] == "fc-7"


async def test_calls_from_another_model_skip_the_signature_check(
    fake_gemini: FakeGemini,
) -> None:
    call = ToolCall(id="call_openai_1", name="similar_tracks", arguments={"track": "t9"})
    history = (
        Message("user", "more like this"),
        Message("assistant", "Let me look.", tool_calls=(call,)),
        Message("tool", content="not json at all", tool_call_id="call_openai_1"),
        Message("tool", content="[1, 2]", tool_call_id="call_openai_1"),
    )
    async with provider(fake_gemini) as gemini:
        await gemini.complete(ChatRequest(messages=history))
    _user, model, tool = fake_gemini.last_request.contents
    assert model["parts"] == [
        {"text": "Let me look."},
        {
            "functionCall": {"name": "similar_tracks", "args": {"track": "t9"}},
            "thoughtSignature": _b64(SKIP_SIGNATURE),
        },
    ]
    # The tool's name comes from the call it answers; non-object results go under "output".
    assert tool["parts"] == [
        {"functionResponse": {"name": "similar_tracks", "response": {"output": "not json at all"}}},
        {"functionResponse": {"name": "similar_tracks", "response": {"output": [1, 2]}}},
    ]


async def test_stream_calls_are_remembered_too(fake_gemini: FakeGemini) -> None:
    fake_gemini.reply_calls(FakeCall("recommend", {}, id="fc-s", thought_signature=b"s"))
    first = ask(tools=(RECOMMEND,))
    async with provider(fake_gemini) as gemini:
        events = [event async for event in gemini.stream(first)]
        end = events[-1]
        calls = end.response.tool_calls  # type: ignore[union-attr]
        await gemini.complete(_follow_up(first, calls, ["{}"]))
    model_turn = fake_gemini.last_request.contents[1]
    assert model_turn["parts"][0]["thoughtSignature"] == _b64(b"s")
