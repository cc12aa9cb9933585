"""Test doubles for the caches: a word-hashing embedder, a scripted provider, a clock."""

from __future__ import annotations

import re
import zlib
from collections.abc import AsyncIterator, Callable, Sequence

import numpy as np

from echotune.llm.embeddings import Vectors
from echotune.llm.provider import ProviderConfig
from echotune.llm.types import (
    ChatRequest,
    ChatResponse,
    Message,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
)

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "for",
        "my",
        "me",
        "some",
        "please",
        "to",
        "of",
        "i",
        "is",
        "it",
        "s",
        "what",
    ]
)


class WordsEmbedder:
    """Bag of content words, each hashed to a signed bucket: questions with the same
    content words (any order, case, punctuation or filler) embed identically, and ones
    sharing no content word are orthogonal or nearly so. Deterministic across runs."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                if word not in _STOP:
                    h = zlib.crc32(word.encode())
                    out[row, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


Answer = Callable[[ChatRequest], ChatResponse]


def echo(request: ChatRequest) -> ChatResponse:
    """Answers with the last message's text, so every answer says which question made it."""
    return ChatResponse(text=f"answer to: {request.messages[-1].content}", provider="inner")


class ScriptedProvider:
    """Answers with `answer(request)` and counts calls; streams the answer in two pieces."""

    def __init__(self, answer: Answer = echo, name: str = "inner") -> None:
        self._answer = answer
        self._config = ProviderConfig(name=name, kind="local", model="scripted")
        self.requests: list[ChatRequest] = []
        self.closed = False

    @property
    def config(self) -> ProviderConfig:
        return self._config

    @property
    def calls(self) -> int:
        return len(self.requests)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        return self._answer(request)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        response = self._answer(request)
        half = len(response.text) // 2
        for piece in (response.text[:half], response.text[half:]):
            if piece:
                yield TextDelta(piece)
        for call in response.tool_calls:
            yield ToolCallDelta(call)
        yield StreamEnd(response)

    async def aclose(self) -> None:
        self.closed = True


def ask(
    text: str,
    *,
    user: str | None = None,
    personal: bool = False,
    system: str = "You are a music assistant.",
    temperature: float = 0.3,
    history: Sequence[Message] = (),
) -> ChatRequest:
    messages = (Message("system", system), *history, Message("user", text))
    return ChatRequest(messages=messages, user_id=user, personal=personal, temperature=temperature)


async def collect(events: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in events]
