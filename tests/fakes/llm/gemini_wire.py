"""The scripted replies of the fake Gemini, the requests it records, and how both look
on Gemini's REST wire (camelCase JSON, one SSE `data:` event per stream chunk)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MODEL_VERSION = "gemini-fake-001"
_WORDS = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class FakeCall:
    """A functionCall part. Gemini's API usually sends no id; `thought_signature` is the
    raw signature (base64-encoded on the wire, as Gemini 3 sends it)."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    thought_signature: bytes | None = None

    def part(self) -> dict[str, Any]:
        call: dict[str, Any] = {"name": self.name, "args": self.args}
        if self.id is not None:
            call["id"] = self.id
        part: dict[str, Any] = {"functionCall": call}
        if self.thought_signature is not None:
            part["thoughtSignature"] = base64.b64encode(self.thought_signature).decode()
        return part


@dataclass(frozen=True)
class FakeReply:
    """One scripted answer. `chunks` is how the text streams (default: two words a
    chunk); the calls come in the last chunk. `finish_reason=None` leaves it out, as a
    truncated stream would; `block_reason` answers with promptFeedback and no candidate."""

    text: str = ""
    calls: tuple[FakeCall, ...] = ()
    finish_reason: str | None = "STOP"
    chunks: tuple[str, ...] | None = None
    usage: tuple[int, int] | None = None  # (prompt, candidates) tokens; default estimated
    thoughts_tokens: int = 0
    model_version: str = DEFAULT_MODEL_VERSION
    block_reason: str | None = None

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return list(self.chunks)
        words = _WORDS.findall(self.text)
        return ["".join(words[i : i + 2]) for i in range(0, len(words), 2)]


@dataclass
class GeminiRequest:
    """One request as the fake saw it; `body` is the parsed JSON (None if unparsable)."""

    path: str
    version: str
    model: str
    method: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any

    @property
    def stream(self) -> bool:
        return self.method == "streamGenerateContent"

    @property
    def api_key(self) -> str | None:
        return self.headers.get("x-goog-api-key")

    @property
    def contents(self) -> list[dict[str, Any]]:
        return list(self.body.get("contents", [])) if isinstance(self.body, dict) else []

    @property
    def system_text(self) -> str:
        system = self.body.get("systemInstruction") if isinstance(self.body, dict) else None
        parts = system.get("parts", []) if isinstance(system, dict) else []
        return "".join(part.get("text", "") for part in parts)

    def last_user_text(self) -> str:
        for content in reversed(self.contents):
            texts = [p["text"] for p in content.get("parts", []) if "text" in p]
            if content.get("role") == "user" and texts:
                return "".join(texts)
        return ""


def error_body(status: int, message: str) -> dict[str, Any]:
    """Google's error object (google.rpc.Status as JSON)."""
    names = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
        504: "DEADLINE_EXCEEDED",
    }
    return {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}


def render_chunks(reply: FakeReply, prompt_tokens: int) -> list[dict[str, Any]]:
    """The stream's chunks: text pieces, then the calls; the last one carries the finish
    reason and the full usage (earlier ones count the prompt only, as Gemini does)."""
    response_id = uuid.uuid4().hex[:12]
    if reply.block_reason is not None:
        return [_blocked(reply, prompt_tokens, response_id)]
    parts = [[{"text": piece}] for piece in reply.pieces()]
    if reply.calls:
        parts.append([call.part() for call in reply.calls])
    if not parts:
        parts = [[{"text": ""}]]
    chunks = []
    for index, chunk_parts in enumerate(parts):
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": chunk_parts}, "index": 0}
        usage = {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens}
        if index == len(parts) - 1:
            if reply.finish_reason is not None:
                candidate["finishReason"] = reply.finish_reason
            usage = _usage(reply, prompt_tokens)
        chunks.append(
            {
                "candidates": [candidate],
                "usageMetadata": usage,
                "modelVersion": reply.model_version,
                "responseId": response_id,
            }
        )
    return chunks


def render_response(reply: FakeReply, prompt_tokens: int) -> dict[str, Any]:
    """The whole answer of generateContent: every chunk's parts in one candidate."""
    chunks = render_chunks(reply, prompt_tokens)
    whole = chunks[-1]
    if "candidates" in whole:
        parts = [part for chunk in chunks for part in chunk["candidates"][0]["content"]["parts"]]
        whole["candidates"][0]["content"]["parts"] = parts
    return whole


def sse(chunk: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(chunk)}\r\n\r\n".encode()


def _usage(reply: FakeReply, prompt_tokens: int) -> dict[str, int]:
    if reply.usage is not None:
        prompt_tokens, output = reply.usage
    else:
        output = max(1, len(reply.text) // 4) + 5 * len(reply.calls)
    usage = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": output,
        "totalTokenCount": prompt_tokens + output + reply.thoughts_tokens,
    }
    if reply.thoughts_tokens:
        usage["thoughtsTokenCount"] = reply.thoughts_tokens
    return usage


def _blocked(reply: FakeReply, prompt_tokens: int, response_id: str) -> dict[str, Any]:
    return {
        "promptFeedback": {"blockReason": reply.block_reason},
        "usageMetadata": {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens},
        "modelVersion": reply.model_version,
        "responseId": response_id,
    }
