"""An unchanged Spotify client library pointed at our /v1, over real HTTP."""

from __future__ import annotations

import pytest
import spotipy

ED_SHEERAN_REMIX = "6f807x0ima9a1j3VPbc7VN"
MAROON5_REMIX = "0r7CVbZTWZgbTCYdfa2P31"


@pytest.fixture(scope="module")
def sp(live_server: str, token: str) -> spotipy.Spotify:
    return _client(token, live_server)


def _client(token: str, live_server: str) -> spotipy.Spotify:
    client = spotipy.Spotify(auth=token, retries=0, requests_timeout=10)
    # spotipy 2.26 dropped the constructor argument; the attribute is what it reads.
    client.prefix = f"{live_server}/v1/"
    return client


def test_track_tracks_and_artist(sp: spotipy.Spotify) -> None:
    track = sp.track(ED_SHEERAN_REMIX)
    assert track["artists"][0]["name"] == "Ed Sheeran"
    both = sp.tracks([ED_SHEERAN_REMIX, MAROON5_REMIX])["tracks"]
    assert [t["id"] for t in both] == [ED_SHEERAN_REMIX, MAROON5_REMIX]
    artist = sp.artist(track["artists"][0]["id"])
    assert artist["name"] == "Ed Sheeran"


def test_audio_features(sp: spotipy.Spotify) -> None:
    # spotipy warns that Spotify closed this endpoint; ours still serves it.
    with pytest.warns(DeprecationWarning, match="audio_features"):
        feats = sp.audio_features([ED_SHEERAN_REMIX, MAROON5_REMIX])
    assert [f["id"] for f in feats] == [ED_SHEERAN_REMIX, MAROON5_REMIX]
    assert feats[0]["danceability"] == 0.748


def test_recommendations_and_genre_seeds(sp: spotipy.Spotify) -> None:
    with pytest.warns(DeprecationWarning):
        genres = sp.recommendation_genre_seeds()["genres"]
    with pytest.warns(DeprecationWarning):
        recs = sp.recommendations(
            seed_genres=["pop"], seed_tracks=[ED_SHEERAN_REMIX], limit=7, target_danceability=0.8
        )
    assert "pop" in genres
    assert len(recs["tracks"]) == 7
    assert {s["type"] for s in recs["seeds"]} == {"GENRE", "TRACK"}


def test_search_and_next_page(sp: spotipy.Spotify) -> None:
    page = sp.search(q="artist:Maroon 5", type="track", limit=2)["tracks"]
    assert page["items"] and all(t["artists"][0]["name"] == "Maroon 5" for t in page["items"])
    nxt = sp.next(page)["tracks"]
    assert nxt["offset"] == 2


def test_errors_raise_spotify_exception(sp: spotipy.Spotify, live_server: str) -> None:
    with pytest.raises(spotipy.SpotifyException) as missing:
        sp.track("0000000000000000000000")
    assert missing.value.http_status == 404
    bad = _client("et_wrong", live_server)
    with pytest.raises(spotipy.SpotifyException) as unauth:
        bad.track(ED_SHEERAN_REMIX)
    assert unauth.value.http_status == 401
    assert "Invalid access token" in unauth.value.msg
