"""Every JSON body the fake sends is checked against the official spec before it leaves.

A body that does not fit is replaced by a 500 naming the mismatch, so a test notices at
once instead of a client learning a shape Spotify never sends. The spec is copied and
relaxed in four places where Spotify is documented (or known) to send null although the
schema says otherwise (each says why), and its discriminators get the mapping they lack.

Validation is jsonschema's, which takes about half a millisecond per track object; the
objects that recur (tracks, albums, artists, images) are remembered once they passed,
keyed by their exact JSON, so paging a large library is not dominated by the check.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator

from tests.spotify_spec import operation_response_schema, spec

ERROR_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"$ref": "#/components/schemas/ErrorObject"}},
}


MEMO_SCHEMAS = (
    "TrackObject",
    "SimplifiedAlbumObject",
    "SimplifiedArtistObject",
    "ArtistObject",
    "SimplifiedPlaylistObject",
    "PlaylistOwnerObject",
    "ImageObject",
)
MEMO_LIMIT = 200_000
_passed: set[tuple[str, str]] = set()


def _memo(validator: Any, name: str, instance: object, schema: object) -> Iterator[ValidationError]:
    """Check `instance` against the original schema `name`, at most once per distinct JSON."""
    key = (name, json.dumps(instance, default=str))
    if key in _passed:
        return
    errors = list(validator.descend(instance, {"$ref": f"#/components/schemas/_{name}"}))
    if not errors:
        if len(_passed) >= MEMO_LIMIT:
            _passed.clear()
        _passed.add(key)
    yield from errors


MemoValidator = extend(OAS30Validator, {"x-memo": _memo})


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"enum": [None]}]}


@lru_cache(maxsize=1)
def relaxed_spec() -> dict[str, Any]:
    doc = copy.deepcopy(spec())
    schemas, responses = doc["components"]["schemas"], doc["components"]["responses"]
    # Recently played answers "next": null on its last page and "cursors": null when empty.
    cursor_props = schemas["CursorPagingObject"]["properties"]
    cursor_props["next"]["nullable"] = True
    cursor_props["cursors"] = _or_null(cursor_props["cursors"])
    # GET /tracks, /artists and /audio-features answer null for an id they do not know.
    for name, key in (
        ("ManyTracks", "tracks"),
        ("ManyArtists", "artists"),
        ("ManyAudioFeatures", "audio_features"),
    ):
        array = responses[name]["content"]["application/json"]["schema"]["properties"][key]
        array["items"] = _or_null(array["items"])
    # A playlist entry whose track is no longer available has track/item null.
    entry = schemas["PlaylistTrackObject"]["properties"]
    for key in ("track", "item"):
        entry[key] = _or_null(entry[key])
    # A play outside any playlist/album/artist context has "context": null.
    history = schemas["PlayHistoryObject"]["properties"]
    history["context"] = _or_null(history["context"])
    _map_discriminators(doc)
    for name in MEMO_SCHEMAS:  # every $ref to these now passes through _memo
        schemas[f"_{name}"] = schemas[name]
        schemas[name] = {"x-memo": name}
    return doc


def _map_discriminators(node: object) -> None:
    """The spec names `type` as discriminator without a mapping, so a validator looks for a
    schema called "track"; Spotify's values are the schema names' lower-case stems."""
    if isinstance(node, list):
        for child in node:
            _map_discriminators(child)
        return
    if not isinstance(node, dict):
        return
    discriminator = node.get("discriminator")
    if isinstance(discriminator, dict) and "mapping" not in discriminator and "oneOf" in node:
        refs = [option["$ref"] for option in node["oneOf"] if "$ref" in option]
        discriminator["mapping"] = {
            ref.rsplit("/", 1)[1].removesuffix("Object").lower(): ref for ref in refs
        }
    for child in node.values():
        _map_discriminators(child)


@cache
def _validator(path: str, method: str, status: int) -> Any:
    doc = relaxed_spec()
    if status >= 400:
        return MemoValidator({**ERROR_ENVELOPE, "components": doc["components"]})
    schema = operation_response_schema(path, method, str(status), doc)
    return None if schema is None else MemoValidator(schema)


def spec_mismatch(path: str, method: str, status: int, body: object) -> str | None:
    """None when `body` fits the spec's response for (path, method, status), else why not."""
    if path not in relaxed_spec()["paths"]:
        return f"{path} is not in the spec"
    validator = _validator(path, method.lower(), status)
    if validator is None:
        if body is None:
            return None
        return f"the spec gives {method} {path} {status} no JSON body"
    if body is None:
        return f"the spec wants a JSON body for {method} {path} {status}"
    error = best_match(validator.iter_errors(body))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{method} {path} {status} at /{where}: {error.message[:300]}"
