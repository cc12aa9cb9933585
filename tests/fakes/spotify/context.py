"""What the fake's app shares with the test that drives it: state, faults, request log."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fakes.spotify.faults import Faults
from tests.fakes.spotify.log import RequestLog
from tests.fakes.spotify.state import FakeState


@dataclass
class FakeContext:
    state: FakeState = field(default_factory=FakeState)
    faults: Faults = field(init=False)
    log: RequestLog = field(default_factory=RequestLog)
    validate: bool = True  # the spec check; only a benchmark chasing speed turns it off

    def __post_init__(self) -> None:
        self.faults = Faults(self.state)

    def reset(self) -> None:
        """In place, so references a test already holds stay valid."""
        self.faults.clear()
        self.state.reset()
        self.log.clear()
        self.validate = True
