"""Scripted faults: canned answers, delays, dropped connections, a rolling-window limiter.

Rules are checked in the order they were added; the first matching rule with uses left
acts. `times=None` keeps a rule forever. Bodies given to a rule are sent as they are (not
checked against the spec: a fault may be deliberately malformed).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from tests.fakes.spotify.log import path_matches
from tests.fakes.spotify.state import FakeState

STATUS_MESSAGES = {
    400: "Bad request",
    401: "Invalid access token",
    403: "Forbidden",
    404: "Service not found",
    429: "API rate limit exceeded",
    500: "Server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


def error_body(
    status: int, message: str | None = None, reason: str | None = None
) -> dict[str, object]:
    """Spotify's Web API error envelope."""
    error: dict[str, object] = {
        "status": status,
        "message": message or STATUS_MESSAGES.get(status, "Error"),
    }
    if reason is not None:
        error["reason"] = reason
    return {"error": error}


@dataclass
class FaultRule:
    path_glob: str
    method: str | None = None
    status: int | None = None  # None: after any delay, let the real handler answer
    headers: dict[str, str] = field(default_factory=dict)
    body: object = None  # dict/list -> JSON, str/bytes -> raw; None -> Spotify's error body
    times: int | None = 1
    delay: float = 0.0
    disconnect: bool = False
    after_processing: bool = False  # disconnect only after the handler changed the state
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return path_matches(self.path_glob, path)


class WindowLimiter:
    """N requests per rolling W seconds; beyond that 429 with the wait until a slot frees."""

    def __init__(self, limit: int, seconds: float, count_rejected: bool = False) -> None:
        self.limit, self.seconds, self.count_rejected = limit, seconds, count_rejected
        self.admitted: deque[float] = deque()
        self.rejected = 0
        self._lock = threading.Lock()

    def admit(self, now: float | None = None) -> int | None:
        """None when the request may pass, else the Retry-After in whole seconds (>= 1)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            while self.admitted and self.admitted[0] <= now - self.seconds:
                self.admitted.popleft()
            if len(self.admitted) < self.limit:
                self.admitted.append(now)
                return None
            self.rejected += 1
            # The slot that frees first is the one whose leaving brings us below the limit.
            frees_at = self.admitted[len(self.admitted) - self.limit] + self.seconds
            if self.count_rejected:
                self.admitted.append(now)
            return max(1, math.ceil(frees_at - now))


class Faults:
    def __init__(self, state: FakeState) -> None:
        self.rules: list[FaultRule] = []
        self.limiter: WindowLimiter | None = None
        self.audio_features_forbidden = False  # apps created after 2024-11-27 get 403
        self.recommendations_gone = False  # ... and 404 on /recommendations
        self.generation = 0  # bumped by clear(): sleeping delays give up early
        self._state = state
        self._lock = threading.Lock()

    def add(
        self,
        path_glob: str,
        method: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        body: object = None,
        times: int | None = 1,
        delay: float = 0.0,
        disconnect: bool = False,
        after_processing: bool = False,
    ) -> FaultRule:
        rule = FaultRule(
            path_glob,
            method,
            status,
            dict(headers or {}),
            body,
            times,
            delay,
            disconnect,
            after_processing,
        )
        with self._lock:
            self.rules.append(rule)
        return rule

    def rate_limit(
        self,
        path_glob: str = "/v1/*",
        retry_after: int = 1,
        times: int | None = 1,
        method: str | None = None,
    ) -> FaultRule:
        return self.add(path_glob, method, 429, {"Retry-After": str(retry_after)}, times=times)

    def delay(
        self,
        path_glob: str,
        seconds: float,
        method: str | None = None,
        times: int | None = 1,
        status: int | None = None,
    ) -> FaultRule:
        """Sleep (longer than the client's timeout), then answer normally or with `status`."""
        return self.add(path_glob, method, status, times=times, delay=seconds)

    def disconnect(
        self,
        path_glob: str,
        method: str | None = None,
        times: int | None = 1,
        after_processing: bool = False,
    ) -> FaultRule:
        """Close the connection without an answer (optionally after doing the work)."""
        return self.add(
            path_glob, method, times=times, disconnect=True, after_processing=after_processing
        )

    def window(
        self, limit: int, seconds: float = 30.0, count_rejected: bool = False
    ) -> WindowLimiter:
        self.limiter = WindowLimiter(limit, seconds, count_rejected)
        return self.limiter

    def expire_token(self, access_token: str) -> None:
        self._state.tokens.expire(access_token)

    def revoke_refresh(self, refresh_token: str) -> None:
        self._state.tokens.revoke(refresh_token)

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule that acts on this request, its use counted."""
        with self._lock:
            for rule in self.rules:
                if (rule.times is None or rule.hits < rule.times) and rule.matches(method, path):
                    rule.hits += 1
                    return rule
        return None

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.limiter = None
            self.audio_features_forbidden = False
            self.recommendations_gone = False
            self.generation += 1
