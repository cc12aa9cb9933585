"""pytest fixtures; a test package's conftest.py imports them:

    from tests.fakes.spotify.fixtures import fake_spotify, fake_spotify_server  # noqa: F401

One server per session; every test gets it reset (default state, no faults, empty log).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.spotify.server import FakeSpotify, running_fake


@pytest.fixture(scope="session")
def fake_spotify_server() -> Iterator[FakeSpotify]:
    with running_fake() as fake:
        yield fake


@pytest.fixture
def fake_spotify(fake_spotify_server: FakeSpotify) -> Iterator[FakeSpotify]:
    fake_spotify_server.reset()
    yield fake_spotify_server
    fake_spotify_server.reset()
