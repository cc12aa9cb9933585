"""The fake Spotify's own tests use its fixtures like any other test package would."""

from tests.fakes.spotify.fixtures import fake_spotify, fake_spotify_server  # noqa: F401
