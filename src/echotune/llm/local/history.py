"""What the conversation so far tells the assistant: the tracks tool results
showed, the latest list and the latest single track in focus, the last
playlist request, and its own last reply (to pick up an open question).

Only tool results are read for tracks, so every track named later is real.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from echotune.llm.types import JSONValue, Message, ToolCall

Data = Mapping[str, JSONValue]


@dataclass(frozen=True)
class TrackRef:
    id: str
    name: str
    artist: str

    @property
    def label(self) -> str:
        """For numbered lists: "Title — Artist"."""
        return f"{self.name} — {self.artist}" if self.artist else self.name

    @property
    def spoken(self) -> str:
        """Inside a sentence: "Title by Artist" (a dash there would read as a track line)."""
        return f"{self.name} by {self.artist}" if self.artist else self.name


@dataclass(frozen=True)
class ToolResult:
    call: ToolCall
    data: Data  # the parsed tool message; {"error": ...} when it could not be read

    @property
    def error(self) -> str | None:
        value = self.data.get("error")
        return str(value) if value is not None else None


@dataclass
class History:
    known: dict[str, TrackRef] = field(default_factory=dict)
    last_list: list[TrackRef] = field(default_factory=list)
    list_at: int = -1
    focus: TrackRef | None = None
    focus_at: int = -1
    playlist_args: Data | None = None
    last_reply: str = ""
    previous_user: str = ""

    def by_name(self, text: str) -> TrackRef | None:
        """The most recently shown track called `text` ("Title" or "Title by Artist")."""
        wanted = " ".join(text.lower().split())
        for ref in reversed(self.known.values()):
            name = ref.name.lower()
            if wanted in (name, f"{name} by {ref.artist.lower()}", ref.label.lower()):
                return ref
        return None


def track_of(value: JSONValue) -> TrackRef | None:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return None
    return TrackRef(str(value["id"]), str(value.get("name") or value["id"]),
                    str(value.get("artist") or ""))  # fmt: skip


def tracks_of(data: Data) -> list[TrackRef] | None:
    """The list of tracks a result shows (`tracks` or a playlist's), or None."""
    value = data.get("tracks")
    playlist = data.get("playlist")
    if value is None and isinstance(playlist, dict):
        value = playlist.get("tracks")
    if not isinstance(value, list):
        return None
    return [ref for ref in map(track_of, value) if ref is not None]


def parse_result(call: ToolCall, content: str) -> ToolResult:
    try:
        data = json.loads(content) if content.strip() else {}
    except ValueError:
        return ToolResult(call, {"error": "the tool answered with something I could not read"})
    if not isinstance(data, dict):
        data = {"error": "the tool answered with something I could not read"}
    return ToolResult(call, data)


def results(messages: Sequence[Message]) -> list[tuple[int, ToolResult]]:
    """Every tool result with its message position, paired with the call it answers."""
    calls: dict[str, ToolCall] = {}
    out: list[tuple[int, ToolResult]] = []
    for at, message in enumerate(messages):
        for call in message.tool_calls:
            calls[call.id] = call
        if message.role == "tool":
            call_id = message.tool_call_id or ""
            call = calls.get(call_id) or ToolCall(call_id, message.name or "", {})
            out.append((at, parse_result(call, message.content)))
    return out


def read_history(messages: Sequence[Message]) -> History:
    """The context from the messages before the user's current one."""
    history = History()
    for at, result in results(messages):
        _absorb(history, at, result)
    for message in reversed(messages):
        if message.role == "user":
            history.previous_user = message.content if history.last_reply else ""
            break
        if message.role == "assistant" and message.content and not history.last_reply:
            history.last_reply = message.content
    return history


def _absorb(history: History, at: int, result: ToolResult) -> None:
    if result.error:
        return
    call, data = result.call, result.data
    listed = tracks_of(data) or []
    for ref in listed + [r for r in map(track_of, (data.get("seed"), data.get("track"))) if r]:
        history.known.pop(ref.id, None)  # re-insert: the dict order is recency
        history.known[ref.id] = ref
    if call.name == "create_playlist":
        history.playlist_args = dict(call.arguments)
    if listed:
        history.last_list, history.list_at = listed, at
    single = track_of(data.get("track"))
    ids = call.arguments.get("track_ids")
    if single is None and call.name == "playback_control" and isinstance(ids, list):
        single = history.known.get(str(ids[0])) if len(ids) == 1 else None
    if single is not None:
        history.focus, history.focus_at = single, at
