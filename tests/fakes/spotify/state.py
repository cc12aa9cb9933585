"""Everything the fake Spotify remembers: users, libraries, playlists, players, tokens.

Tests arrange a scenario by calling these methods directly (the fake and the test share one
process); the HTTP handlers read and change the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from tests.fakes.spotify.catalog import Catalog
from tests.fakes.spotify.ids import EPOCH, stable_id
from tests.fakes.spotify.tokens import (
    ALL_SCOPES,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    TokenPair,
    TokenStore,
)

Product = Literal["premium", "free"]
TimeRange = Literal["short_term", "medium_term", "long_term"]
TIME_RANGES: tuple[TimeRange, ...] = ("short_term", "medium_term", "long_term")
DEFAULT_USER_ID = "fakeuser"
FREE_USER_ID = "freeuser"
BASE_CATALOG = 200


@dataclass
class User:
    id: str
    display_name: str
    product: Product = "premium"
    country: str = "SE"
    email: str = ""


@dataclass
class Device:
    id: str
    name: str
    type: str = "Computer"
    is_active: bool = False
    volume_percent: int | None = 50


@dataclass(slots=True)
class SavedTrack:
    track_id: str
    added_at: datetime


@dataclass(slots=True)
class Play:
    track_id: str
    played_at: datetime
    context_uri: str | None = None


@dataclass(slots=True)
class PlaylistEntry:
    uri: str
    added_at: datetime
    added_by: str


@dataclass
class Playlist:
    id: str
    owner_id: str
    name: str
    description: str = ""
    public: bool = True
    collaborative: bool = False
    entries: list[PlaylistEntry] = field(default_factory=list)
    version: int = 1

    @property
    def snapshot_id(self) -> str:
        return f"{stable_id('snapshot', self.version)[:10]}{self.version:08d}{self.id[:8]}"


@dataclass
class Player:
    device_id: str | None = None
    is_playing: bool = False
    uris: list[str] = field(default_factory=list)
    position: int = 0
    context_uri: str | None = None
    queue: list[str] = field(default_factory=list)
    progress_ms: int = 0

    @property
    def item_uri(self) -> str | None:
        return self.uris[self.position] if 0 <= self.position < len(self.uris) else None


@dataclass
class Library:
    """One user's data. `saved` is newest first, `plays` oldest first."""

    saved: list[SavedTrack] = field(default_factory=list)
    plays: list[Play] = field(default_factory=list)
    playlist_ids: list[str] = field(default_factory=list)
    top_tracks: dict[str, list[str]] = field(default_factory=dict)
    top_artists: dict[str, list[str]] = field(default_factory=dict)
    devices: list[Device] = field(default_factory=list)
    player: Player = field(default_factory=Player)
    saved_uris: set[str] = field(default_factory=set)  # /me/library saves of non-track uris


