"""Made-up catalogs with the shape of the real one, for benchmarks and load tests.

Means and spreads follow the bundled Spotify catalog (six genres with four
subgenres each, per-genre feature means, skewed speechiness/acousticness/
instrumentalness, heavy-tailed tracks per artist). Artists lean to one genre
and carry a personal style offset, so artist and genre centroids mean
something. Arrays are generated whole, without Track objects, so a million
rows take seconds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from echotune.catalog.models import TUNABLE_ATTRIBUTES
from echotune.recommend.columns import CatalogColumns

F64 = npt.NDArray[np.float64]
Codes = npt.NDArray[np.intp]

GENRES: dict[str, tuple[str, ...]] = {
    "edm": ("big room", "electro house", "pop edm", "progressive electro house"),
    "latin": ("latin hip hop", "latin pop", "reggaeton", "tropical"),
    "pop": ("dance pop", "electropop", "indie poptimism", "post-teen pop"),
    "r&b": ("hip pop", "neo soul", "new jack swing", "urban contemporary"),
    "rap": ("gangster rap", "hip hop", "southern hip hop", "trap"),
    "rock": ("album rock", "classic rock", "hard rock", "permanent wave"),
}
# Per-genre means (genres in the order above) and a shared beta concentration.
_BETA_MEANS: dict[str, tuple[tuple[float, ...], float]] = {
    "acousticness": ((0.08, 0.21, 0.17, 0.26, 0.19, 0.15), 1.5),
    "danceability": ((0.66, 0.71, 0.64, 0.67, 0.72, 0.52), 9.8),
    "energy": ((0.80, 0.71, 0.70, 0.59, 0.65, 0.73), 5.4),
    "liveness": ((0.21, 0.18, 0.18, 0.18, 0.19, 0.20), 5.5),
    "speechiness": ((0.09, 0.10, 0.07, 0.12, 0.20, 0.06), 8.4),
    "valence": ((0.40, 0.61, 0.50, 0.53, 0.51, 0.54), 3.6),
}
_TEMPO_MEANS = (125.8, 118.6, 120.7, 114.2, 120.7, 125.0)
_ALPHABET = np.frombuffer(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8
)


def _base62_ids(rng: np.random.Generator, n: int) -> list[str]:
    chars = _ALPHABET[rng.integers(0, 62, size=(n, 22))]
    return [b.decode() for b in np.ascontiguousarray(chars).view("S22").ravel()]


def _beta(rng: np.random.Generator, mean: F64, concentration: float) -> F64:
    m = np.clip(mean, 0.02, 0.98)
    return rng.beta(m * concentration, (1.0 - m) * concentration)


def _catalog_shape(rng: np.random.Generator, n: int) -> tuple[Codes, Codes, F64]:
    """Artist of each track, genre of each track, and each track's style offset."""
    n_artists = max(1, n // 3)
    weights = 1.0 / (np.arange(n_artists) + 5.0)
    artist = rng.choice(n_artists, size=n, p=weights / weights.sum())
    home = rng.integers(0, len(GENRES), size=n_artists)
    genre = np.where(rng.random(n) < 0.85, home[artist], rng.integers(0, len(GENRES), size=n))
    style = rng.normal(0.0, 0.08, size=n_artists)[artist]
    return artist.astype(np.intp), genre.astype(np.intp), style


def _features(rng: np.random.Generator, genre: Codes, style: F64) -> F64:
    n = genre.size
    raw = np.empty((n, len(TUNABLE_ATTRIBUTES)), dtype=np.float64)
    col = {name: i for i, name in enumerate(TUNABLE_ATTRIBUTES)}
    for name, (means, concentration) in _BETA_MEANS.items():
        mean = np.asarray(means)[genre] + (style if name in ("energy", "valence") else 0.0)
        raw[:, col[name]] = _beta(rng, mean, concentration)
    mostly_vocal = rng.random(n) < 0.75
    raw[:, col["instrumentalness"]] = np.where(
        mostly_vocal, rng.beta(0.1, 60.0, n), rng.beta(0.5, 1.2, n)
    )
    raw[:, col["tempo"]] = np.clip(rng.normal(np.asarray(_TEMPO_MEANS)[genre], 26.0), 50, 220)
    raw[:, col["loudness"]] = 0.5 - rng.gamma(5.76, 1.25, n)
    raw[:, col["duration_ms"]] = np.round(np.exp(rng.normal(np.log(216_000), 0.27, n)))
    raw[:, col["key"]] = rng.integers(0, 12, n)
    raw[:, col["mode"]] = rng.random(n) < 0.566
    raw[:, col["time_signature"]] = rng.choice([4, 3, 5, 1], size=n, p=[0.9, 0.06, 0.02, 0.02])
    popular = np.clip(np.round(rng.normal(48.0, 20.0, n)), 0, 100)
    raw[:, col["popularity"]] = np.where(rng.random(n) < 0.12, rng.integers(0, 4, n), popular)
    return raw


def synthetic_columns(n: int, seed: int = 0) -> CatalogColumns:
    """`n` tracks; the same (n, seed) always gives the same catalog."""
    rng = np.random.default_rng(seed)
    artist, genre, style = _catalog_shape(rng, n)
    raw = _features(rng, genre, style)
    names = list(GENRES)
    sub = rng.integers(0, 4, size=n)
    artist_names = _base62_ids(rng, int(artist.max()) + 1 if n else 0)
    return CatalogColumns(
        ids=_base62_ids(rng, n),
        artist_ids=[artist_names[a] for a in artist.tolist()],
        genres=[names[g] for g in genre.tolist()],
        subgenres=[GENRES[names[g]][s] for g, s in zip(genre.tolist(), sub.tolist(), strict=True)],
        raw=np.asfortranarray(raw, dtype=np.float32),
    )
