"""discover_providers: configured providers first, the environment's vendors next, the
offline assistant always last; keys never shown."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from pydantic import SecretStr

from echotune.llm.discover import LOCAL, discover_providers
from echotune.llm.provider import ProviderConfig
from echotune.settings import LLMSettings, ProviderSettings, Settings

KEY = "sk-secret-0123456789abcdef"


def discover(env: dict[str, str], *providers: Mapping[str, object]) -> list[ProviderConfig]:
    settings = LLMSettings.model_validate({"providers": list(providers)})
    return discover_providers(settings, env)


def names(configs: list[ProviderConfig]) -> list[str]:
    return [config.name for config in configs]


def test_nothing_configured_means_the_offline_assistant() -> None:
    assert discover({}) == [LOCAL]
    assert (LOCAL.kind, LOCAL.price_input, LOCAL.price_output) == ("local", 0.0, 0.0)


@pytest.mark.parametrize(
    ("env", "name", "kind", "model", "base_url"),
    [
        ({"OPENAI_API_KEY": KEY}, "openai", "openai", "gpt-4o-mini", "https://api.openai.com/v1"),
        ({"ANTHROPIC_API_KEY": KEY}, "anthropic", "anthropic", "claude-haiku-4-5",
         "https://api.anthropic.com"),
        ({"GEMINI_API_KEY": KEY}, "gemini", "gemini", "gemini-2.5-flash",
         "https://generativelanguage.googleapis.com"),
        ({"GOOGLE_API_KEY": KEY}, "gemini", "gemini", "gemini-2.5-flash",
         "https://generativelanguage.googleapis.com"),
        ({"PERPLEXITY_API_KEY": KEY}, "perplexity", "openai", "sonar", "https://api.perplexity.ai"),
        ({"OPENROUTER_API_KEY": KEY}, "openrouter", "openai", "openai/gpt-4o-mini",
         "https://openrouter.ai/api/v1"),
    ],
)  # fmt: skip
def test_each_vendor_key_adds_its_provider(
    env: dict[str, str], name: str, kind: str, model: str, base_url: str
) -> None:
    found, local = discover(env)
    assert (found.name, found.kind, found.model, found.base_url) == (name, kind, model, base_url)
    assert found.api_key == KEY
    assert found.price_input > 0 and found.price_output > 0
    assert local == LOCAL


@pytest.mark.parametrize(
    "root", ["http://localhost:11434", "http://localhost:11434/", "http://localhost:11434/v1/"]
)
def test_ollama_needs_no_key_and_costs_nothing(root: str) -> None:
    ollama, _ = discover({"OLLAMA_BASE_URL": root})
    assert (ollama.name, ollama.kind, ollama.api_key) == ("ollama", "openai", None)
    assert ollama.base_url == "http://localhost:11434/v1"
    assert ollama.price_input == ollama.price_output == 0.0


def test_every_vendor_in_a_fixed_order_then_local() -> None:
    env = {
        var: KEY
        for var in ("OLLAMA_BASE_URL", "OPENROUTER_API_KEY", "PERPLEXITY_API_KEY", "GEMINI_API_KEY")
        + ("ANTHROPIC_API_KEY", "OPENAI_API_KEY")
    }
    assert names(discover(env)) == [
        "openai", "anthropic", "gemini", "perplexity", "openrouter", "ollama", "local",
    ]  # fmt: skip


def test_google_api_key_wins_over_gemini_api_key() -> None:
    gemini, _ = discover({"GEMINI_API_KEY": "gemini-key", "GOOGLE_API_KEY": "google-key"})
    assert gemini.api_key == "google-key"


def test_empty_variables_count_as_unset() -> None:
    assert discover({"OPENAI_API_KEY": "", "OLLAMA_BASE_URL": "  "}) == [LOCAL]


def test_the_sdks_base_url_overrides_are_honoured() -> None:
    env = {
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": "http://proxy/openai/v1",
        "ANTHROPIC_API_KEY": KEY,
        "ANTHROPIC_BASE_URL": "http://proxy/anthropic",
        "GEMINI_API_KEY": KEY,
        "GOOGLE_GEMINI_BASE_URL": "http://proxy/gemini",
    }
    urls = [config.base_url for config in discover(env)[:3]]
    assert urls == ["http://proxy/openai/v1", "http://proxy/anthropic", "http://proxy/gemini"]


def test_configured_providers_come_first_with_their_keys_unwrapped() -> None:
    configured = {
        "name": "vllm",
        "kind": "openai",
        "model": "qwen2.5-7b",
        "base_url": "http://gpu:8000/v1",
        "api_key": "vllm-key",
        "price_input": 0.01,
        "quality": 0.6,
    }
    vllm, openai, local = discover({"OPENAI_API_KEY": KEY}, configured)
    assert (vllm.name, vllm.api_key, vllm.price_input, vllm.quality) == (
        "vllm", "vllm-key", 0.01, 0.6,
    )  # fmt: skip
    # A different endpoint: the OpenAI key is not handed to it, and OpenAI still joins.
    assert (openai.name, openai.api_key) == ("openai", KEY)
    assert local == LOCAL


def test_a_configured_vendor_endpoint_takes_the_env_key_and_defaults() -> None:
    entry = {"name": "gpt", "kind": "openai", "quality": 0.9}
    gpt, local = discover({"OPENAI_API_KEY": KEY}, entry)
    assert (gpt.name, gpt.api_key, gpt.model, gpt.base_url) == ("gpt", KEY, "gpt-4o-mini", None)
    assert (gpt.price_input, gpt.price_output, gpt.quality) == (0.15, 0.60, 0.9)
    assert local == LOCAL


def test_another_model_keeps_its_own_numbers() -> None:
    entry = {"name": "gpt4o", "kind": "openai", "model": "gpt-4o", "price_input": 2.5}
    gpt4o, _ = discover({"OPENAI_API_KEY": KEY}, entry)
    assert (gpt4o.model, gpt4o.price_input, gpt4o.price_output) == ("gpt-4o", 2.5, 0.0)


def test_a_configured_name_hides_the_vendor_of_that_name() -> None:
    entry = {"name": "gemini", "kind": "openai", "model": "m", "base_url": "http://x/v1"}
    assert names(discover({"GEMINI_API_KEY": KEY}, entry)) == ["gemini", "local"]


def test_a_configured_perplexity_endpoint_gets_the_perplexity_key() -> None:
    entry = {"name": "pplx", "kind": "openai", "base_url": "https://api.perplexity.ai/"}
    pplx, local = discover({"PERPLEXITY_API_KEY": KEY}, entry)
    assert (pplx.api_key, pplx.model) == (KEY, "sonar")
    assert local == LOCAL


def test_a_configured_local_assistant_replaces_the_built_in_one_at_the_end() -> None:
    entry = {"name": "offline", "kind": "local", "quality": 0.2}
    gemini, offline = discover({"GEMINI_API_KEY": KEY}, entry)
    assert (offline.name, offline.model, offline.quality) == ("offline", "echotune-local", 0.2)
    assert gemini.name == "gemini"


@pytest.mark.parametrize(
    ("providers", "message"),
    [
        ([{"name": "a", "kind": "openai", "model": "m"}] * 2, "two LLM providers"),
        ([{"name": "local", "kind": "openai", "model": "m"}], "offline assistant"),
        ([{"name": "box", "kind": "openai", "base_url": "http://box/v1"}], "needs a model"),
    ],
)
def test_configuration_mistakes_are_refused(
    providers: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        discover({}, *providers)


def test_from_the_echotune_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "ECHOTUNE_LLM__PROVIDERS",
        '[{"name": "claude", "kind": "anthropic", "api_key": "' + KEY + '"}]',
    )
    settings = Settings(_env_file=None)
    claude, local = discover_providers(settings.llm, {"ANTHROPIC_API_KEY": "other"})
    assert (claude.api_key, claude.model, claude.price_output) == (KEY, "claude-haiku-4-5", 5.0)
    assert local == LOCAL


def test_settings_never_show_the_key() -> None:
    entry = ProviderSettings(name="g", kind="gemini", api_key=SecretStr(KEY))
    assert KEY not in repr(entry) and KEY not in str(entry)


def test_discovered_configs_never_show_the_key() -> None:
    env = {"OPENAI_API_KEY": KEY, "GEMINI_API_KEY": KEY}
    for config in discover(env, {"name": "c", "kind": "anthropic", "api_key": KEY}):
        assert KEY not in repr(config) and KEY not in str(config)
