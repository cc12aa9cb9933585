"""Translate what the google-genai SDK raises into the `echotune.llm.errors` tree.

The SDK raises `google.genai.errors.ClientError` (4xx) and `ServerError` (5xx), both
`APIError` with `.code` and the `httpx2.Response`; transport failures surface as the
HTTP client's own exceptions (httpx2 by default, httpx when GOOGLE_GENAI_HTTP_CLIENT
says so); a body that is not JSON, or not the expected shape, as a `ValueError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx
import httpx2
from google.genai import errors as genai_errors

from echotune.llm.errors import (
    MalformedResponse,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from echotune.llm.providers.common import retry_after as header_retry_after
from echotune.llm.providers.common import scrub

# Everything the SDK call may raise that is the provider's failure, not our bug.
# OSError and TimeoutError catch a transport the SDK may pick when aiohttp is installed.
SDK_ERRORS: tuple[type[BaseException], ...] = (
    genai_errors.APIError,
    httpx2.HTTPError,
    httpx.HTTPError,
    ValueError,
    OSError,
    TimeoutError,
)

_TIMEOUTS = (httpx2.TimeoutException, httpx.TimeoutException, TimeoutError)
_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def translate(provider: str, exc: BaseException, secret: str | None = None) -> ProviderError:
    """The error of our tree that `exc`, raised by the SDK, means. `secret` (the API
    key) is scrubbed from any text taken from the exception."""
    if isinstance(exc, genai_errors.APIError):
        return _from_status(provider, exc, secret)
    kind = type(exc).__name__
    if isinstance(exc, _TIMEOUTS):
        return ProviderTimeout(provider, f"no answer in time ({kind})")
    if isinstance(exc, ValueError):
        return MalformedResponse(provider, f"unreadable answer: {scrub(str(exc), secret)}")
    return ProviderUnavailable(provider, f"connection failed: {kind}: {scrub(str(exc), secret)}")


def _from_status(provider: str, exc: genai_errors.APIError, secret: str | None) -> ProviderError:
    code = exc.code if isinstance(exc.code, int) else 0
    status = f" {exc.status}" if exc.status else ""
    message = f"{code}{status}: {scrub(exc.message or str(exc), secret)}"
    if code == 429:
        return ProviderRateLimited(provider, message, retry_after=retry_after(exc))
    if code == 408:
        return ProviderTimeout(provider, message, status=code)
    if 400 <= code < 500:
        return ProviderRejected(provider, message, status=code)
    # 5xx, and an error object streamed inside a 200 answer without a usable code.
    return ProviderUnavailable(provider, message, status=code or None)


def retry_after(exc: genai_errors.APIError) -> float | None:
    """Seconds to wait: the Retry-After header, else Google's RetryInfo error detail."""
    headers = getattr(exc.response, "headers", None)
    seconds = header_retry_after(headers) if isinstance(headers, Mapping) else None
    return seconds if seconds is not None else _retry_info(exc.details)


def _retry_info(details: object) -> float | None:
    error = details.get("error", details) if isinstance(details, Mapping) else None
    entries = error.get("details") if isinstance(error, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        delay = entry.get("retryDelay") if isinstance(entry, Mapping) else None
        match = _DELAY.match(delay) if isinstance(delay, str) else None
        if match:
            return float(match.group(1))
    return None
