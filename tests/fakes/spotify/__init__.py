"""A loopback fake of Spotify (accounts + Web API) that follows the official OpenAPI spec.

Start it with `running_fake()` or the `fake_spotify` pytest fixture (fixtures.py); arrange
data through `.state`, inject failures through `.faults`, and assert on `.log`.
"""

from tests.fakes.spotify.faults import FaultRule, Faults, WindowLimiter
from tests.fakes.spotify.log import LoggedRequest, RequestLog
from tests.fakes.spotify.server import FakeSpotify, running_fake
from tests.fakes.spotify.state import DEFAULT_USER_ID, FREE_USER_ID, FakeState
from tests.fakes.spotify.tokens import TokenPair, s256

__all__ = [
    "DEFAULT_USER_ID",
    "FREE_USER_ID",
    "FakeSpotify",
    "FakeState",
    "FaultRule",
    "Faults",
    "LoggedRequest",
    "RequestLog",
    "TokenPair",
    "WindowLimiter",
    "running_fake",
    "s256",
]
