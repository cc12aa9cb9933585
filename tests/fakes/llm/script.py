"""The fakes' scripted "brain": queued replies first, an echo of the last user text after.

    fake.script.say("Here are three upbeat tracks.")
    fake.script.call_tool("recommend", {"mood": "upbeat", "limit": 3})
    fake.script.reply("Two at once", tool_calls=[ScriptedCall("a", {}), ScriptedCall("b", {})])
    fake.script.call_tool("search_catalog", raw_arguments='{"query": ')   # broken JSON

Every vendor fake renders the same `Reply` in its own wire format.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


@dataclass(frozen=True)
class ScriptedCall:
    """A tool call the fake model makes. `raw_arguments` is sent verbatim instead of the
    JSON of `arguments` (to script a model that writes broken JSON)."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None
    raw_arguments: str | None = None

    def arguments_text(self) -> str:
        if self.raw_arguments is not None:
            return self.raw_arguments
        return json.dumps(dict(self.arguments))


@dataclass(frozen=True)
class Reply:
    """One answer. Token counts default to a word count of the request and the reply;
    `stop_reason` overrides the vendor's finish reason (e.g. "length" / "max_tokens")."""

    text: str = ""
    tool_calls: tuple[ScriptedCall, ...] = ()
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop_reason: str | None = None

    def output_token_count(self) -> int:
        if self.output_tokens is not None:
            return self.output_tokens
        words = len(self.text.split())
        return words + sum(len(call.arguments_text()) // 4 + 1 for call in self.tool_calls)


def split_text(text: str) -> list[str]:
    """Streamed text arrives word by word, spaces kept, so the pieces join back exactly."""
    pieces: list[str] = []
    for word in text.split(" "):
        if pieces:
            pieces.append(" " + word)
        else:
            pieces.append(word)
    return [piece for piece in pieces if piece]


def split_arguments(text: str, parts: int = 3) -> list[str]:
    """Tool-call arguments streamed over several chunks, as the vendors do."""
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class Script:
    def __init__(self) -> None:
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()

    def reply(
        self,
        text: str = "",
        tool_calls: Iterable[ScriptedCall] = (),
        *,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        stop_reason: str | None = None,
    ) -> Reply:
        """Queue one reply; replies are used in order, one per request."""
        reply = Reply(text, tuple(tool_calls), input_tokens, output_tokens, stop_reason)
        with self._lock:
            self._queue.append(reply)
        return reply

    def say(self, text: str) -> Reply:
        return self.reply(text)

    def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        *,
        id: str | None = None,
        raw_arguments: str | None = None,
        text: str = "",
    ) -> Reply:
        call = ScriptedCall(name, dict(arguments or {}), id, raw_arguments)
        return self.reply(text, [call])

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def next(self, last_user_text: str) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return Reply(f"echo: {last_user_text}")

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()


def count_words(*texts: str) -> int:
    return sum(len(text.split()) for text in texts)
