"""pytest fixtures for the fake Gemini; a test package's conftest.py imports them:

    from tests.fakes.llm.gemini_fixtures import fake_gemini, fake_gemini_server  # noqa: F401

One server per session; every test gets it reset (empty script, no faults, no requests,
any API key accepted). `fake_gemini.base_url` is the SDK's base_url.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.llm.gemini_app import FakeGemini
from tests.fakes.llm.server import serving


@pytest.fixture(scope="session")
def fake_gemini_server() -> Iterator[FakeGemini]:
    fake = FakeGemini()
    with serving(fake) as server:
        fake.base_url = server.base_url
        yield fake


@pytest.fixture
def fake_gemini(fake_gemini_server: FakeGemini) -> Iterator[FakeGemini]:
    fake_gemini_server.reset()
    yield fake_gemini_server
    fake_gemini_server.reset()
