"""Genre labels of a catalog: codes, member rows, centroids and pool counts.

A track carries up to two labels (its genre and its subgenre); both are genre
seeds. Every distinct (genre, subgenre) pair gets a code too, so the number of
candidates that share any label with a seed is a sum over a few pair counts
instead of a pass over all rows.
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
Mask = npt.NDArray[np.bool_]


def genre_key(label: str) -> str:
    """The matching form of a genre: case, hyphens and underscores do not matter."""
    return " ".join(label.lower().replace("-", " ").replace("_", " ").split())


def _encode(values: Sequence[str | None], codes: dict[str, int], shown: dict[str, str]) -> I32:
    """Codes by matching key; the first spelling met of a key is the one shown."""
    cache: dict[str | None, int] = {None: -1}
    out = np.empty(len(values), dtype=np.int32)
    for i, value in enumerate(values):
        code = cache.get(value)
        if code is None:
            key = genre_key(value) if value is not None else ""
            if key:
                code = codes.setdefault(key, len(codes))
                shown.setdefault(key, " ".join(value.lower().split()) if value else key)
            else:
                code = -1
            cache[value] = code
        out[i] = code
    return out


def _relabel_sorted(
    codes: dict[str, int], shown: dict[str, str], *arrays: I32
) -> tuple[tuple[str, ...], dict[str, int], list[I32]]:
    """Renumber codes so that code order is the alphabetical order of shown labels."""
    keys = sorted(codes, key=lambda k: (shown[k], k))
    remap = np.empty(len(codes) + 1, dtype=np.int32)
    remap[-1] = -1
    for new, key in enumerate(keys):
        remap[codes[key]] = new
    labels = tuple(shown[k] for k in keys)
    return labels, {k: i for i, k in enumerate(keys)}, [remap[a] for a in arrays]


@dataclass(frozen=True)
class GenreTable:
    labels: tuple[str, ...]
    by_key: dict[str, int]
    genre_code: I32
    subgenre_code: I32
    pair_code: I32
    pair_labels: I32
    pair_total: I64
    member_rows: Rows
    member_offsets: I64
    centroids: F32

    @classmethod
    def build(cls, genres: Sequence[str | None], subgenres: Sequence[str | None], z: F32) -> GenreTable:
        codes: dict[str, int] = {}
        shown: dict[str, str] = {}
        raw_g, raw_s = _encode(genres, codes, shown), _encode(subgenres, codes, shown)
        labels, by_key, (g, s) = _relabel_sorted(codes, shown, raw_g, raw_s)
        n_labels = len(labels)
        rows = np.arange(len(g), dtype=np.intp)
        second = (s >= 0) & (s != g)
        lab = np.concatenate([g[g >= 0], s[second]])
        members = np.concatenate([rows[g >= 0], rows[second]])
        order = np.lexsort((members, lab))
        counts = np.bincount(lab, minlength=n_labels)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        centroids = np.zeros((n_labels, z.shape[1]), dtype=np.float32)
        for j in range(z.shape[1]):
            sums = np.bincount(lab, weights=z[members, j], minlength=n_labels)
            centroids[:, j] = sums / np.maximum(counts, 1)
        pair_key = (g.astype(np.int64) + 1) * (n_labels + 1) + (s.astype(np.int64) + 1)
        uniq, inverse = np.unique(pair_key, return_inverse=True)
        pair_labels = np.stack([uniq // (n_labels + 1) - 1, uniq % (n_labels + 1) - 1], axis=1)
        return cls(
            labels=labels,
            by_key=by_key,
            genre_code=g,
            subgenre_code=s,
            pair_code=inverse.astype(np.int32).ravel(),
            pair_labels=pair_labels.astype(np.int32),
            pair_total=np.bincount(inverse.ravel(), minlength=len(uniq)).astype(np.int64),
            member_rows=members[order],
            member_offsets=offsets,
            centroids=centroids,
        )

    def code(self, genre: str) -> int | None:
        return self.by_key.get(genre_key(genre))

    def rows(self, code: int) -> Rows:
        """Rows carrying this label, ascending."""
        return self.member_rows[self.member_offsets[code] : self.member_offsets[code + 1]]

    def codes_of_rows(self, rows: Rows) -> I32:
        both = np.concatenate([self.genre_code[rows], self.subgenre_code[rows]])
        return np.unique(both[both >= 0]).astype(np.int32)

    def codes_of_names(self, *names: str | None) -> I32:
        found = [self.code(name) for name in names if name]
        return np.asarray(sorted({c for c in found if c is not None}), dtype=np.int32)

    def pair_counts(self, keep: Mask | None, excluded: Rows) -> I64:
        """Candidates per (genre, subgenre) pair: kept rows minus excluded ones."""
        if keep is None:
            counts = self.pair_total.copy()
            np.subtract.at(counts, self.pair_code[excluded], 1)
            return counts
        kept = keep.copy()
        kept[excluded] = False
        return np.bincount(self.pair_code[kept], minlength=len(self.pair_total)).astype(np.int64)

    def pool_size(self, codes: I32, pair_counts: I64) -> int:
        """Candidates sharing any of these labels; every candidate when there are none."""
        if codes.size == 0:
            return int(pair_counts.sum())
        member = np.isin(self.pair_labels[:, 0], codes) | np.isin(self.pair_labels[:, 1], codes)
        return int(pair_counts[member].sum())
