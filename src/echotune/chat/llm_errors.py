"""LLM errors as EchoTune errors, so the API answers 400/429/502 with a clear message."""

from __future__ import annotations

from echotune.errors import EchotuneError, InvalidInput, RateLimited, UpstreamError
from echotune.llm.errors import (
    BudgetExceeded,
    ContextTooLarge,
    LLMError,
    NoProviderAvailable,
    ProviderRateLimited,
    ProviderRejected,
    StreamInterrupted,
)


def translate(exc: LLMError) -> EchotuneError:
    if isinstance(exc, BudgetExceeded):
        return RateLimited(exc.message, exc.retry_after)
    if isinstance(exc, ContextTooLarge):
        return InvalidInput(f"{exc.message}; start a new conversation")
    if isinstance(exc, ProviderRejected) and exc.status is None:
        # Raised by the router itself: the request named an unknown provider or policy.
        return InvalidInput(exc.message)
    if isinstance(exc, ProviderRateLimited):
        return RateLimited(exc.message, exc.retry_after or 1.0)
    if isinstance(exc, NoProviderAvailable):
        tried = "; ".join(exc.attempts) or "none configured"
        return UpstreamError(f"No language model could answer ({tried})")
    if isinstance(exc, StreamInterrupted):
        return UpstreamError(
            f"{exc.message}. The answer stopped part-way; it was not continued by another "
            "model. Ask again."
        )
    return UpstreamError(exc.message)
