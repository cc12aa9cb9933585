"""Which LLM providers exist: the configured ones (`ECHOTUNE_LLM__PROVIDERS`) in their
order, then one per vendor key found in the environment, then the built-in offline
assistant `local`, always last, so there is an answer with no key and no network.

Defaults for what the environment adds (USD per million tokens, the vendors' list
prices; quality is our prior, 0..1, which user ratings then move):

| variable | name | kind | model | $ in | $ out | context | quality |
| --- | --- | --- | --- | --- | --- | --- | --- |
| OPENAI_API_KEY | openai | openai | gpt-4o-mini | 0.15 | 0.60 | 128,000 | 0.70 |
| ANTHROPIC_API_KEY | anthropic | anthropic | claude-haiku-4-5 | 1.00 | 5.00 | 200,000 | 0.75 |
| GOOGLE_/GEMINI_API_KEY | gemini | gemini | gemini-2.5-flash | 0.30 | 2.50 | 1,048,576 | 0.75 |
| PERPLEXITY_API_KEY | perplexity | openai | sonar | 1.00 | 1.00 | 127,072 | 0.55 |
| OPENROUTER_API_KEY | openrouter | openai | openai/gpt-4o-mini | 0.15 | 0.60 | 128,000 | 0.70 |
| OLLAMA_BASE_URL (no key) | ollama | openai | llama3.2 | 0 | 0 | 8,192 | 0.40 |
| (always) | local | local | echotune-local | 0 | 0 | 1,000,000 | 0.30 |

Base URLs: the SDKs' own override variables are honoured (OPENAI_BASE_URL,
ANTHROPIC_BASE_URL, GOOGLE_GEMINI_BASE_URL); Perplexity is https://api.perplexity.ai,
OpenRouter https://openrouter.ai/api/v1, Ollama `<OLLAMA_BASE_URL>/v1` (its
OpenAI-compatible API; 8,192 is a cautious num_ctx, configure more if the server has
it). Ollama and local get 120 s / 2 concurrent and 5 s / 64 concurrent; the rest 30 s / 8.
When GOOGLE_API_KEY and GEMINI_API_KEY are both set, GOOGLE_API_KEY wins (the SDK's rule).
Empty variables count as unset.

Precedence: an environment vendor is skipped when a configured provider already has
its name or its endpoint (same kind and base URL; no base URL means the vendor's
default). A configured provider without an api_key takes the key of its endpoint's
variable; one without a model takes the endpoint's default model, and with that default
model, the prices, context window, quality, timeout and concurrency it left unset.
The name `local` belongs to the offline assistant; a configured `local` kind replaces
the built-in one and moves to the end. Configuration mistakes raise ValueError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from echotune.llm.provider import ProviderConfig, ProviderKind
from echotune.settings import LLMSettings, ProviderSettings

LOCAL = ProviderConfig(
    name="local",
    kind="local",
    model="echotune-local",
    context_window=1_000_000,  # it reads what it needs; never skip it for size
    quality=0.3,
    max_concurrency=64,
    timeout=5.0,
)
_TUNABLE = (
    "price_input", "price_output", "context_window", "quality", "max_concurrency", "timeout",
)  # fmt: skip


@dataclass(frozen=True)
class Vendor:
    """A provider the environment can switch on, and its defaults."""

    defaults: ProviderConfig  # base_url here is the vendor's own default endpoint
    key_vars: tuple[str, ...] = ()  # the first one set gives the key
    url_var: str | None = None  # the SDK's base URL override
    switch_var: str | None = None  # for keyless vendors: set means present

    def base_url(self, env: Mapping[str, str]) -> str | None:
        if self.switch_var is not None:
            root = _get(env, self.switch_var)
            return None if root is None else _with_v1(root)
        return (_get(env, self.url_var) if self.url_var else None) or self.defaults.base_url

    def key(self, env: Mapping[str, str]) -> str | None:
        return next((v for v in (_get(env, name) for name in self.key_vars) if v), None)

    def present(self, env: Mapping[str, str]) -> bool:
        return self.base_url(env) is not None if self.switch_var else self.key(env) is not None


def _cloud(
    name: str, kind: ProviderKind, model: str, url: str, price_in: float, price_out: float,
    context: int, quality: float,
) -> ProviderConfig:
    return ProviderConfig(
        name=name, kind=kind, model=model, base_url=url, price_input=price_in,
        price_output=price_out, context_window=context, quality=quality,
    )  # fmt: skip


VENDORS: tuple[Vendor, ...] = (
    Vendor(
        _cloud("openai", "openai", "gpt-4o-mini", "https://api.openai.com/v1",
               0.15, 0.60, 128_000, 0.70),
        key_vars=("OPENAI_API_KEY",),
        url_var="OPENAI_BASE_URL",
    ),
    Vendor(
        _cloud("anthropic", "anthropic", "claude-haiku-4-5", "https://api.anthropic.com",
               1.00, 5.00, 200_000, 0.75),
        key_vars=("ANTHROPIC_API_KEY",),
        url_var="ANTHROPIC_BASE_URL",
    ),
    Vendor(
        _cloud("gemini", "gemini", "gemini-2.5-flash", "https://generativelanguage.googleapis.com",
               0.30, 2.50, 1_048_576, 0.75),
        key_vars=("GOOGLE_API_KEY", "GEMINI_API_KEY"),
        url_var="GOOGLE_GEMINI_BASE_URL",
    ),
    Vendor(
        _cloud("perplexity", "openai", "sonar", "https://api.perplexity.ai",
               1.00, 1.00, 127_072, 0.55),
        key_vars=("PERPLEXITY_API_KEY",),
    ),
    Vendor(
        _cloud("openrouter", "openai", "openai/gpt-4o-mini", "https://openrouter.ai/api/v1",
               0.15, 0.60, 128_000, 0.70),
        key_vars=("OPENROUTER_API_KEY",),
    ),
    Vendor(
        ProviderConfig(name="ollama", kind="openai", model="llama3.2", context_window=8_192,
                       quality=0.40, max_concurrency=2, timeout=120.0),
        switch_var="OLLAMA_BASE_URL",
    ),
)  # fmt: skip


def discover_providers(settings: LLMSettings, env: Mapping[str, str]) -> list[ProviderConfig]:
    found = [_configured(entry, env) for entry in settings.providers]
    _check_names(found)
    names = {config.name for config in found}
    endpoints = {_endpoint(config.kind, config.base_url, env) for config in found}
    for vendor in VENDORS:
        if not vendor.present(env):
            continue
        config = replace(vendor.defaults, base_url=vendor.base_url(env), api_key=vendor.key(env))
        if config.name in names or _endpoint(config.kind, config.base_url, env) in endpoints:
            continue
        found.append(config)
        names.add(config.name)
        endpoints.add(_endpoint(config.kind, config.base_url, env))
    # The offline assistant closes the list: the last resort of every policy.
    local = [config for config in found if config.kind == "local"] or [LOCAL]
    return [config for config in found if config.kind != "local"] + local


def _configured(entry: ProviderSettings, env: Mapping[str, str]) -> ProviderConfig:
    vendor = _vendor_of(entry.kind, entry.base_url, env)
    defaults = vendor.defaults if vendor is not None else (LOCAL if entry.kind == "local" else None)
    model = entry.model or (defaults.model if defaults is not None else "")
    if not model:
        raise ValueError(f"LLM provider {entry.name!r} needs a model (no default for its endpoint)")
    secret = entry.api_key.get_secret_value() if entry.api_key is not None else None
    config = ProviderConfig(
        name=entry.name,
        kind=entry.kind,
        model=model,
        base_url=entry.base_url,
        api_key=secret or (vendor.key(env) if vendor is not None else None),
        price_input=entry.price_input,
        price_output=entry.price_output,
        context_window=entry.context_window,
        quality=entry.quality,
        max_concurrency=entry.max_concurrency,
        timeout=entry.timeout,
    )
    if defaults is None or model != defaults.model:
        return config
    unset = {f: getattr(defaults, f) for f in _TUNABLE if f not in entry.model_fields_set}
    return replace(config, **unset)


def _vendor_of(kind: str, base_url: str | None, env: Mapping[str, str]) -> Vendor | None:
    wanted = _endpoint(kind, base_url, env)
    for vendor in VENDORS:
        url = vendor.base_url(env)
        if url is not None and _endpoint(vendor.defaults.kind, url, env) == wanted:
            return vendor
    return None


def _endpoint(kind: str, base_url: str | None, env: Mapping[str, str]) -> tuple[str, str]:
    """Who answers: no base URL means the kind's default vendor endpoint, as its SDK
    would resolve it (its override variable first)."""
    if base_url is None:
        default = next((v for v in VENDORS if v.defaults.name == kind), None)
        base_url = default.base_url(env) if default is not None else None
    return kind, (base_url or "").rstrip("/").lower()


def _check_names(configs: list[ProviderConfig]) -> None:
    seen: set[str] = set()
    for config in configs:
        if config.name in seen:
            raise ValueError(f"two LLM providers are named {config.name!r}")
        if config.name == LOCAL.name and config.kind != "local":
            raise ValueError("the provider name 'local' is kept for the offline assistant")
        seen.add(config.name)


def _get(env: Mapping[str, str], name: str | None) -> str | None:
    value = env.get(name, "").strip() if name else ""
    return value or None


def _with_v1(root: str) -> str:
    root = root.rstrip("/")
    return root if root.endswith("/v1") else f"{root}/v1"
