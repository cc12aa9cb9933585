"""A fake OpenAI Chat Completions server: POST /v1/chat/completions, answering JSON or
`text/event-stream` (`data: {chunk}` events, tool-call arguments split over several
chunks, a usage-only chunk when `stream_options.include_usage`, then `data: [DONE]`)."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.fakes.llm.script import Reply, count_words, next_id, split_arguments, split_text
from tests.fakes.llm.vendor import JSON, SSE, Answer, FakeVendor

_ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
                429: "requests"}


class FakeOpenAI(FakeVendor):
    path = "/v1/chat/completions"
    api_prefix = "/v1"

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
        code = "rate_limit_exceeded" if status == 429 else None
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}

    def last_user_text(self, body: dict[str, Any]) -> str:
        for message in reversed(body.get("messages", [])):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, list):
                    return " ".join(part.get("text", "") for part in content)
                return str(content or "")
        return ""

    def render(self, body: dict[str, Any], reply: Reply) -> Answer:
        headers = {"x-request-id": next_id("req_"), "openai-processing-ms": "12"}
        if body.get("stream") is True:
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return Answer(200, SSE, _stream(body, reply, include_usage), headers)
        return Answer(200, JSON, [json.dumps(_completion(body, reply)).encode()], headers)

    def malformed(self, stream: bool) -> Answer:
        if stream:
            return Answer(200, SSE, [b'data: {"id": "chatcmpl-broken", "choices": [\n\n'], {})
        return Answer(200, JSON, [b'{"id": "chatcmpl-broken", "choices": ['], {})


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    prompt = reply.input_tokens
    if prompt is None:
        prompt = count_words(*(str(m.get("content") or "") for m in body.get("messages", [])))
    completion = reply.output_token_count()
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 0,
                                      "rejected_prediction_tokens": 0},
    }


def _finish(reply: Reply) -> str:
    return reply.stop_reason or ("tool_calls" if reply.tool_calls else "stop")


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None,
                               "refusal": None, "annotations": []}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": call.id or next_id("call_"), "type": "function",
             "function": {"name": call.name, "arguments": call.arguments_text()}}
            for call in reply.tool_calls
        ]
    return {
        "id": next_id("chatcmpl-"), "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model", "gpt-fake"),
        "choices": [{"index": 0, "message": message, "logprobs": None,
                     "finish_reason": _finish(reply)}],
        "usage": _usage(body, reply), "service_tier": "default", "system_fingerprint": "fp_fake",
    }


def _stream(body: dict[str, Any], reply: Reply, include_usage: bool) -> list[bytes]:
    base = {"id": next_id("chatcmpl-"), "object": "chat.completion.chunk",
            "created": int(time.time()), "model": body.get("model", "gpt-fake"),
            "service_tier": "default", "system_fingerprint": "fp_fake"}
    if include_usage:
        base["usage"] = None

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**base, "choices": [choice]}

    chunks = [chunk({"role": "assistant", "content": "", "refusal": None})]
    chunks += [chunk({"content": piece}) for piece in split_text(reply.text)]
    for index, call in enumerate(reply.tool_calls):
        start = {"index": index, "id": call.id or next_id("call_"), "type": "function",
                 "function": {"name": call.name, "arguments": ""}}
        chunks.append(chunk({"tool_calls": [start]}))
        chunks += [chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]})
                   for part in split_arguments(call.arguments_text())]
    chunks.append(chunk({}, _finish(reply)))
    if include_usage:
        chunks.append({**base, "choices": [], "usage": _usage(body, reply)})
    events = [f"data: {json.dumps(c)}\n\n".encode() for c in chunks]
    return [*events, b"data: [DONE]\n\n"]
