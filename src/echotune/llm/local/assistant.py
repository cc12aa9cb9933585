"""The offline assistant as a Provider: it reads the conversation like a
tool-calling model does. After a user message it answers with tool calls (or
a question back); once the tool results are in, with a follow-up call or the
reply written from them. No network, no model download, a few milliseconds.

Token counts are words (close enough for budgets and metrics); the price is 0.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence

from echotune.llm.embeddings import Embedder
from echotune.llm.errors import LLMError, ProviderUnavailable
from echotune.llm.local.compose import compose
from echotune.llm.local.followup import follow_up
from echotune.llm.local.history import ToolResult, read_history, results
from echotune.llm.local.intents import Intents
from echotune.llm.local.plan import Decision, Plan, Say, Step
from echotune.llm.local.replies import abilities
from echotune.llm.local.semantic import PhraseMatcher
from echotune.llm.local.vocabulary import Lexicon, Vocabulary
from echotune.llm.provider import ProviderConfig
from echotune.llm.types import (
    ChatRequest,
    ChatResponse,
    Message,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
    Usage,
)


class LocalAssistant:
    def __init__(
        self,
        config: ProviderConfig,
        vocabulary: Vocabulary | None = None,
        *,
        embedder: Embedder | None = None,
    ) -> None:
        self._config = config
        self._intents = Intents(Lexicon(vocabulary or Vocabulary()))
        self._phrases = PhraseMatcher(embedder) if embedder is not None else None

    @property
    def config(self) -> ProviderConfig:
        return self._config

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return self.answer(request)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        response = self.answer(request)
        for call in response.tool_calls:
            yield ToolCallDelta(call)
        for line in response.text.splitlines(keepends=True):
            yield TextDelta(line)
        yield StreamEnd(response)

    async def aclose(self) -> None:
        return None

    def warm_up(self) -> None:
        """Embed the example phrasings now (at startup) rather than on the first rule miss."""
        if self._phrases is not None:
            self._phrases.warm_up()

    def answer(self, request: ChatRequest) -> ChatResponse:
        """The whole turn, synchronously (it never waits on anything)."""
        try:
            text, calls = self._turn(request.messages, {t.name: t for t in request.tools})
        except LLMError:
            raise
        except Exception as exc:  # a bug here must still look like a provider failure
            raise ProviderUnavailable(
                self._config.name, f"offline assistant failed: {exc!r}"
            ) from exc
        usage = Usage(_words_in(request.messages), _words(text) + _words_of_calls(calls))
        return ChatResponse(
            text=text, tool_calls=calls, usage=usage, provider=self._config.name,
            model=self._config.model, finish_reason="tool_calls" if calls else "stop",
        )  # fmt: skip

    def _turn(
        self, messages: Sequence[Message], offered: Mapping[str, ToolSpec]
    ) -> tuple[str, tuple[ToolCall, ...]]:
        user_at = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
        user_text = messages[user_at].content if user_at >= 0 else ""
        before, since = messages[: max(user_at, 0)], messages[user_at + 1 :]
        done = [result for _, result in results(since)]
        if not done:
            return self._act(self._decide(user_text, before, offered), offered, len(messages))
        rounds = sum(1 for m in since if m.role == "assistant" and m.tool_calls)
        decision = None
        if rounds == 1:  # only rule-made plans have a second step: no need to embed again
            decision = self._intents.decide(user_text, read_history(before), offered)
        if isinstance(decision, Plan):
            step = follow_up(decision, done)
            if step is not None and step.tool in offered:
                return "", (self._call(step, offered, len(messages), 0),)
        names = read_history(messages).known
        return compose(done, names) + _missed_device(decision, done), ()

    def _decide(
        self, text: str, before: Sequence[Message], offered: Mapping[str, ToolSpec]
    ) -> Decision:
        history = read_history(before)
        decision = self._intents.decide(text, history, offered)
        if decision is None and self._phrases is not None:
            canonical = self._phrases.canonical(text)
            if canonical is not None:
                decision = self._intents.decide(canonical, history, offered)
        return decision or self._intents.last_resort(text, offered)

    def _act(
        self, decision: Decision, offered: Mapping[str, ToolSpec], at: int
    ) -> tuple[str, tuple[ToolCall, ...]]:
        if isinstance(decision, Say):
            return decision.text, ()
        if not all(step.tool in offered for step in decision.steps):
            return f"I can't do that in this chat. {abilities(offered)}", ()
        calls = tuple(self._call(s, offered, at, i) for i, s in enumerate(decision.steps))
        return "", calls

    def _call(self, step: Step, offered: Mapping[str, ToolSpec], at: int, index: int) -> ToolCall:
        """Arguments the offered schema does not list are left out, as a model would."""
        properties = offered[step.tool].parameters.get("properties")
        args = dict(step.arguments)
        if isinstance(properties, dict):
            args = {k: v for k, v in args.items() if k in properties}
        return ToolCall(f"local_{at}_{index}", step.tool, args)


def _missed_device(decision: Decision | None, done: Sequence[ToolResult]) -> str:
    if not isinstance(decision, Plan) or decision.then != "transfer" or len(done) != 1:
        return ""
    if done[0].error is not None:
        return ""
    return f"\n\nI couldn't find a device called “{decision.target}”."


def _words(text: str) -> int:
    return len(text.split())


def _words_of_calls(calls: Sequence[ToolCall]) -> int:
    return sum(1 + _words(json.dumps(dict(c.arguments))) for c in calls)


def _words_in(messages: Sequence[Message]) -> int:
    return sum(_words(m.content) + _words_of_calls(m.tool_calls) for m in messages)
