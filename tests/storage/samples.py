"""Sample tracks the storage tests build their data from."""

from __future__ import annotations

from echotune.catalog.models import AudioFeatures, Track
from echotune.storage.base import Storage

FEATURES = AudioFeatures(
    acousticness=0.12,
    danceability=0.734,
    duration_ms=201_000,
    energy=0.81,
    instrumentalness=0.0,
    key=5,
    liveness=0.1,
    loudness=-5.25,
    mode=1,
    speechiness=0.04,
    tempo=118.5,
    time_signature=4,
    valence=0.66,
)


def track(track_id: str, **fields: object) -> Track:
    base: dict[str, object] = {
        "id": track_id,
        "name": f"Song {track_id}",
        "artist_id": "art1",
        "artist_name": "The Artist",
        "album_id": "alb1",
        "album_name": "The Album",
        "release_date": "2019-06-14",
        "popularity": 50,
        "duration_ms": 201_000,
        "genre": "pop",
        "subgenre": "dance pop",
        "features": FEATURES,
    }
    base.update(fields)
    return Track.model_validate(base)


def ids(tracks: list[Track]) -> list[str]:
    return [t.id for t in tracks]


async def load_search_catalog(storage: Storage) -> None:
    """Five tracks that exercise words, field filters, years and ordering."""
    await storage.tracks.upsert_many(
        [
            track(
                "t1",
                name="Blue Monday",
                artist_name="New Order",
                popularity=70,
                album_name="Power, Corruption & Lies",
                release_date="1983-03-07",
                genre="rock",
                subgenre="new wave",
            ),
            track(
                "t2",
                name="Blue Velvet",
                artist_name="Lana Del Rey",
                popularity=70,
                album_name="Paradise",
                release_date="2012-11-09",
                genre="pop",
            ),
            track(
                "t3",
                name="Halo",
                artist_name="Beyoncé",
                popularity=85,
                album_name=None,
                release_date="2008-11",
                genre="r&b",
            ),
            track(
                "t4",
                name="100% Pure_Love",
                artist_name="Crystal Waters",
                popularity=40,
                release_date="1994",
                genre=None,
                subgenre=None,
            ),
            track(
                "t5",
                name="Monday Monday",
                artist_name="The Mamas & the Papas",
                popularity=60,
                release_date=None,
                genre="rock",
                subgenre="folk rock",
            ),
        ]
    )
