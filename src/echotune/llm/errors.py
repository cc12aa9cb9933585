"""The LLM error tree. Adapters translate every vendor error into one of these.

LLMError
 ├── ProviderError            a provider failed; `retryable` says if another may succeed
 │    ├── ProviderRateLimited     429; carries retry_after seconds (None if not given)
 │    ├── ProviderTimeout         no answer (or no first token) in time
 │    ├── ProviderUnavailable     5xx, connection refused or dropped, circuit open
 │    ├── MalformedResponse       the answer could not be parsed (retryable)
 │    └── ProviderRejected        4xx other than 429: bad key, bad request (not retryable)
 ├── StreamInterrupted        a stream broke after its first token: not failed over
 ├── ContextTooLarge          no provider's context window fits the request
 ├── BudgetExceeded           a per-user or global daily budget is used up
 └── NoProviderAvailable      every candidate failed or is open; `attempts` lists why
"""

from __future__ import annotations


class LLMError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderError(LLMError):
    retryable = True

    def __init__(self, provider: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.status = status


class ProviderRateLimited(ProviderError):
    def __init__(
        self, provider: str, message: str, retry_after: float | None = None, status: int = 429
    ) -> None:
        super().__init__(provider, message, status)
        self.retry_after = retry_after


class ProviderTimeout(ProviderError):
    pass


class ProviderUnavailable(ProviderError):
    pass


class MalformedResponse(ProviderError):
    pass


class ProviderRejected(ProviderError):
    retryable = False


class StreamInterrupted(LLMError):
    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class ContextTooLarge(LLMError):
    pass


class BudgetExceeded(LLMError):
    def __init__(self, message: str, scope: str, retry_after: float) -> None:
        super().__init__(message)
        self.scope = scope  # "user" or "global"
        self.retry_after = retry_after  # seconds until the daily budget resets


class NoProviderAvailable(LLMError):
    def __init__(self, message: str, attempts: list[str]) -> None:
        super().__init__(message)
        self.attempts = attempts
