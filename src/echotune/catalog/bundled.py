"""The catalog that ships inside the package (see catalog/data/SOURCE.md)."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

BUNDLED_CATALOG = "spotify_songs.csv.gz"


def bundled_catalog_path() -> Path:
    """A filesystem path to the bundled catalog CSV (gzip-compressed).

    The package is installed unzipped (a regular directory, as pip and
    setuptools install it), so the resource already is a file and `as_file`
    hands back its real path without making a temporary copy that could
    vanish on exit.
    """
    resource = files("echotune.catalog") / "data" / BUNDLED_CATALOG
    with as_file(resource) as path:
        if not path.is_file():
            raise FileNotFoundError(f"bundled catalog missing: {path}")
        return path