class FakeState:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to the default world: two users, a small catalog, one registered app."""
        self.catalog = Catalog()
        self.catalog.ensure(BASE_CATALOG)
        self.tokens = TokenStore()
        self.tokens.register_client(
            DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, [DEFAULT_REDIRECT_URI]
        )
        self.users: dict[str, User] = {}
        self.libraries: dict[str, Library] = {}
        self.playlists: dict[str, Playlist] = {}
        # Spotify's February 2026 development-mode rules apply when set to "development".
        self.api_mode: Literal["extended", "development"] = "extended"
        self.authorize_as = DEFAULT_USER_ID  # who "consents" on GET /authorize
        self.deny_consent = False
        self.cache_control = "private, max-age=0"
        self.add_user(DEFAULT_USER_ID, "Fake User", "premium")
        self.add_user(FREE_USER_ID, "Free User", "free")
        self.add_device(DEFAULT_USER_ID, "Fake Laptop", "Computer", active=True)
        self.add_device(DEFAULT_USER_ID, "Fake Phone", "Smartphone")

    def add_user(
        self,
        user_id: str,
        display_name: str | None = None,
        product: Product = "premium",
        country: str = "SE",
    ) -> User:
        user = User(user_id, display_name or user_id, product, country, f"{user_id}@example.com")
        self.users[user_id] = user
        self.libraries[user_id] = Library()
        return user

    def library(self, user_id: str = DEFAULT_USER_ID) -> Library:
        return self.libraries[user_id]

    def issue_tokens(
        self,
        user_id: str = DEFAULT_USER_ID,
        scope: str = ALL_SCOPES,
        client_id: str = DEFAULT_CLIENT_ID,
    ) -> TokenPair:
        """Tokens as if the user had logged in, for tests that skip the login flow."""
        return self.tokens.issue(user_id, client_id, scope)

    def add_device(
        self,
        user_id: str,
        name: str,
        type: str = "Computer",
        active: bool = False,
        volume_percent: int | None = 50,
    ) -> Device:
        devices = self.libraries[user_id].devices
        device = Device(
            stable_id(f"device:{user_id}", len(devices))[:20] + "d0",
            name,
            type,
            False,
            volume_percent,
        )
        devices.append(device)
        if active:
            self.activate_device(user_id, device.id)
        return device

    def activate_device(self, user_id: str, device_id: str | None) -> None:
        """None leaves the user with no active device (Spotify's NO_ACTIVE_DEVICE case)."""
        lib = self.libraries[user_id]
        for device in lib.devices:
            device.is_active = device.id == device_id
        lib.player.device_id = device_id

    def save_tracks(
        self, user_id: str, track_ids: list[str], added_at: datetime | None = None
    ) -> None:
        lib = self.libraries[user_id]
        have = {s.track_id for s in lib.saved}
        when = added_at or datetime.now(UTC)
        lib.saved.extend(SavedTrack(t, when) for t in track_ids if t not in have)
        lib.saved.sort(key=lambda s: s.added_at, reverse=True)

    def remove_tracks(self, user_id: str, track_ids: list[str]) -> None:
        gone = set(track_ids)
        lib = self.libraries[user_id]
        lib.saved = [s for s in lib.saved if s.track_id not in gone]

    def create_playlist(
        self,
        owner_id: str,
        name: str,
        description: str = "",
        public: bool = True,
        collaborative: bool = False,
    ) -> Playlist:
        number = len(self.playlists)
        playlist = Playlist(
            stable_id(f"created:{owner_id}", number),
            owner_id,
            name,
            description,
            public,
            collaborative,
        )
        self.playlists[playlist.id] = playlist
        self.libraries[owner_id].playlist_ids.insert(0, playlist.id)
        return playlist

    def add_to_playlist(
        self, playlist_id: str, uris: list[str], added_by: str, position: int | None = None
    ) -> str:
        playlist = self.playlists[playlist_id]
        now = datetime.now(UTC)
        entries = [PlaylistEntry(uri, now, added_by) for uri in uris]
        at = len(playlist.entries) if position is None else position
        playlist.entries[at:at] = entries
        playlist.version += 1
        return playlist.snapshot_id

    def add_play(
        self,
        user_id: str,
        track_id: str,
        played_at: datetime | None = None,
        context_uri: str | None = None,
    ) -> Play:
        plays = self.libraries[user_id].plays
        if played_at is None:
            last = plays[-1].played_at if plays else EPOCH + timedelta(days=30)
            played_at = last + timedelta(minutes=3, milliseconds=517)
        play = Play(track_id, played_at, context_uri)
        plays.append(play)
        plays.sort(key=lambda p: p.played_at)
        return play

    def seed_library(
        self,
        user_id: str = DEFAULT_USER_ID,
        n_saved: int = 0,
        n_playlists: int = 0,
        items_per_playlist: int = 0,
        n_plays: int = 0,
        n_top: int = 50,
    ) -> None:
        """A large library built fast (10,000 saved + 2,000 playlists in ~0.1 s)."""
        from tests.fakes.spotify.seed import seed_library

        seed_library(self, user_id, n_saved, n_playlists, items_per_playlist, n_plays, n_top)
