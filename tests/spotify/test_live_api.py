"""Against the loopback fake: every client call, in extended and in development mode."""

from __future__ import annotations

import pytest

from echotune.spotify import (
    SpotifyNoActiveDevice,
    SpotifyPremiumRequired,
)
from tests.fakes.spotify import FREE_USER_ID
from tests.spotify.conftest import Live, connect


async def test_library_reads(live: Live) -> None:
    state = live.fake.state
    state.seed_library(n_saved=75, n_playlists=3, items_per_playlist=130, n_plays=120, n_top=60)
    saved = [s async for p in live.client.saved_tracks() for s in p]
    assert [s.track.id for s in saved] == [s.track_id for s in state.library().saved]
    top = [t async for p in live.client.top_tracks("short_term") for t in p]
    assert [t.id for t in top] == state.library().top_tracks["short_term"]
    artists = [a async for p in live.client.top_artists("long_term") for a in p]
    assert [a.id for a in artists] == state.library().top_artists["long_term"]

    plays, cursor = await live.client.recently_played()
    assert len(plays) == 50 and cursor is not None
    last = state.library().plays[-1]
    assert plays[0].track.id == last.track_id
    for _ in range(5):
        state.add_play(live.fake.user_id, state.catalog.tracks[0].id)
    newer, after = await live.client.recently_played(cursor)
    assert len(newer) == 5 and after is not None and after > cursor
    assert await live.client.recently_played(after) == ([], after)


async def test_playlists_read_and_write(live: Live) -> None:
    state = live.fake.state
    state.seed_library(n_playlists=60, items_per_playlist=130)
    playlists = [p async for page in live.client.my_playlists() for p in page]
    assert len(playlists) == 60 and playlists[0].total == 130
    items = [i async for page in live.client.playlist_items(playlists[0].id) for i in page]
    expected = [e.uri for e in state.playlists[playlists[0].id].entries]
    assert [i.track.uri if i.track else None for i in items] == expected

    created = await live.client.create_playlist(live.fake.user_id, "EchoTune mix", "d", False)
    uris = [f"spotify:track:{t.id}" for t in state.catalog.tracks[:150]]
    snapshot = await live.client.add_items(created.id, uris[:120])
    await live.client.add_items(created.id, uris[120:], position=0)
    entries = [e.uri for e in state.playlists[created.id].entries]
    assert entries == uris[120:] + uris[:120]
    assert snapshot and live.fake.log.count(f"/v1/playlists/{created.id}/tracks") == 3


async def test_catalog_reads_and_closed_endpoints(live: Live) -> None:
    catalog = live.fake.state.catalog
    catalog.ensure(260)
    ids = [t.id for t in catalog.tracks[:120]]
    assert [t.id for t in await live.client.tracks(ids)] == ids
    artist_ids = list(catalog.artists)[:55]
    assert {a.id for a in await live.client.artists(artist_ids)} == set(artist_ids)
    features = await live.client.audio_features([t.id for t in catalog.tracks[:250]])
    assert features is not None and len(features) == 250 and features[0] is not None
    assert live.fake.log.count("/v1/audio-features") == 3
    recommended = await live.client.recommendations(seed_tracks=[ids[0]], limit=7)
    assert recommended is not None and len(recommended) == 7

    live.fake.faults.audio_features_forbidden = True
    live.fake.faults.recommendations_gone = True
    assert await live.client.audio_features(ids) is None
    assert await live.client.recommendations(seed_tracks=[ids[0]]) is None
    name = catalog.tracks[3].name
    assert catalog.tracks[3].id in {t.id for t in await live.client.search_tracks(name, 20)}


async def test_player_controls_and_their_errors(live: Live) -> None:
    state = live.fake.state
    devices = await live.client.devices()
    phone = next(d for d in devices if d.name == "Fake Phone")
    uri = f"spotify:track:{state.catalog.tracks[0].id}"
    await live.client.play(uris=[uri])
    await live.client.queue(f"spotify:track:{state.catalog.tracks[1].id}")
    await live.client.next()
    await live.client.previous()
    await live.client.pause()
    await live.client.transfer(phone.id or "", play=True)
    player = state.library().player
    assert player.device_id == phone.id and player.is_playing

    state.activate_device(live.fake.user_id, None)
    with pytest.raises(SpotifyNoActiveDevice):
        await live.client.play(uris=[uri])

    free = await connect(live.fake)
    pair = live.fake.issue_tokens(FREE_USER_ID)
    free.use_tokens(pair.access_token, pair.refresh_token, key=FREE_USER_ID)
    with pytest.raises(SpotifyPremiumRequired):
        await free.client.pause()
    await free.transport.aclose()


async def test_development_mode_follows_the_february_2026_rules(live: Live) -> None:
    state = live.fake.state
    state.api_mode = "development"
    state.seed_library(n_playlists=1, items_per_playlist=60)
    dev = await connect(live.fake, api_mode="development")
    try:
        playlist_id = state.library().playlist_ids[0]
        items = [i async for page in dev.client.playlist_items(playlist_id) for i in page]
        assert len(items) == 60 and all(i.track for i in items)
        found = await dev.client.search_tracks(state.catalog.tracks[0].name, limit=30)
        assert found and dev.fake.log.find("/v1/search")[0].params["limit"] == "10"
        ids = [t.id for t in state.catalog.tracks[:45]]
        await dev.client.save_tracks(ids)
        assert {s.track_id for s in state.library().saved} == set(ids)
        created = await dev.client.create_playlist(live.fake.user_id, "dev mix", "", False)
        await dev.client.add_items(created.id, [f"spotify:track:{i}" for i in ids[:3]])
        assert [t.id for t in await dev.client.tracks(ids[:3])] == ids[:3]
        paths = {(e.method, e.path) for e in dev.fake.log.entries}
        assert ("PUT", "/v1/me/library") in paths and ("POST", "/v1/me/playlists") in paths
        assert ("POST", f"/v1/playlists/{created.id}/items") in paths
        assert not any(p.endswith("/tracks") and m != "GET" for m, p in paths)
        assert all(e.status is not None and e.status < 400 for e in dev.fake.log.entries)
    finally:
        await dev.transport.aclose()


async def test_etags_turn_repeat_reads_into_304s(live: Live) -> None:
    first = await live.client.me()
    second = await live.client.me()
    assert first == second
    assert live.fake.log.statuses("/v1/me") == [200, 304]
    assert live.metric("echotune_spotify_cache_hits_total", kind="revalidated") == 1
    live.fake.state.cache_control = "private, max-age=300"
    await live.client.devices()
    await live.client.devices()
    assert live.fake.log.count("/v1/me/player/devices") == 1
    assert live.metric("echotune_spotify_cache_hits_total", kind="fresh") == 1
