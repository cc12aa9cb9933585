"""Fixtures of the vendor fakes, one session server each."""

from tests.fakes.llm.fixtures import (  # noqa: F401
    fake_anthropic,
    fake_anthropic_server,
    fake_openai,
    fake_openai_server,
)
from tests.fakes.llm.gemini_fixtures import fake_gemini, fake_gemini_server  # noqa: F401
