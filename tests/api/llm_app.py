"""An EchoTune app whose language models are the loopback vendor fakes."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from echotune.settings import LLMSettings, ProviderSettings, Settings
from tests.fakes.llm.anthropic_app import FakeAnthropic
from tests.fakes.llm.openai_app import FakeOpenAI

SECRET = "test-secret-key-not-a-placeholder"
OPENAI_KEY = "sk-test-openai-key-0123456789"
ANTHROPIC_KEY = "sk-ant-test-key-0123456789"


def vendor_settings(data_dir: Path, openai: FakeOpenAI, anthropic: FakeAnthropic) -> Settings:
    providers = [
        ProviderSettings(name="openai-fake", kind="openai", model="gpt-test",
                         base_url=openai.base_url, api_key=SecretStr(OPENAI_KEY), timeout=2.0,
                         price_input=0.15, price_output=0.6, quality=0.8),
        ProviderSettings(name="claude-fake", kind="anthropic", model="claude-test",
                         base_url=anthropic.base_url, api_key=SecretStr(ANTHROPIC_KEY),
                         timeout=2.0, price_input=0.8, price_output=4.0, quality=0.9),
    ]  # fmt: skip
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        data_dir=data_dir,
        secret_key=SecretStr(SECRET),
        log_json=True,
        llm=LLMSettings(providers=providers, policy="ordered", breaker_failures=3,
                        user_daily_tokens=50_000),
    )
