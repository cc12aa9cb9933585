"""Building requests for the offline assistant, and a stand-in for the chat loop that
answers its tool calls from a script of canned results."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from echotune.chat.tool_specs import MUSIC_TOOLS
from echotune.llm.local import LocalAssistant
from echotune.llm.provider import ProviderConfig
from echotune.llm.types import ChatRequest, ChatResponse, JSONValue, Message, ToolCall, ToolSpec

CONFIG = ProviderConfig(name="local", kind="local", model="echotune-local")
SYSTEM = Message("system", "You are EchoTune, a music discovery assistant.")

Result = dict[str, JSONValue]
Answer = Result | Callable[[Mapping[str, JSONValue]], Result]


def track(track_id: str, name: str, artist: str, explanation: str | None = None) -> Result:
    out: Result = {"id": track_id, "name": name, "artist": artist, "album": "An Album",
                   "genre": "pop", "duration_ms": 240_000}  # fmt: skip
    if explanation:
        out["explanation"] = explanation
    return out


RECOMMENDED: list[JSONValue] = [
    track("t1", "Get Lucky", "Daft Punk", "because you play a lot of Daft Punk"),
    track("t2", "Midnight City", "M83", "close to the energy of your recent plays"),
    track("t3", "Electric Feel", "MGMT"),
]
SEARCHED: list[JSONValue] = [track("s1", "Hello", "Adele"), track("s2", "Hello", "Lionel Richie")]


def ask(
    assistant: LocalAssistant,
    text: str,
    before: Sequence[Message] = (),
    tools: Sequence[ToolSpec] = MUSIC_TOOLS,
) -> ChatResponse:
    messages = (SYSTEM, *before, Message("user", text))
    return assistant.answer(ChatRequest(messages=messages, tools=tuple(tools)))


def call_args(response: ChatResponse) -> tuple[str, Mapping[str, JSONValue]]:
    assert response.finish_reason == "tool_calls", response.text
    assert len(response.tool_calls) == 1
    return response.tool_calls[0].name, response.tool_calls[0].arguments


DEVICES: list[JSONValue] = [
    {"id": "d1", "name": "Kitchen Speaker", "type": "Speaker", "is_active": False},
    {"id": "d2", "name": "Work Laptop", "type": "Computer", "is_active": True},
]
STATS: Result = {
    "period": "month", "plays": 120, "minutes": 400,
    "top_tracks": [{"name": "Get Lucky", "artist": "Daft Punk", "plays": 12}],
    "top_artists": [{"name": "Daft Punk", "plays": 30}],
    "top_genres": [{"name": "electro house", "plays": 40}],
}  # fmt: skip


def _playlist(args: Mapping[str, JSONValue]) -> Result:
    pushed: Result = {"url": "https://open.spotify.com/playlist/abc"}
    return {
        "playlist": {"name": args.get("name") or "EchoTune focus mix", "tracks": RECOMMENDED,
                     "duration_ms": 720_000},
        "spotify": pushed if args.get("push_to_spotify") else None,
    }  # fmt: skip


def _explain(args: Mapping[str, JSONValue]) -> Result:
    shown = [t for t in RECOMMENDED if isinstance(t, dict) and t["id"] == args.get("track")]
    return {"track": shown[0] if shown else track("x", "Unknown", "Nobody"),
            "reasons": ["by Daft Punk, one of your most played artists"]}  # fmt: skip


def _playback(args: Mapping[str, JSONValue]) -> Result:
    if args.get("action") == "devices":
        return {"ok": True, "devices": DEVICES}
    return {"ok": True, "message": "done"}


def _similar(args: Mapping[str, JSONValue]) -> Result:
    return {"seed": track("t1", "Get Lucky", "Daft Punk"), "tracks": RECOMMENDED[1:]}


def default_script() -> dict[str, Answer]:
    return {
        "recommend": {"tracks": RECOMMENDED, "cold_start": False},
        "search_catalog": {"tracks": SEARCHED},
        "similar_tracks": _similar,
        "create_playlist": _playlist,
        "get_listening_stats": STATS,
        "explain_recommendation": _explain,
        "playback_control": _playback,
    }


@dataclass
class Chat:
    """The chat loop in miniature: ask, run the calls from the script, ask again."""

    assistant: LocalAssistant
    script: dict[str, Answer] = field(default_factory=default_script)
    tools: Sequence[ToolSpec] = MUSIC_TOOLS
    messages: list[Message] = field(default_factory=lambda: [SYSTEM])
    calls: list[ToolCall] = field(default_factory=list)

    def say(self, text: str) -> str:
        """The assistant's final reply to `text`; the calls it made are in `turn_calls`."""
        self.messages.append(Message("user", text))
        self.turn_calls: list[ToolCall] = []
        for _ in range(5):
            request = ChatRequest(messages=tuple(self.messages), tools=tuple(self.tools))
            response = self.assistant.answer(request)
            if not response.tool_calls:
                self.messages.append(Message("assistant", response.text))
                return response.text
            self.messages.append(Message("assistant", response.text,
                                         tool_calls=response.tool_calls))  # fmt: skip
            for call in response.tool_calls:
                self.turn_calls.append(call)
                self.calls.append(call)
                self.messages.append(Message("tool", json.dumps(self._run(call)),
                                             tool_call_id=call.id, name=call.name))  # fmt: skip
        raise AssertionError("the assistant kept calling tools")

    def _run(self, call: ToolCall) -> Result:
        answer = self.script[call.name]
        return answer(call.arguments) if callable(answer) else answer
