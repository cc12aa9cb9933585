"""The fake's music catalog: artists, albums and tracks generated from their index.

Track n always has the same id, name, album and artists, however large the catalog grows,
so a test can name `catalog.track_at(n)` and a benchmark can build 10,000 tracks in
milliseconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from tests.fakes.spotify.ids import stable_id

TRACKS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 2
ADJECTIVES = (
    "Velvet",
    "Electric",
    "Quiet",
    "Golden",
    "Neon",
    "Hollow",
    "Silver",
    "Wild",
    "Paper",
    "Midnight",
    "Crimson",
    "Distant",
    "Gentle",
    "Broken",
    "Northern",
    "Lucid",
)
NOUNS = (
    "Harbor",
    "Echo",
    "Garden",
    "River",
    "Signal",
    "Lantern",
    "Mirror",
    "Horizon",
    "Engine",
    "Orchard",
    "Tide",
    "Comet",
    "Static",
    "Meadow",
    "Circuit",
    "Avenue",
)
GENRES = ("indie pop", "synthwave", "jazz", "techno", "folk", "hip hop", "ambient", "soul")


def _hash(kind: str, index: int) -> int:
    return int.from_bytes(hashlib.blake2b(f"{kind}#{index}".encode(), digest_size=8).digest())


def _name(kind: str, index: int) -> str:
    h = _hash(kind, index)
    return f"{ADJECTIVES[h % 16]} {NOUNS[(h >> 8) % 16]} {index}"


@dataclass(slots=True)
class Artist:
    id: str
    name: str
    genres: list[str]
    popularity: int
    followers: int


@dataclass(slots=True)
class Album:
    id: str
    name: str
    artist_ids: list[str]
    release_date: str
    total_tracks: int
    album_type: str = "album"


@dataclass(slots=True)
class Track:
    id: str
    name: str
    artist_ids: list[str]
    album_id: str
    duration_ms: int
    explicit: bool
    popularity: int
    track_number: int
    isrc: str


@dataclass
class Catalog:
    """Lookup tables plus the generator; `ensure(n)` grows it to at least n tracks."""

    tracks: list[Track] = field(default_factory=list)
    by_id: dict[str, Track] = field(default_factory=dict)
    artists: dict[str, Artist] = field(default_factory=dict)
    albums: dict[str, Album] = field(default_factory=dict)

    def ensure(self, n_tracks: int) -> None:
        for index in range(len(self.tracks), n_tracks):
            self._store(self._generate(index))

    def track_at(self, index: int) -> Track:
        self.ensure(index + 1)
        return self.tracks[index]

    def track(self, track_id: str) -> Track | None:
        return self.by_id.get(track_id)

    def add_track(self, name: str, artist: str = "Fake Artist", explicit: bool = False) -> Track:
        """A hand-named track (for search tests); its id is still stable per name."""
        index = len(self.tracks)
        artist_id = stable_id("artist-named", _hash(artist, 0))
        if artist_id not in self.artists:
            self.artists[artist_id] = Artist(artist_id, artist, ["indie pop"], 50, 1000)
        album_id = stable_id("album-named", _hash(name, index))
        self.albums[album_id] = Album(album_id, name, [artist_id], "2020-05-01", 1, "single")
        track = Track(
            stable_id("track-named", _hash(name, index)),
            name,
            [artist_id],
            album_id,
            200_000,
            explicit,
            50,
            1,
            f"QZFAKE{index:07d}",
        )
        self._store(track)
        return track

    def search(self, query: str) -> list[Track]:
        """Every term must appear in the track, artist or album name; field filters narrow."""
        fields, terms = _parse_query(query)
        return [t for t in self.tracks if self._matches(t, fields, terms)]

    def _matches(self, track: Track, fields: dict[str, str], terms: list[str]) -> bool:
        artist_names = " ".join(self.artists[a].name for a in track.artist_ids).lower()
        texts = {
            "track": track.name.lower(),
            "artist": artist_names,
            "album": self.albums[track.album_id].name.lower(),
        }
        if any(value not in texts.get(key, "") for key, value in fields.items()):
            return False
        everything = " ".join(texts.values())
        return all(term in everything for term in terms)

    def _store(self, track: Track) -> None:
        self.tracks.append(track)
        self.by_id[track.id] = track

    def _generate(self, index: int) -> Track:
        album_index = index // TRACKS_PER_ALBUM
        album = self._album(album_index)
        artist_ids = list(album.artist_ids)
        h = _hash("track", index)
        if h % 7 == 0:  # a featured artist now and then, so tracks have several artists
            artist_ids.append(self._artist(album_index // ALBUMS_PER_ARTIST + 1).id)
        return Track(
            id=stable_id("track", index),
            name=_name("track", index),
            artist_ids=artist_ids,
            album_id=album.id,
            duration_ms=120_000 + h % 240_000,
            explicit=h % 5 == 0,
            popularity=h % 101,
            track_number=index % TRACKS_PER_ALBUM + 1,
            isrc=f"QZFAKE{index:07d}",
        )

    def _album(self, index: int) -> Album:
        album_id = stable_id("album", index)
        album = self.albums.get(album_id)
        if album is None:
            artist = self._artist(index // ALBUMS_PER_ARTIST)
            year = 1990 + _hash("album", index) % 35
            album = Album(
                album_id,
                _name("album", index),
                [artist.id],
                f"{year}-0{index % 9 + 1}-15",
                TRACKS_PER_ALBUM,
            )
            self.albums[album_id] = album
        return album

    def _artist(self, index: int) -> Artist:
        artist_id = stable_id("artist", index)
        artist = self.artists.get(artist_id)
        if artist is None:
            h = _hash("artist", index)
            artist = Artist(
                artist_id,
                _name("artist", index),
                [GENRES[h % 8], GENRES[(h >> 4) % 8]],
                h % 101,
                h % 1_000_000,
            )
            self.artists[artist_id] = artist
        return artist


def _parse_query(query: str) -> tuple[dict[str, str], list[str]]:
    fields: dict[str, str] = {}
    terms: list[str] = []
    for word in query.lower().split():
        key, sep, value = word.partition(":")
        if sep and key in ("track", "artist", "album") and value:
            fields[key] = value.strip('"')
        else:
            terms.append(word.strip('"'))
    return fields, terms
