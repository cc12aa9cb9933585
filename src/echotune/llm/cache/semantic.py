"""The semantic cache: a stored answer to a differently worded, same-meaning question.

Which requests qualify (anything else skips it, and is never embedded):
- not personal: an answer built on one user's data is never matched by meaning, not even
  for that user (the exact cache serves them);
- a single-turn question: system messages, then exactly one user message; no assistant
  turn, no tool call and no tool result anywhere, since earlier turns change what a
  question means and tool results carry data the embedding does not see;
- a question of at most `max_chars` characters (500): the embedder reads 128 word pieces,
  so two long texts that differ only past the cut would look identical.
Entries are kept apart by a context signature, a digest of the system messages, the
offered tool names and the provider pin, so setups with other instructions never mix.
Only plain text answers are stored (finish "stop", no tool calls): a tool call chosen for
one wording could carry arguments that do not fit another.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from typing import Protocol

from echotune.llm.cache.codec import decode_response, encode_response
from echotune.llm.cache.keys import squash
from echotune.llm.embeddings import Embedder, Vectors
from echotune.llm.types import ChatRequest, ChatResponse

DEFAULT_THRESHOLD = 0.92
DEFAULT_MAX_CHARS = 500


@dataclass(frozen=True)
class SemanticQuery:
    """What a qualifying request is matched on: its context signature and its question."""

    signature: str
    question: str


@dataclass(frozen=True)
class SemanticMatch:
    score: float
    value: bytes


class SemanticIndex(Protocol):
    """Recent (vector, value) entries per signature, each living `ttl` seconds."""

    async def search(
        self, signature: str, vector: Vectors, threshold: float
    ) -> SemanticMatch | None:
        """The most similar live entry of `signature` at or above `threshold`, if any."""
        ...

    async def add(self, signature: str, vector: Vectors, value: bytes, ttl: float) -> None: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class SemanticLookup:
    """One lookup's outcome; handed back to `remember` so a miss is not embedded twice."""

    query: SemanticQuery
    vector: Vectors
    hit: ChatResponse | None
    score: float | None


def semantic_query(
    request: ChatRequest, max_chars: int = DEFAULT_MAX_CHARS
) -> SemanticQuery | None:
    """The request's signature and question if it qualifies (module docstring), else None."""
    if request.personal:
        return None
    system: list[str] = []
    question: str | None = None
    for message in request.messages:
        if message.role == "system" and question is None:
            system.append(squash(message.content))
        elif message.role == "user" and question is None and not message.tool_calls:
            question = squash(message.content)
        else:
            return None
    if not question or len(question) > max_chars:
        return None
    context = [system, [t.name for t in request.tools], request.provider]
    text = json.dumps(context, separators=(",", ":"), ensure_ascii=False)
    return SemanticQuery(hashlib.sha256(text.encode()).hexdigest(), question)


def storable(response: ChatResponse) -> bool:
    """Only plain, complete text answers are matched by meaning."""
    return response.finish_reason == "stop" and not response.tool_calls and bool(response.text)


class SemanticCache:
    """Embeds qualifying questions and matches them against an index by cosine similarity.

    Embedding runs in a worker thread (`offload`), so a 10 ms model never stalls the
    event loop; a test double may run inline.
    """

    def __init__(
        self,
        embedder: Embedder,
        index: SemanticIndex,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        max_chars: int = DEFAULT_MAX_CHARS,
        offload: bool = True,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        self._embedder = embedder
        self._index = index
        self._threshold = threshold
        self._max_chars = max_chars
        self._offload = offload

    def query(self, request: ChatRequest) -> SemanticQuery | None:
        return semantic_query(request, self._max_chars)

    async def lookup(self, request: ChatRequest) -> SemanticLookup | None:
        """None if the request does not qualify; else the embedding and any hit."""
        query = self.query(request)
        if query is None:
            return None
        vector = await self._embed(query.question)
        match = await self._index.search(query.signature, vector, self._threshold)
        hit = decode_response(match.value) if match is not None else None
        return SemanticLookup(
            query, vector, hit, match.score if match is not None and hit is not None else None
        )

    async def remember(
        self,
        lookup: SemanticLookup,
        response: ChatResponse,
        ttl: float,
        encoded: bytes | None = None,
    ) -> bool:
        """Store a plain text answer under the looked-up question; False if not storable."""
        if ttl <= 0 or not storable(response):
            return False
        value = encoded if encoded is not None else encode_response(response)
        await self._index.add(lookup.query.signature, lookup.vector, value, ttl)
        return True

    async def aclose(self) -> None:
        await self._index.aclose()

    async def _embed(self, text: str) -> Vectors:
        if self._offload:
            rows = await asyncio.to_thread(self._embedder.embed, [text])
        else:
            rows = self._embedder.embed([text])
        vector: Vectors = rows[0]
        return vector
