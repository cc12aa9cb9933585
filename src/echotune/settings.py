"""One settings root for the whole service (env prefix ECHOTUNE_, nested with __)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that ship in examples and must never guard a real deployment.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-secret-change-me"})


class StorageSettings(BaseModel):
    """Where EchoTune keeps its data. MongoDB wins when a URI is given."""

    sqlite_path: Path | None = Field(
        default=None, description="SQLite file; default <data_dir>/echotune.db"
    )
    mongo_uri: SecretStr | None = Field(
        default=None, description="MongoDB URI; set it to use MongoDB instead of SQLite"
    )
    mongo_database: str = Field(default="echotune", description="MongoDB database name")
    mongo_max_pool_size: int = Field(default=50, ge=1, description="MongoDB connection pool max")
    mongo_min_pool_size: int = Field(default=0, ge=0, description="MongoDB connection pool min")
    mongo_server_selection_timeout_ms: int = Field(
        default=3000,
        ge=100,
        description="How long to look for a MongoDB server before falling back",
    )
    mongo_connect_timeout_ms: int = Field(
        default=3000, ge=100, description="MongoDB connect timeout"
    )
    mongo_max_idle_time_ms: int | None = Field(
        default=None, description="Close pooled MongoDB connections idle longer than this"
    )


class CatalogSettings(BaseModel):
    """The catalog loaded on first start when the store is empty."""

    autoload: bool = Field(
        default=True, description="Load the bundled catalog when the store is empty"
    )
    path: Path | None = Field(
        default=None, description="CSV to load instead of the bundled catalog"
    )


class RecommendSettings(BaseModel):
    """Tuning of the /v1/recommendations engine."""

    max_limit: int = Field(
        default=100, ge=1, le=100, description="Largest limit a caller may ask for"
    )
    train_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Threads the server's background retrain may use (item-neighbour "
        "blocks, each holding up to ~240 MB, and the ALS fit; the model is the same for "
        "any count). More retrain sooner but slow requests meanwhile; `echotune train "
        "--threads` sets its own",
    )


class SpotifySettings(BaseModel):
    """Spotify Web API access. Without a client id EchoTune runs offline."""

    client_id: str | None = Field(default=None, description="Spotify app client id; enables login")
    client_secret: SecretStr | None = Field(
        default=None, description="Spotify app client secret (optional with PKCE)"
    )
    redirect_uri: str = Field(
        default="http://127.0.0.1:8000/auth/callback",
        description="Redirect URI registered with the Spotify app",
    )
    api_base: str = Field(default="https://api.spotify.com/v1", description="Web API base URL")
    accounts_base: str = Field(
        default="https://accounts.spotify.com", description="Accounts (OAuth) base URL"
    )
    api_mode: Literal["extended", "development"] = Field(
        default="extended", description="extended, or development (Spotify's Feb 2026 rules)"
    )
    max_retry_after: float = Field(
        default=30.0, ge=0, description="Longest Retry-After waited on a 429; above it fail at once"
    )
    window_budget: int = Field(
        default=150, ge=1, description="Requests allowed per rolling window, shared by all users"
    )
    window_seconds: float = Field(default=30.0, gt=0, description="Length of the rolling window")
    timeout: float = Field(default=10.0, gt=0, description="Per-request timeout in seconds")
    cache_entries: int = Field(default=2048, ge=0, description="Conditional GET cache size")
    sync_interval_minutes: float = Field(
        default=60.0, ge=0, description="Background sync of connected accounts; 0 turns it off"
    )
    session_days: int = Field(default=30, ge=1, description="How long a login session lasts")

    @property
    def enabled(self) -> bool:
        return bool(self.client_id)


class ProviderSettings(BaseModel):
    """One LLM endpoint in ECHOTUNE_LLM__PROVIDERS (a JSON list of these)."""

    name: str = Field(min_length=1, max_length=64)
    kind: Literal["openai", "anthropic", "gemini", "local"]
    model: str = ""
    base_url: str | None = None
    api_key: SecretStr | None = None
    price_input: float = Field(default=0.0, ge=0, description="USD per million input tokens")
    price_output: float = Field(default=0.0, ge=0, description="USD per million output tokens")
    context_window: int = Field(default=128_000, ge=1)
    quality: float = Field(default=0.5, ge=0, le=1)
    max_concurrency: int = Field(default=8, ge=1)
    timeout: float = Field(default=30.0, gt=0)


class LLMSettings(BaseModel):
    """The chat's language models. With no provider and no API key in the environment,
    the built-in offline assistant answers."""

    providers: list[ProviderSettings] = Field(
        default_factory=list,
        description="JSON list of providers; the SDKs' usual *_API_KEY variables add more",
    )
    policy: Literal["balanced", "fastest", "cheapest", "best-quality", "ordered"] = Field(
        default="balanced", description="How the router picks a provider"
    )
    user_daily_tokens: int = Field(
        default=200_000, ge=0, description="Tokens per user per day; 0 = no limit"
    )
    user_daily_cost: float = Field(
        default=1.0, ge=0, description="USD per user per day; 0 = no limit"
    )
    global_daily_tokens: int = Field(
        default=5_000_000, ge=0, description="Tokens per day, all users; 0 = no limit"
    )
    global_daily_cost: float = Field(
        default=50.0, ge=0, description="USD per day, all users; 0 = no limit"
    )
    cache_ttl_seconds: float = Field(default=3600.0, ge=0, description="Response cache lifetime")
    semantic_threshold: float = Field(
        default=0.92, gt=0, le=1, description="Cosine similarity for a semantic cache hit"
    )
    hedge_after_ms: float = Field(
        default=0.0, ge=0, description="Hedge latency-critical calls after this long; 0 = off"
    )
    breaker_failures: int = Field(default=5, ge=1, description="Consecutive failures that open")
    breaker_cooldown_seconds: float = Field(default=10.0, gt=0, description="First open period")


class Settings(BaseSettings):
    """The effective configuration, built once at the entry point and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="ECHOTUNE_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    env: Literal["dev", "test", "prod"] = Field(default="dev", description="dev, test or prod")
    host: str = Field(default="127.0.0.1", description="Address `echotune serve` binds")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `echotune serve` binds")
    data_dir: Path = Field(default=Path("var"), description="Where local data lives")
    secret_key: SecretStr = Field(
        default=SecretStr("dev-secret-change-me"),
        description="Key for signing and encryption; a real value is required outside dev",
    )
    log_level: str = Field(
        default="INFO",
        description="Log level of the server; one-shot commands (`import`, `train`, "
        "`eval` ...) log warnings and errors only unless it is set, so their tables "
        "and progress bars are not interleaved with routine log lines",
    )
    log_json: bool = Field(default=True, description="Write logs as JSON lines")
    blas_threads: int = Field(
        default=1,
        ge=1,
        description="BLAS threads per process; 1 keeps small per-request matrix products fast",
    )
    redis_url: SecretStr | None = Field(default=None, description="Redis URL for shared state")
    storage: StorageSettings = Field(default_factory=StorageSettings)
    catalog: CatalogSettings = Field(default_factory=CatalogSettings)
    recommend: RecommendSettings = Field(default_factory=RecommendSettings)
    spotify: SpotifySettings = Field(default_factory=SpotifySettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env != "dev" and self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "ECHOTUNE_SECRET_KEY is a placeholder; set a real secret outside dev mode"
            )
        return self

    @property
    def sqlite_path(self) -> Path:
        return self.storage.sqlite_path or self.data_dir / "echotune.db"

    def masked(self) -> dict[str, object]:
        """The configuration as plain data, secrets replaced by '**********'."""
        return self.model_dump(mode="json")
