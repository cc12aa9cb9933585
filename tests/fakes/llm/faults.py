"""A fault script shared by the LLM fakes: what the next matching requests get instead
of (or on top of) a normal answer.

    faults.add(status=500)                                  # one 500
    faults.add(status=429, headers={"retry-after": "2"})   # one 429 with Retry-After
    faults.add(delay=5.0)                                   # answer after 5 s (a timeout)
    faults.add(malformed=True)                              # 200 with a body that is not JSON
    faults.add(cut_after_chunks=2)                          # a stream that stops mid-way
    faults.add(status=503, times=None)                      # every request, until cleared
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: object = None
    delay: float = 0.0
    malformed: bool = False
    cut_after_chunks: int | None = None  # streams: send this many events, then drop the connection
    times: int | None = 1
    hits: int = 0


@dataclass
class Faults:
    rules: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **kwargs: object) -> Fault:
        fault = Fault(**kwargs)  # type: ignore[arg-type]
        with self._lock:
            self.rules.append(fault)
        return fault

    def take(self) -> Fault | None:
        """The fault for this request, its use counted; None for a normal answer."""
        with self._lock:
            for fault in self.rules:
                if fault.times is None or fault.hits < fault.times:
                    fault.hits += 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
