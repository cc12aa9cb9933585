"""pytest fixtures for the OpenAI and Anthropic fakes; a test package's conftest.py imports:

    from tests.fakes.llm.fixtures import (  # noqa: F401
        fake_anthropic, fake_anthropic_server, fake_openai, fake_openai_server,
    )

One loopback server per vendor per session; every test gets it reset (no queued replies,
no faults, no recorded requests). The handle: `.base_url` (what the SDK's base_url takes),
`.script` (queue replies), `.faults` (inject failures), `.requests` / `.last_request`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest

from tests.fakes.llm.anthropic_app import FakeAnthropic
from tests.fakes.llm.openai_app import FakeOpenAI
from tests.fakes.llm.server import serving
from tests.fakes.llm.vendor import FakeVendor

V = TypeVar("V", bound=FakeVendor)


def _serve(fake: V) -> Iterator[V]:
    with serving(fake) as server:
        fake.server_url = server.base_url
        yield fake


def _fresh(fake: V) -> Iterator[V]:
    fake.reset()
    yield fake
    fake.reset()


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    yield from _serve(FakeOpenAI())


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    yield from _fresh(fake_openai_server)


@pytest.fixture(scope="session")
def fake_anthropic_server() -> Iterator[FakeAnthropic]:
    yield from _serve(FakeAnthropic())


@pytest.fixture
def fake_anthropic(fake_anthropic_server: FakeAnthropic) -> Iterator[FakeAnthropic]:
    yield from _fresh(fake_anthropic_server)
