"""The in-memory feature index: every track with audio features as numpy columns.

Built once from storage batches, then read-only: the service replaces the
whole index with one attribute assignment, so a request always sees one
consistent catalog. Arrays are column-major, so a min/max filter reads one
contiguous column and the similarity matrix products stream through memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from echotune.catalog.models import Track
from echotune.recommend.columns import CatalogColumns, FeaturelessTrack, IndexBuilder
from echotune.recommend.genres import GenreTable, LabelCodes
from echotune.recommend.scaling import RAW_COLUMN, Z_WIDTH, Scaler
from echotune.recommend.synthetic import synthetic_columns

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
Rows = npt.NDArray[np.intp]
Ids = npt.NDArray[np.object_]


def _frozen(array: npt.NDArray[np.generic]) -> None:
    array.flags.writeable = False


def _seed_block(raw: F32, scaler: Scaler) -> F32:
    """[z | |z|² | 1]: squared distances to k points are one (n, 17) x (17, k) product."""
    block = np.empty((raw.shape[0], Z_WIDTH + 2), dtype=np.float32, order="F")
    z = scaler.transform(raw, out=block[:, :Z_WIDTH])
    np.einsum("ij,ij->i", z, z, out=block[:, Z_WIDTH])
    block[:, Z_WIDTH + 1] = 1.0
    return block


def _artist_codes(artist_ids: Sequence[str]) -> tuple[dict[str, int], I32]:
    codes: dict[str, int] = {}
    out = np.fromiter(
        (codes.setdefault(a, len(codes)) for a in artist_ids), dtype=np.int32, count=len(artist_ids)
    )
    return codes, out


_SERIALS = itertools.count()


class FeatureIndex:
    """Audio features, popularity, genres and artists of a catalog, row-aligned.

    Rows are sorted by (genre, subgenre) and then by input order; a row number
    is an internal handle (use `row_of` and `ids`), stable for one index.
    """

    __slots__ = (
        "_artist_codes",
        "_artist_names",
        "_artist_of",
        "_artist_offsets",
        "_artist_rows",
        "_block",
        "_featureless",
        "_featureless_artists",
        "_genres",
        "_ids",
        "_raw",
        "_rows",
        "_scaler",
        "serial",
    )

    def __init__(self, columns: CatalogColumns) -> None:
        # Tells this index from every other one built in the process; unlike
        # id(), it is never reused once the index is freed.
        self.serial: int = next(_SERIALS)
        codes = LabelCodes.encode(columns.genres, columns.subgenres)
        order = np.argsort(codes.pair_keys(), kind="stable")
        ids = [columns.ids[i] for i in order.tolist()]
        self._ids: Ids = np.array(ids, dtype=object)
        self._rows: dict[str, int] = {tid: i for i, tid in enumerate(ids)}
        if len(self._rows) != len(ids):
            raise ValueError("track ids repeat; build through IndexBuilder to deduplicate")
        self._raw: F32 = np.asfortranarray(columns.raw[order], dtype=np.float32)
        self._scaler = Scaler.fit(self._raw)
        self._block: F32 = _seed_block(self._raw, self._scaler)
        self._genres = GenreTable.build(codes.take(order), self.standardised)
        artists = [columns.artist_ids[i] for i in order.tolist()]
        self._artist_of, self._artist_codes = _artist_codes(artists)
        self._artist_names = tuple(self._artist_of)
        counts = np.bincount(self._artist_codes, minlength=len(self._artist_of))
        self._artist_rows: Rows = np.argsort(self._artist_codes, kind="stable").astype(np.intp)
        self._artist_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._featureless = dict(columns.featureless)
        self._featureless_artists = frozenset(m.artist_id for m in self._featureless.values())
        for array in (
            self._ids, self._raw, self._block, self._artist_codes, self._artist_rows,
            self._artist_offsets, self._genres.pair_labels, self._genres.pair_offsets,
            self._genres.label_pairs, self._genres.centroids,
        ):  # fmt: skip
            _frozen(array)

    @classmethod
    def from_batches(cls, batches: Iterable[Sequence[Track]]) -> FeatureIndex:
        """Build from storage's `iter_all` batches (collected by the caller if async)."""
        builder = IndexBuilder()
        for batch in batches:
            builder.add(batch)
        return cls(builder.columns())

    @classmethod
    def from_tracks(cls, tracks: Iterable[Track]) -> FeatureIndex:
        return cls.from_batches([list(tracks)])

    @classmethod
    def synthetic(cls, n: int, seed: int = 0) -> FeatureIndex:
        """A catalog of `n` made-up tracks with realistic feature distributions."""
        return cls(synthetic_columns(n, seed))

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> Ids:
        return self._ids

    @property
    def raw(self) -> F32:
        """Raw values, one column per `TUNABLE_ATTRIBUTES` entry, column-major."""
        return self._raw

    def column(self, attribute: str) -> F32:
        return self._raw[:, RAW_COLUMN[attribute]]

    @property
    def scaler(self) -> Scaler:
        return self._scaler

    @property
    def standardised(self) -> F32:
        """Weighted z-scores (see `scaling`), column-major."""
        return self._block[:, :Z_WIDTH]

    @property
    def seed_block(self) -> F32:
        """[z | |z|² | 1], column-major (see `scoring.add_seed_similarity`)."""
        return self._block

    @property
    def artist_codes(self) -> I32:
        return self._artist_codes

    @property
    def genres(self) -> GenreTable:
        return self._genres

    def row_of(self, track_id: str) -> int | None:
        return self._rows.get(track_id)

    def featureless_track(self, track_id: str) -> FeaturelessTrack | None:
        return self._featureless.get(track_id)

    def has_artist(self, artist_id: str) -> bool:
        return artist_id in self._artist_of or artist_id in self._featureless_artists

    def artist_code(self, artist_id: str) -> int | None:
        return self._artist_of.get(artist_id)

    def artist_of_row(self, row: int) -> str:
        return self._artist_names[int(self._artist_codes[row])]

    def artist_rows(self, artist_id: str) -> Rows:
        """Rows of this artist's tracks, ascending; empty when it has none with features."""
        code = self._artist_of.get(artist_id)
        if code is None:
            return np.empty(0, dtype=np.intp)
        return self._artist_rows[self._artist_offsets[code] : self._artist_offsets[code + 1]]

    def genre_rows(self, genre: str) -> Rows:
        """Rows carrying this genre or subgenre, ascending; empty for an unknown genre."""
        code = self._genres.code(genre)
        return np.empty(0, dtype=np.intp) if code is None else self._genres.rows(code)

    def genre_of_row(self, row: int) -> str | None:
        """The (top-level) genre label of a row, if it has one."""
        pair = int(self._genres.pairs_of_rows(np.array([row], dtype=np.intp))[0])
        code = int(self._genres.pair_labels[pair, 0])
        return self._genres.labels[code] if code >= 0 else None

    def available_genres(self) -> list[str]:
        """Genre seeds this catalog can serve, sorted."""
        return list(self._genres.labels)

    @property
    def nbytes(self) -> int:
        """Bytes held by the numpy arrays (the id strings and dicts come on top)."""
        arrays: list[npt.NDArray[np.generic]] = [
            self._ids, self._raw, self._block, self._artist_codes, self._artist_rows,
            self._artist_offsets, self._genres.label_pairs, self._genres.centroids,
        ]  # fmt: skip
        return sum(a.nbytes for a in arrays)
