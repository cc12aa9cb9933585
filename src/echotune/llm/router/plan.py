"""Which providers a request may go to, in which order: the pinned one, or every provider
whose context window fits, ranked by the request's policy.

Token counts are estimated cheaply (4 characters a token, a flat allowance per tool and
tool call): good enough to skip a provider whose window is clearly too small, and to
estimate cost for ranking and budgets, without running a tokenizer on the hot path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from echotune.llm.errors import ContextTooLarge, ProviderRejected
from echotune.llm.router.breaker import BreakerState
from echotune.llm.router.policies import POLICIES
from echotune.llm.router.ranking import Rankings
from echotune.llm.router.slot import Slot
from echotune.llm.types import ChatRequest

EXPECTED_OUTPUT = 300  # tokens a chat answer usually takes: for cost and budget estimates
_CHARS_PER_TOKEN = 4
_TOOL_CHARS = 400  # a tool's JSON schema, roughly
_MESSAGE_CHARS = 16  # role and framing


def estimate_input_tokens(request: ChatRequest) -> int:
    chars = 0
    for message in request.messages:
        chars += len(message.content) + _MESSAGE_CHARS
        for call in message.tool_calls:
            chars += len(call.name) + len(repr(call.arguments))
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description) + _TOOL_CHARS
    return chars // _CHARS_PER_TOKEN


@dataclass(slots=True)
class Plan:
    candidates: tuple[Slot, ...]
    skipped: tuple[Slot, ...]  # context window too small; named when everything fails
    input_tokens: int
    output_tokens: int  # expected, not max_tokens

    def estimate(self) -> tuple[int, float]:
        """Tokens and USD the request will likely take on its first candidate."""
        tin, tout = self.input_tokens, self.output_tokens
        return tin + tout, self.candidates[0].config.cost(tin, tout)

    def skipped_reasons(self, max_tokens: int) -> list[str]:
        need = self.input_tokens + max_tokens
        return [
            f"{s.name}: context window {s.config.context_window} < ~{need} tokens needed"
            for s in self.skipped
        ]


def make_plan(
    request: ChatRequest, rankings: Rankings, by_name: Mapping[str, Slot], policy: str
) -> Plan:
    tokens_in = estimate_input_tokens(request)
    max_tokens = request.max_tokens
    tokens_out = min(EXPECTED_OUTPUT, max_tokens)
    need = tokens_in + request.max_tokens
    if request.provider is not None:
        return Plan((_pinned(request.provider, by_name, need),), (), tokens_in, tokens_out)
    chosen = request.policy or policy
    if chosen not in POLICIES:
        raise ProviderRejected("router", f"unknown policy {chosen!r}; one of {', '.join(POLICIES)}")
    order = rankings.order(chosen, tokens_in, tokens_out)
    if need <= rankings.smallest_window:  # the usual case: everyone fits
        return Plan(order, (), tokens_in, tokens_out)
    fitting = tuple(s for s in order if s.config.context_window >= need)
    if not fitting:
        widest = max(s.config.context_window for s in order)
        raise ContextTooLarge(
            f"the request needs about {need} tokens ({tokens_in} in, up to "
            f"{request.max_tokens} out); the largest context window is {widest}"
        )
    skipped = tuple(s for s in by_name.values() if s.config.context_window < need)
    return Plan(fitting, skipped, tokens_in, tokens_out)


def _pinned(name: str, by_name: Mapping[str, Slot], need: int) -> Slot:
    slot = by_name.get(name)
    if slot is None:
        known = ", ".join(by_name)
        raise ProviderRejected(name, f"no provider of that name is configured (have: {known})")
    if slot.config.context_window < need:
        raise ContextTooLarge(
            f"{name}: the request needs about {need} tokens; its context window is "
            f"{slot.config.context_window}"
        )
    if slot.breaker.state is BreakerState.OPEN:
        raise slot.open_error()
    return slot
