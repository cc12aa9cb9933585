"""Player commands, and the two errors users must be told apart from a failure."""

from __future__ import annotations

import pytest

from echotune.spotify import (
    SpotifyClient,
    SpotifyConfig,
    SpotifyError,
    SpotifyNoActiveDevice,
    SpotifyNotFound,
    SpotifyPremiumRequired,
)
from tests.spotify.doubles import ScriptedTransport, StaticTokens, respond, spotify_error

CONFIG = SpotifyConfig(client_id="c", api_base="https://api.test/v1")


async def test_commands_hit_the_player_endpoints() -> None:
    inner = ScriptedTransport(lambda r: respond(204))
    client = SpotifyClient(CONFIG, inner, StaticTokens())
    await client.play(device_id="d1", uris=["spotify:track:a"])
    await client.play(context_uri="spotify:album:x")
    await client.play()
    await client.pause()
    await client.next(device_id="d1")
    await client.previous()
    await client.queue("spotify:track:b", device_id="d1")
    await client.transfer("d2", play=True)
    sent = [
        (r.method, r.url.removeprefix("https://api.test/v1"), dict(r.params), r.json)
        for r in inner.requests
    ]
    assert sent == [
        ("PUT", "/me/player/play", {"device_id": "d1"}, {"uris": ["spotify:track:a"]}),
        ("PUT", "/me/player/play", {}, {"context_uri": "spotify:album:x"}),
        ("PUT", "/me/player/play", {}, None),
        ("PUT", "/me/player/pause", {}, None),
        ("POST", "/me/player/next", {"device_id": "d1"}, None),
        ("POST", "/me/player/previous", {}, None),
        ("POST", "/me/player/queue", {"uri": "spotify:track:b", "device_id": "d1"}, None),
        ("PUT", "/me/player", {}, {"device_ids": ["d2"], "play": True}),
    ]


async def test_devices() -> None:
    body = {
        "devices": [
            {
                "id": "d1",
                "name": "Kitchen",
                "type": "Speaker",
                "is_active": True,
                "volume_percent": 40,
                "is_private_session": False,
                "is_restricted": False,
            }
        ]
    }
    inner = ScriptedTransport(lambda r: respond(200, body))
    devices = await SpotifyClient(CONFIG, inner, StaticTokens()).devices()
    assert [(d.id, d.name, d.is_active, d.volume_percent) for d in devices] == [
        ("d1", "Kitchen", True, 40)
    ]


async def test_no_active_device_is_its_own_error() -> None:
    inner = ScriptedTransport(
        lambda r: spotify_error(
            404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE"
        )
    )
    with pytest.raises(SpotifyNoActiveDevice) as caught:
        await SpotifyClient(CONFIG, inner, StaticTokens()).play()
    assert caught.value.status == 404 and caught.value.reason == "NO_ACTIVE_DEVICE"
    assert not isinstance(caught.value, SpotifyNotFound)


async def test_no_active_device_is_recognised_by_message_alone() -> None:
    inner = ScriptedTransport(
        lambda r: spotify_error(404, "Player command failed: No active device found")
    )
    with pytest.raises(SpotifyNoActiveDevice):
        await SpotifyClient(CONFIG, inner, StaticTokens()).pause()


async def test_premium_required() -> None:
    inner = ScriptedTransport(
        lambda r: spotify_error(403, "Player command failed: Premium required", "PREMIUM_REQUIRED")
    )
    with pytest.raises(SpotifyPremiumRequired) as caught:
        await SpotifyClient(CONFIG, inner, StaticTokens()).next()
    assert caught.value.reason == "PREMIUM_REQUIRED"


async def test_other_failures_keep_status_and_spotify_message() -> None:
    inner = ScriptedTransport(lambda r: spotify_error(400, "Invalid device id"))
    with pytest.raises(SpotifyError) as caught:
        await SpotifyClient(CONFIG, inner, StaticTokens()).transfer("bad")
    assert caught.value.status == 400
    assert str(caught.value) == "PUT /me/player: Spotify answered 400 (Invalid device id)"
