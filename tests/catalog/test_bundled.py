"""The catalog that ships in the package: present, intact, and importable whole."""

from __future__ import annotations

import gzip
import hashlib
import os

import pytest

from echotune.catalog.bundled import bundled_catalog_path
from echotune.catalog.csv_import import import_catalog_csv
from echotune.storage.base import Storage
from tests.conftest import MONGODB_URI_ENV

# sha256 of the original spotify_songs.csv, as recorded in catalog/data/SOURCE.md.
ORIGINAL_SHA256 = "9902920cfe4940f0914ebb6716801a42f7f19ac88fbd6693eaae7e2822b16845"


def test_bundled_file_is_the_original_compressed() -> None:
    path = bundled_catalog_path()
    assert path.name == "spotify_songs.csv.gz" and path.is_file()
    digest = hashlib.sha256()
    with gzip.open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    assert digest.hexdigest() == ORIGINAL_SHA256
    for note in ("SOURCE.md", "LICENSE.md"):
        assert (path.parent / note).is_file()


# The in-process MongoDB-wire test server takes ~35 s for the whole catalog, so the
# full-size run goes to MongoDB only against a real mongod; the small import
# tests cover the Mongo path either way.
BACKENDS = ["sqlite"] + (
    [pytest.param("mongo", marks=pytest.mark.mongo)] if os.environ.get(MONGODB_URI_ENV) else []
)


@pytest.mark.parametrize("storage", BACKENDS, indirect=True)
async def test_bundled_catalog_imports_every_track(storage: Storage) -> None:
    report = await import_catalog_csv(bundled_catalog_path(), storage.tracks)
    assert (report.rows_read, report.inserted, report.duplicates) == (32_833, 28_356, 4_477)
    assert (report.skipped, report.updated, report.unchanged) == (0, 0, 0)
    assert await storage.tracks.count() == 28_356
