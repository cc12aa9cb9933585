"""The exact-cache key: a digest of everything that shapes an answer, plus who may see it.

What goes in, canonicalised so that requests that mean the same hash the same:
- every message: its role, its text with whitespace runs collapsed to one space and the
  ends trimmed (case is kept: "AC/DC" and "ac/dc", or a track id, are not the same
  question), its tool calls (name and arguments), the tool it answers;
- tool call ids are replaced by their order of appearance (`#0`, `#1`, ...): vendors make
  them up at random, so two conversations identical in content would otherwise never meet;
- the offered tools: name, description and JSON schema (a new schema is a new question);
- temperature, max_tokens and the provider pin (a pinned request wants that provider's answer).
Policy, latency_critical and user_id (outside personal requests) do not change what a good
answer is, so they stay out and more requests share an entry.

The scope is the privacy boundary: `user:<id>` for personal requests (answers built on a
user's own data are served to that user only), `shared` otherwise. A personal request
without a user id has no safe scope and is never cached. The scope is hashed with the rest
and also kept readable at the front of the key, so one user's entries can be found and
dropped together.
"""

from __future__ import annotations

import hashlib
import json

from echotune.llm.types import ChatRequest, JSONValue, Message, ToolSpec

KEY_VERSION = "v1"  # bump when the canonical form changes: old entries then simply miss


def squash(text: str) -> str:
    """Whitespace runs (any Unicode whitespace) to one space, ends trimmed."""
    return " ".join(text.split())


def cache_scope(request: ChatRequest) -> str | None:
    """`user:<id>` for personal requests, `shared` otherwise; None when unsafe to cache."""
    if not request.personal:
        return "shared"
    if not request.user_id:
        return None
    return f"user:{request.user_id}"


def cacheable(request: ChatRequest, max_temperature: float | None) -> bool:
    """Whether a request may be served from, or stored in, a cache.

    Above `max_temperature` the caller asked for variety, which one stored answer would
    defeat for the whole TTL, so such requests bypass the caches (None: cache them all).
    """
    if max_temperature is not None and request.temperature > max_temperature:
        return False
    return cache_scope(request) is not None and bool(request.messages)


def exact_key(request: ChatRequest) -> str | None:
    """`<scope>:<sha256 hex>`, or None when the request has no safe scope."""
    scope = cache_scope(request)
    if scope is None:
        return None
    aliases: dict[str, str] = {}
    canonical: list[JSONValue] = [
        KEY_VERSION,
        scope,
        [_message(m, aliases) for m in request.messages],
        _tools(request.tools),
        round(request.temperature, 4),
        request.max_tokens,
        request.provider,
    ]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{scope}:{hashlib.sha256(text.encode()).hexdigest()}"


def _alias(call_id: str | None, aliases: dict[str, str]) -> str | None:
    if call_id is None:
        return None
    return aliases.setdefault(call_id, f"#{len(aliases)}")


def _message(message: Message, aliases: dict[str, str]) -> JSONValue:
    calls: list[JSONValue] = [
        [_alias(c.id, aliases), c.name, dict(c.arguments)] for c in message.tool_calls
    ]
    return [
        message.role,
        squash(message.content),
        calls,
        _alias(message.tool_call_id, aliases),
        message.name,
    ]


# The tool list is usually one constant tuple offered on every chat turn: remember its
# canonical form by identity (holding the tuple, so its id cannot be reused) instead of
# re-serialising seven JSON schemas per request.
_tools_memo: dict[int, tuple[tuple[ToolSpec, ...], str]] = {}
_TOOLS_MEMO_MAX = 64


def _tools(tools: tuple[ToolSpec, ...]) -> str:
    """A digest of the tool list (names, descriptions, schemas), in offered order."""
    if not tools:
        return ""
    memo = _tools_memo.get(id(tools))
    if memo is not None and memo[0] is tools:
        return memo[1]
    canonical = [[t.name, squash(t.description), dict(t.parameters)] for t in tools]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if len(_tools_memo) >= _TOOLS_MEMO_MAX:
        _tools_memo.clear()
    _tools_memo[id(tools)] = (tools, digest)
    return digest
