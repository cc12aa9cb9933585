"""Genre labels of a catalog: codes, member rows, centroids and pool counts.

A track carries up to two labels (its genre and its subgenre); both are genre
seeds. The index keeps its rows sorted by (genre, subgenre) pair, so every
pair is one contiguous run of rows: a genre's members are a few slices, and
the candidates per pair are a binary search in the candidate rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Rows = npt.NDArray[np.intp]
F32 = npt.NDArray[np.float32]
Ranges = tuple[tuple[int, int], ...]


def genre_key(label: str) -> str:
    """The matching form of a genre: case, hyphens and underscores do not matter."""
    return " ".join(label.lower().replace("-", " ").replace("_", " ").split())


@dataclass(frozen=True)
class LabelCodes:
    """Genre and subgenre of each row as codes into `labels` (-1: none)."""

    labels: tuple[str, ...]
    by_key: dict[str, int]
    genre: I32
    subgenre: I32

    @classmethod
    def encode(cls, genres: Sequence[str | None], subgenres: Sequence[str | None]) -> LabelCodes:
        first: dict[str, int] = {}
        shown: dict[str, str] = {}
        raw = [_encode(values, first, shown) for values in (genres, subgenres)]
        # Renumber so that code order is the alphabetical order of shown labels.
        keys = sorted(first, key=lambda k: (shown[k], k))
        remap = np.full(len(first) + 1, -1, dtype=np.int32)
        for new, key in enumerate(keys):
            remap[first[key]] = new
        labels = tuple(shown[k] for k in keys)
        return cls(labels, {k: i for i, k in enumerate(keys)}, remap[raw[0]], remap[raw[1]])

    def pair_keys(self) -> I64:
        width = len(self.labels) + 1
        return (self.genre.astype(np.int64) + 1) * width + (self.subgenre.astype(np.int64) + 1)

    def take(self, order: Rows) -> LabelCodes:
        return LabelCodes(self.labels, self.by_key, self.genre[order], self.subgenre[order])


def _encode(values: Sequence[str | None], codes: dict[str, int], shown: dict[str, str]) -> I32:
    """Codes by matching key; the first spelling met of a key is the one shown."""
    cache: dict[str | None, int] = {None: -1}
    out = np.empty(len(values), dtype=np.int32)
    for i, value in enumerate(values):
        code = cache.get(value)
        if code is None:
            key = genre_key(value) if value is not None else ""
            code = codes.setdefault(key, len(codes)) if key else -1
            if key:
                shown.setdefault(key, " ".join(str(value).lower().split()))
            cache[value] = code
        out[i] = code
    return out


@dataclass(frozen=True)
class GenreTable:
    labels: tuple[str, ...]
    by_key: dict[str, int]
    pair_labels: I32  # (pairs, 2): genre and subgenre code of each pair
    pair_offsets: I64  # rows of pair p are pair_offsets[p] : pair_offsets[p + 1]
    label_pairs: npt.NDArray[np.bool_]  # (labels, pairs): which pairs carry a label
    centroids: F32  # (labels, width): mean standardised row of each label

    @classmethod
    def build(cls, codes: LabelCodes, z: F32) -> GenreTable:
        """From codes of rows already sorted by pair (see `LabelCodes.pair_keys`)."""
        keys = codes.pair_keys()
        if np.any(np.diff(keys) < 0):
            raise ValueError("rows must be sorted by (genre, subgenre) pair")
        starts = np.flatnonzero(np.diff(keys)) + 1
        ends = [keys.size] if keys.size else []
        offsets = np.concatenate([[0], starts, ends]).astype(np.int64)
        firsts = offsets[:-1]
        pair_labels = np.stack([codes.genre[firsts], codes.subgenre[firsts]], axis=1).astype(
            np.int32
        )
        n_labels, n_pairs = len(codes.labels), len(firsts)
        label_pairs = np.zeros((n_labels, n_pairs), dtype=bool)
        for column in (0, 1):
            has = pair_labels[:, column] >= 0
            label_pairs[pair_labels[has, column], np.flatnonzero(has)] = True
        table = cls(codes.labels, codes.by_key, pair_labels, offsets, label_pairs,
                    np.zeros((n_labels, z.shape[1]), dtype=np.float32))  # fmt: skip
        for code in range(n_labels):
            sums = sum(z[a:b].sum(axis=0, dtype=np.float64) for a, b in table.ranges(code))
            table.centroids[code] = np.asarray(sums) / max(table.size(code), 1)
        return table

    def code(self, genre: str) -> int | None:
        return self.by_key.get(genre_key(genre))

    def ranges(self, code: int) -> Ranges:
        """Row slices carrying this label, ascending and merged where adjacent."""
        merged: list[tuple[int, int]] = []
        for p in np.flatnonzero(self.label_pairs[code]).tolist():
            start, stop = int(self.pair_offsets[p]), int(self.pair_offsets[p + 1])
            if merged and merged[-1][1] == start:
                merged[-1] = (merged[-1][0], stop)
            else:
                merged.append((start, stop))
        return tuple(merged)

    def rows(self, code: int) -> Rows:
        parts = [np.arange(a, b, dtype=np.intp) for a, b in self.ranges(code)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)

    def size(self, code: int) -> int:
        return sum(b - a for a, b in self.ranges(code))

    def pairs_of_rows(self, rows: Rows) -> Rows:
        pairs: Rows = np.searchsorted(self.pair_offsets, rows, side="right") - 1
        return pairs

    def codes_of_rows(self, rows: Rows) -> I32:
        labels = self.pair_labels[self.pairs_of_rows(rows)].ravel()
        return np.unique(labels[labels >= 0]).astype(np.int32)

    def codes_of_names(self, *names: str | None) -> I32:
        found = {self.code(name) for name in names if name}
        return np.asarray(sorted(c for c in found if c is not None), dtype=np.int32)

    def pair_counts(self, candidates: Rows | None, excluded: Rows) -> I64:
        """Candidates per pair: the given rows (ascending), or every row but `excluded`."""
        if candidates is not None:
            counts: I64 = np.diff(np.searchsorted(candidates, self.pair_offsets))
            return counts
        counts = np.diff(self.pair_offsets)
        np.subtract.at(counts, self.pairs_of_rows(excluded), 1)
        return counts

    def pool_size(self, codes: I32, pair_counts: I64) -> int:
        """Candidates sharing any of these labels; every candidate when there are none."""
        if codes.size == 0:
            return int(pair_counts.sum())
        return int(pair_counts[self.label_pairs[codes].any(axis=0)].sum())
