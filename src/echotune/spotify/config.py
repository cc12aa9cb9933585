"""What the Spotify client needs to know, as one plain frozen dataclass.

The application builds it from its settings; the client never reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ApiMode = Literal["extended", "development"]


@dataclass(frozen=True)
class SpotifyConfig:
    client_id: str
    # PKCE works without a secret; when set it is sent as Basic auth to the token endpoint.
    client_secret: str | None = field(default=None, repr=False)
    redirect_uri: str = "http://127.0.0.1:8000/auth/callback"
    api_base: str = "https://api.spotify.com/v1"
    accounts_base: str = "https://accounts.spotify.com"
    # "development": Spotify's February 2026 rules for apps without extended quota.
    api_mode: ApiMode = "extended"
    max_retry_after: float = 30.0
    retry_delays: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)
    timeout: float = 10.0
    window_seconds: float = 30.0
    window_budget: int = 150
    cache_entries: int = 2048
    redis_url: str | None = field(default=None, repr=False)
