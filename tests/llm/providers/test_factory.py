"""build_provider picks the adapter by kind and imports a vendor SDK only when needed."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from echotune.llm.provider import ProviderConfig
from echotune.llm.providers.factory import build_provider
from echotune.llm.providers.gemini_provider import GeminiProvider


def test_importing_the_factory_loads_no_sdk() -> None:
    script = (
        "import sys, echotune.llm.providers.factory\n"
        "loaded = [m for m in ('openai', 'anthropic', 'google.genai') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


class _Stub:
    def __init__(self, config: ProviderConfig) -> None:
        self.config = config


@pytest.mark.parametrize(
    ("kind", "module", "cls"),
    [
        ("openai", "echotune.llm.providers.openai_provider", "OpenAIProvider"),
        ("anthropic", "echotune.llm.providers.anthropic_provider", "AnthropicProvider"),
        ("local", "echotune.llm.local", "LocalAssistant"),
    ],
)
def test_each_kind_gets_its_adapter(
    monkeypatch: pytest.MonkeyPatch, kind: str, module: str, cls: str
) -> None:
    # Stand-ins keep this a test of the dispatch, without a 2.4 s SDK import.
    monkeypatch.setitem(sys.modules, module, types.SimpleNamespace(**{cls: _Stub}))
    config = ProviderConfig(name=f"my-{kind}", kind=kind, model="m")  # type: ignore[arg-type]
    provider = build_provider(config)
    assert isinstance(provider, _Stub)
    assert provider.config is config


async def test_gemini_gets_the_real_adapter() -> None:
    config = ProviderConfig(
        name="g", kind="gemini", model="m", base_url="http://127.0.0.1:9", api_key="k"
    )
    provider = build_provider(config)
    try:
        assert isinstance(provider, GeminiProvider)
        assert provider.config is config
    finally:
        await provider.aclose()


def test_an_unknown_kind_is_refused() -> None:
    config = ProviderConfig(name="x", kind="cohere", model="m")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown provider kind"):
        build_provider(config)
