"""The OAuth scopes EchoTune asks for, each with the reason (the README table is built from it)."""

from __future__ import annotations

from typing import NamedTuple


class Scope(NamedTuple):
    name: str
    reason: str


SCOPES: tuple[Scope, ...] = (
    Scope("user-read-private", "See whether you have Premium, which playback control needs"),
    Scope("user-library-read", "Import your saved tracks into your EchoTune history"),
    Scope("user-library-modify", "Save tracks you like in EchoTune to your Spotify library"),
    Scope("user-top-read", "Import your top tracks and artists to seed recommendations"),
    Scope("user-read-recently-played", "Import what you played recently as listening events"),
    Scope("playlist-read-private", "Import your private playlists"),
    Scope("playlist-read-collaborative", "Import collaborative playlists you take part in"),
    Scope("playlist-modify-private", "Write playlists EchoTune builds for you (private ones)"),
    Scope("playlist-modify-public", "Write playlists EchoTune builds for you (public ones)"),
    Scope("user-read-playback-state", "List your devices and what is playing"),
    Scope("user-modify-playback-state", "Play, pause, skip, queue and move playback"),
)

SCOPE_NAMES: tuple[str, ...] = tuple(scope.name for scope in SCOPES)
