"""One adapter per configured provider, picked by kind. Each SDK is imported only when
a provider of its kind is built (anthropic alone takes 2.4 s), so importing this module
costs nothing and a deployment pays only for the vendors it uses."""

from __future__ import annotations

from echotune.llm.provider import Provider, ProviderConfig


def build_provider(config: ProviderConfig) -> Provider:
    if config.kind == "openai":
        from echotune.llm.providers.openai_provider import OpenAIProvider

        return OpenAIProvider(config)
    if config.kind == "anthropic":
        from echotune.llm.providers.anthropic_provider import AnthropicProvider

        return AnthropicProvider(config)
    if config.kind == "gemini":
        from echotune.llm.providers.gemini_provider import GeminiProvider

        return GeminiProvider(config)
    if config.kind == "local":
        from echotune.llm.local import LocalAssistant

        return LocalAssistant(config)
    raise ValueError(f"unknown provider kind {config.kind!r} for {config.name!r}")
