"""The fake served by uvicorn on a free loopback port, in a background thread.

`running_fake()` is the entry point outside pytest (the benchmark); the pytest fixtures
in fixtures.py wrap the same `FakeSpotify` handle.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from tests.fakes.spotify.app import build_app
from tests.fakes.spotify.context import FakeContext
from tests.fakes.spotify.faults import Faults
from tests.fakes.spotify.log import RequestLog
from tests.fakes.spotify.state import DEFAULT_USER_ID, FakeState
from tests.fakes.spotify.tokens import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    TokenPair,
)
from tests.fakes.spotify.validate import relaxed_spec


class FakeSpotify:
    """A running fake: where it listens, and the handles a test arranges and inspects."""

    client_id = DEFAULT_CLIENT_ID
    client_secret = DEFAULT_CLIENT_SECRET
    redirect_uri = DEFAULT_REDIRECT_URI
    user_id = DEFAULT_USER_ID

    def __init__(self) -> None:
        self.ctx = FakeContext()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api_base = f"{self.base_url}/v1"
        self.accounts_base = self.base_url
        config = uvicorn.Config(
            build_app(self.ctx),
            log_config=None,
            lifespan="off",
            access_log=False,
            ws="none",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name="fake-spotify",
            daemon=True,
        )

    @property
    def state(self) -> FakeState:
        return self.ctx.state

    @property
    def faults(self) -> Faults:
        return self.ctx.faults

    @property
    def log(self) -> RequestLog:
        return self.ctx.log

    @property
    def validate(self) -> bool:
        return self.ctx.validate

    @validate.setter
    def validate(self, on: bool) -> None:
        self.ctx.validate = on

    def reset(self) -> None:
        self.ctx.reset()

    def issue_tokens(self, user_id: str = DEFAULT_USER_ID) -> TokenPair:
        return self.state.issue_tokens(user_id)

    def allow_redirect_uri(self, uri: str) -> None:
        """Register another callback for the default app (until the next reset)."""
        self.state.tokens.clients[self.client_id].redirect_uris.append(uri)

    def start(self) -> None:
        relaxed_spec()  # parse the spec now, not inside the first request's timeout
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake Spotify did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.ctx.faults.clear()  # wakes any delayed request, so shutdown does not wait on it
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


@contextmanager
def running_fake() -> Iterator[FakeSpotify]:
    fake = FakeSpotify()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
