"""A fake Anthropic Messages server: POST /v1/messages, answering JSON or SSE with
`event:`/`data:` lines in Anthropic's order (message_start, content_block_start / ping /
content_block_delta (text_delta, input_json_delta) / content_block_stop, message_delta
with the cumulative usage, message_stop)."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.llm.script import Reply, count_words, next_id, split_arguments, split_text
from tests.fakes.llm.vendor import JSON, SSE, Answer, FakeVendor

_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}
_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


class FakeAnthropic(FakeVendor):
    path = "/v1/messages"
    api_prefix = ""

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        kind = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return {"type": "error", "error": {"type": kind, "message": message},
                "request_id": next_id("req_")}

    def last_user_text(self, body: dict[str, Any]) -> str:
        for message in reversed(body.get("messages", [])):
            if message.get("role") != "user":
                continue
            content = message.get("content")
            if isinstance(content, str):
                return content
            texts = [b.get("text", "") for b in content or [] if b.get("type") == "text"]
            if texts:
                return " ".join(texts)
        return ""

    def render(self, body: dict[str, Any], reply: Reply) -> Answer:
        headers = {"request-id": next_id("req_"), "anthropic-organization-id": "org-fake"}
        message = _message(body, reply)
        if body.get("stream") is True:
            return Answer(200, SSE, _stream(message, reply), headers)
        return Answer(200, JSON, [json.dumps(message).encode()], headers)

    def malformed(self, stream: bool) -> Answer:
        if stream:
            return Answer(200, SSE, [b'event: message_start\ndata: {"type": "message_start", \n\n'],
                          {})
        return Answer(200, JSON, [b'{"id": "msg_broken", "content": ['], {})


def _input_tokens(body: dict[str, Any]) -> int:
    texts = [body["system"]] if isinstance(body.get("system"), str) else []
    for message in body.get("messages", []):
        content = message.get("content")
        texts.append(content if isinstance(content, str) else json.dumps(content))
    return count_words(*texts)


def _message(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    for call in reply.tool_calls:
        # A JSON answer carries parsed input; only a stream can carry `raw_arguments`.
        content.append({"type": "tool_use", "id": call.id or next_id("toolu_"),
                        "name": call.name, "input": dict(call.arguments)})
    default_stop = "tool_use" if reply.tool_calls else "end_turn"
    stop = _STOP.get(reply.stop_reason or "", reply.stop_reason) or default_stop
    input_tokens = reply.input_tokens if reply.input_tokens is not None else _input_tokens(body)
    return {
        "id": next_id("msg_"), "type": "message", "role": "assistant",
        "model": body.get("model", "claude-fake"), "content": content,
        "stop_reason": stop, "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": reply.output_token_count(),
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                  "service_tier": "standard"},
    }


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()


def _stream(message: dict[str, Any], reply: Reply) -> list[bytes]:
    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None,
             "usage": {**usage, "output_tokens": 1}}
    events = [_event("message_start", {"message": start})]
    calls = iter(reply.tool_calls)
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            events.append(_event("content_block_start",
                                 {"index": index, "content_block": {"type": "text", "text": ""}}))
            if index == 0:
                events.append(_event("ping", {}))
            events += [_event("content_block_delta",
                              {"index": index, "delta": {"type": "text_delta", "text": piece}})
                       for piece in split_text(block["text"])]
        else:
            events.append(_event("content_block_start",
                                 {"index": index, "content_block": {**block, "input": {}}}))
            raw = next(calls).arguments_text()
            events += [_event("content_block_delta",
                              {"index": index,
                               "delta": {"type": "input_json_delta", "partial_json": part}})
                       for part in ["", *split_arguments(raw)]]
        events.append(_event("content_block_stop", {"index": index}))
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    events.append(_event("message_delta",
                         {"delta": delta, "usage": {"output_tokens": usage["output_tokens"]}}))
    events.append(_event("message_stop", {}))
    return events
