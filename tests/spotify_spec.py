"""Validate response bodies against the official Spotify Web API OpenAPI schemas."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

SPEC_PATH = Path(__file__).parent / "data" / "spotify-openapi" / "official-spotify-open-api.yml"


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    # The spec contradicts itself here: the schema types a seed's href as a
    # string while its description says "For genre seeds, this value will be
    # null", which is what Spotify answered. We follow the description.
    seed = loaded["components"]["schemas"]["RecommendationSeedObject"]
    seed["properties"]["href"]["nullable"] = True
    return loaded


def response_schema(path: str, status: str = "200") -> dict[str, Any]:
    """The JSON schema of an operation's response, with refs resolvable."""
    doc = spec()
    response = doc["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    return {**schema, "components": doc["components"]}


def assert_matches(path: str, body: object, status: str = "200") -> None:
    """Raise jsonschema.ValidationError when `body` does not fit the spec."""
    OAS30Validator(response_schema(path, status)).validate(body)


def schema_required(name: str) -> list[str]:
    return list(spec()["components"]["schemas"][name].get("required", []))


def operation_response_schema(
    path: str, method: str, status: str = "200", doc: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Like `response_schema` for any method; None when that response has no JSON body.

    `doc` defaults to `spec()`; the fake Spotify passes its own copy with null relaxations.
    """
    doc = spec() if doc is None else doc
    responses = doc["paths"][path][method.lower()]["responses"]
    if status not in responses:
        return None
    response = responses[status]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    content = response.get("content", {}).get("application/json")
    if content is None:
        return None
    return {**content["schema"], "components": doc["components"]}
