"""The fake Spotify's fault script: canned answers, delays, disconnects, tokens, the window."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.helpers import api, token_request
from tests.fakes.spotify import FakeSpotify, WindowLimiter


def test_a_rule_answers_then_steps_aside(fake_spotify: FakeSpotify) -> None:
    rule = fake_spotify.faults.rate_limit("/me/tracks", retry_after=3600)
    with api(fake_spotify) as client:
        limited = client.get("/me/tracks")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "3600"
        assert limited.json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
        assert client.get("/me/tracks").status_code == 200
        assert client.get("/me").status_code == 200
    assert rule.hits == 1
    assert fake_spotify.log.statuses("/me/tracks") == [429, 200]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_with_custom_body(fake_spotify: FakeSpotify, status: int) -> None:
    fake_spotify.faults.add(
        "/v1/me", method="GET", status=status, body="<html>oops</html>", times=2
    )
    with api(fake_spotify) as client:
        assert [client.get("/me").status_code for _ in range(3)] == [status, status, 200]
        assert client.get("/me").status_code == 200


def test_delay_outlasts_the_client_timeout(fake_spotify: FakeSpotify) -> None:
    fake_spotify.faults.delay("/me", 0.6)
    with api(fake_spotify) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/me", timeout=0.15)
        assert client.get("/me").status_code == 200
    assert fake_spotify.log.find("/me")[0].fault == "delay"


def test_disconnect_drops_the_connection(fake_spotify: FakeSpotify) -> None:
    fake_spotify.faults.disconnect("/me/*")
    with api(fake_spotify) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/me/playlists")
        assert client.get("/me/playlists").status_code == 200
    first = fake_spotify.log.find("/me/playlists")[0]
    assert first.status is None and first.fault == "disconnect"


def test_disconnect_after_processing_keeps_the_change(fake_spotify: FakeSpotify) -> None:
    state = fake_spotify.state
    playlist = state.create_playlist("fakeuser", "Mix")
    uri = f"spotify:track:{state.catalog.tracks[0].id}"
    fake_spotify.faults.disconnect(
        f"/v1/playlists/{playlist.id}/items", method="POST", after_processing=True
    )
    with api(fake_spotify) as client, pytest.raises(httpx.RemoteProtocolError):
        client.post(f"/playlists/{playlist.id}/items", json={"uris": [uri]})
    assert [e.uri for e in playlist.entries] == [uri]  # done, though the client never heard


def test_revoked_refresh_token(fake_spotify: FakeSpotify) -> None:
    pair = fake_spotify.issue_tokens()
    fake_spotify.faults.revoke_refresh(pair.refresh_token)
    response = token_request(
        fake_spotify,
        {
            "grant_type": "refresh_token",
            "refresh_token": pair.refresh_token,
            "client_id": fake_spotify.client_id,
        },
    )
    assert response.status_code == 400
    assert response.json()["error_description"] == "Refresh token revoked"


def test_audio_features_and_recommendations_unavailable(fake_spotify: FakeSpotify) -> None:
    track_id = fake_spotify.state.catalog.tracks[0].id
    fake_spotify.faults.audio_features_forbidden = True
    fake_spotify.faults.recommendations_gone = True
    with api(fake_spotify) as client:
        assert client.get(f"/audio-features?ids={track_id}").status_code == 403
        assert client.get(f"/recommendations?seed_tracks={track_id}").status_code == 404
    fake_spotify.reset()
    with api(fake_spotify) as client:
        features = client.get(f"/audio-features?ids={track_id}").json()["audio_features"]
        assert features[0]["id"] == track_id


def test_window_limiter_answers_429_with_the_wait(fake_spotify: FakeSpotify) -> None:
    fake_spotify.faults.window(3, 30)
    with api(fake_spotify) as client:
        statuses = [client.get("/me").status_code for _ in range(5)]
        limited = client.get("/me")
    assert statuses == [200, 200, 200, 429, 429]
    assert 1 <= int(limited.headers["retry-after"]) <= 30
    assert httpx.get(f"{fake_spotify.accounts_base}/authorize").status_code == 400  # not /v1


def test_window_retry_after_is_time_until_a_slot_frees() -> None:
    window = WindowLimiter(2, 10)
    assert window.admit(0.0) is None and window.admit(4.0) is None
    assert window.admit(5.0) == 5  # the request at 0.0 leaves the window at 10.0
    assert window.admit(9.5) == 1  # never 0: at least one second
    assert window.admit(10.0) is None
    assert window.admit(11.0) == 3  # now the one at 4.0 must leave first
    assert window.rejected == 3


def test_log_records_each_request(fake_spotify: FakeSpotify) -> None:
    pair = fake_spotify.issue_tokens()
    httpx.get(
        f"{fake_spotify.api_base}/me/top/tracks",
        params={"time_range": "short_term"},
        headers={"Authorization": f"Bearer {pair.access_token}"},
    )
    (entry,) = fake_spotify.log.find("/me/top/*", method="get")
    assert entry.params == {"time_range": "short_term"}
    assert entry.token == pair.access_token and entry.status == 200 and entry.time > 0
