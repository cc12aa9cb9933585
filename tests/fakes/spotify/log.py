"""The fake's request log: what came in, with which token, when, and what it answered."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from fnmatch import fnmatchcase


def path_matches(glob: str, path: str) -> bool:
    """A glob matches the full path, or the path without /v1 ("/me/*" hits /v1/me/tracks)."""
    if fnmatchcase(path, glob):
        return True
    return path.startswith("/v1/") and fnmatchcase(path[3:], glob)


@dataclass
class LoggedRequest:
    method: str
    path: str
    params: dict[str, str]
    token: str | None
    time: float  # time.monotonic() when the request arrived
    status: int | None = None  # None: no response (disconnect fault, or still running)
    fault: str | None = None  # "window", "rule", "disconnect", "delay" when a fault acted


@dataclass
class RequestLog:
    entries: list[LoggedRequest] = field(default_factory=list)
    spec_errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: LoggedRequest) -> LoggedRequest:
        with self._lock:
            self.entries.append(entry)
        return entry

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.spec_errors.clear()

    def find(
        self, path_glob: str = "*", method: str | None = None, status: int | None = None
    ) -> list[LoggedRequest]:
        with self._lock:
            entries = list(self.entries)
        return [
            e
            for e in entries
            if path_matches(path_glob, e.path)
            and (method is None or e.method == method.upper())
            and (status is None or e.status == status)
        ]

    def count(
        self, path_glob: str = "*", method: str | None = None, status: int | None = None
    ) -> int:
        return len(self.find(path_glob, method, status))

    def statuses(self, path_glob: str = "*", method: str | None = None) -> list[int | None]:
        return [e.status for e in self.find(path_glob, method)]

    def __len__(self) -> int:
        return len(self.entries)
