"""The Spotify Web API client: OAuth (PKCE), an async client, and a transport stack that
rate-limits by priority, retries with a capped wait, caches conditionally and counts.

Self-contained: imports nothing of EchoTune. What plugs in here: a `SpotifyConfig`, a
`Transport` (`build_transport(config, registry)` for the real stack, any test double
otherwise) and a `TokenSource` per account (the application's, or `RefreshingTokens`).

Errors (``.status`` and ``.reason`` on each)::

    SpotifyError                     anything the client raises on purpose
    ├── SpotifyRateLimited           429 with Retry-After above the cap, or the token is still
    │                                held until that reset; carries .retry_after (seconds)
    ├── SpotifyAuthError             401 even after one refresh; credentials refused
    │   └── SpotifyTokenRevoked      refresh answered invalid_grant: the user must reconnect
    ├── SpotifyForbidden             403; .reason is Spotify's code when it sent one
    │   └── SpotifyPremiumRequired   PREMIUM_REQUIRED: playback control needs Premium
    ├── SpotifyNotFound              404
    ├── SpotifyNoActiveDevice        404 NO_ACTIVE_DEVICE on a player command
    ├── SpotifyUnavailable           403 /audio-features, 404 /recommendations: closed to apps
    │                                created after 2024-11-27; not an outage (the client
    │                                methods return None instead of raising it)
    ├── SpotifyServerError           5xx after every retry
    └── SpotifyTimeout               timeouts and connection failures after every retry

No message carries a token, code, verifier or secret.
"""

from echotune.spotify.cache import CachingTransport
from echotune.spotify.catalog import RecommendationParam
from echotune.spotify.client import SpotifyClient
from echotune.spotify.config import ApiMode, SpotifyConfig
from echotune.spotify.errors import (
    SpotifyAuthError,
    SpotifyError,
    SpotifyForbidden,
    SpotifyNoActiveDevice,
    SpotifyNotFound,
    SpotifyPremiumRequired,
    SpotifyRateLimited,
    SpotifyServerError,
    SpotifyTimeout,
    SpotifyTokenRevoked,
    SpotifyUnavailable,
)
from echotune.spotify.http_transport import HttpxTransport
from echotune.spotify.library import TimeRange
from echotune.spotify.metrics import MeteredTransport, SpotifyMetrics, endpoint_template
from echotune.spotify.models import (
    AudioFeatures,
    CursorPage,
    Device,
    Page,
    PlayHistory,
    PlaylistItem,
    SavedTrack,
    SimplifiedPlaylist,
    SpotifyAlbum,
    SpotifyArtist,
    SpotifyImage,
    SpotifyTrack,
    SpotifyUser,
)
from echotune.spotify.oauth import SpotifyOAuth, TokenSet, TokenSource, new_pkce
from echotune.spotify.ratelimit import RateLimitedTransport
from echotune.spotify.retry import RetryingTransport
from echotune.spotify.scopes import SCOPE_NAMES, SCOPES, Scope
from echotune.spotify.stack import build_transport, build_window
from echotune.spotify.tokens import RefreshingTokens
from echotune.spotify.transport import Priority, SpotifyRequest, SpotifyResponse, Transport
from echotune.spotify.window import InProcessWindow, RedisWindow, WindowBudget

__all__ = [
    "SCOPES",
    "SCOPE_NAMES",
    "ApiMode",
    "AudioFeatures",
    "CachingTransport",
    "CursorPage",
    "Device",
    "HttpxTransport",
    "InProcessWindow",
    "MeteredTransport",
    "Page",
    "PlayHistory",
    "PlaylistItem",
    "Priority",
    "RateLimitedTransport",
    "RecommendationParam",
    "RedisWindow",
    "RefreshingTokens",
    "RetryingTransport",
    "SavedTrack",
    "Scope",
    "SimplifiedPlaylist",
    "SpotifyAlbum",
    "SpotifyArtist",
    "SpotifyAuthError",
    "SpotifyClient",
    "SpotifyConfig",
    "SpotifyError",
    "SpotifyForbidden",
    "SpotifyImage",
    "SpotifyMetrics",
    "SpotifyNoActiveDevice",
    "SpotifyNotFound",
    "SpotifyOAuth",
    "SpotifyPremiumRequired",
    "SpotifyRateLimited",
    "SpotifyRequest",
    "SpotifyResponse",
    "SpotifyServerError",
    "SpotifyTimeout",
    "SpotifyTokenRevoked",
    "SpotifyTrack",
    "SpotifyUnavailable",
    "SpotifyUser",
    "TimeRange",
    "TokenSet",
    "TokenSource",
    "Transport",
    "WindowBudget",
    "build_transport",
    "build_window",
    "endpoint_template",
    "new_pkce",
]
