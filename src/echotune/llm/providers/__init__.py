"""Vendor adapters implementing the `Provider` Protocol: `OpenAIProvider` (OpenAI and every
OpenAI-compatible server, by base URL), `AnthropicProvider`, `GeminiProvider`. Nothing is
imported here, so picking one adapter never pays for another vendor's SDK import."""
