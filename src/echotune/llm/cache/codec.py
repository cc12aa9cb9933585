"""ChatResponse <-> bytes for the caches: a compact JSON array, read back into our types.

Positional, not keyed, to keep entries small; the leading version number lets a later
layout tell old entries apart (an unknown version decodes to None: a miss, not an error).
`cached` is not stored: whoever serves an entry sets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast, get_args

import msgspec

from echotune.llm.types import ChatResponse, FinishReason, JSONValue, ToolCall, Usage

_VERSION = 1
_FINISH: frozenset[str] = frozenset(get_args(FinishReason))
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def encode_response(response: ChatResponse) -> bytes:
    calls = [[c.id, c.name, dict(c.arguments)] for c in response.tool_calls]
    return _encoder.encode(
        [
            _VERSION,
            response.text,
            calls,
            response.usage.input_tokens,
            response.usage.output_tokens,
            response.provider,
            response.model,
            response.finish_reason,
        ]
    )


def decode_response(data: bytes, *, cached: bool = True) -> ChatResponse | None:
    """The stored response, or None if `data` is not an entry this version wrote."""
    try:
        raw = _decoder.decode(data)
    except msgspec.DecodeError:
        return None
    if not isinstance(raw, list) or len(raw) != 8 or raw[0] != _VERSION:
        return None
    _, text, calls, tokens_in, tokens_out, provider, model, finish = raw
    if finish not in _FINISH:
        return None
    return ChatResponse(
        text=text,
        tool_calls=tuple(
            ToolCall(id=c[0], name=c[1], arguments=cast(Mapping[str, JSONValue], c[2]))
            for c in calls
        ),
        usage=Usage(input_tokens=tokens_in, output_tokens=tokens_out),
        provider=provider,
        model=model,
        finish_reason=cast(FinishReason, finish),
        cached=cached,
    )
