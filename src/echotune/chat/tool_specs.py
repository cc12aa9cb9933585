"""The music tools every provider is offered, as JSON Schemas (names and arguments are
the contract the offline assistant speaks too)."""

from __future__ import annotations

from echotune.llm.types import JSONValue, ToolSpec


def _obj(props: dict[str, JSONValue], required: list[str] | None = None) -> dict[str, JSONValue]:
    schema: dict[str, JSONValue] = {"type": "object", "properties": props}
    if required:
        schema["required"] = list[JSONValue](required)
    return schema


_STR: dict[str, JSONValue] = {"type": "string"}
_STRS: dict[str, JSONValue] = {"type": "array", "items": {"type": "string"}}
_LIMIT: dict[str, JSONValue] = {"type": "integer", "minimum": 1, "maximum": 50}

SEARCH_CATALOG = ToolSpec(
    "search_catalog",
    "Search the music catalog by words, title, artist, album, genre or year "
    "(filters like artist:Adele track:Hello genre:rock year:1990-1999).",
    _obj({"query": _STR, "limit": _LIMIT}, ["query"]),
)
RECOMMEND = ToolSpec(
    "recommend",
    "Personal recommendations for the user, shaped by mood, activity, genres, seed tracks "
    "or seed artists. Returns tracks with a one-line explanation each.",
    _obj({
        "mood": {"type": "string", "description": "happy, sad, calm, chill, energetic, upbeat, "
                 "romantic, angry, dark"},
        "activity": {"type": "string", "description": "workout, running, focus, study, sleep, "
                     "party, commute, cooking, relax"},
        "genres": _STRS, "seed_track_ids": _STRS, "seed_artists": _STRS, "limit": _LIMIT,
        "diversity": {"type": "number", "minimum": 0, "maximum": 1},
    }),
)
SIMILAR_TRACKS = ToolSpec(
    "similar_tracks",
    "Tracks that sound like one track (given by id or as 'Title by Artist').",
    _obj({"track": _STR, "limit": _LIMIT}, ["track"]),
)
CREATE_PLAYLIST = ToolSpec(
    "create_playlist",
    "Build a playlist of n_tracks tracks or about `minutes` minutes from the user's taste, "
    "shaped like `recommend`; push_to_spotify writes it to the user's Spotify account.",
    _obj({
        "name": _STR, "n_tracks": {"type": "integer", "minimum": 1, "maximum": 200},
        "minutes": {"type": "integer", "minimum": 1, "maximum": 600},
        "mood": _STR, "activity": _STR, "genres": _STRS, "seed_track_ids": _STRS,
        "seed_artists": _STRS, "push_to_spotify": {"type": "boolean"},
    }),
)
LISTENING_STATS = ToolSpec(
    "get_listening_stats",
    "The user's listening statistics: plays, minutes, top tracks, artists and genres.",
    _obj({"period": {"type": "string", "enum": ["week", "month", "year", "all"]}}),
)
EXPLAIN = ToolSpec(
    "explain_recommendation",
    "Why a track is recommended to this user (given by id or as 'Title by Artist').",
    _obj({"track": _STR}, ["track"]),
)
PLAYBACK = ToolSpec(
    "playback_control",
    "Control playback on the user's Spotify devices.",
    _obj({
        "action": {"type": "string", "enum": ["play", "pause", "next", "previous", "queue",
                                              "devices", "transfer"]},
        "track_ids": _STRS, "device_id": _STR,
    }, ["action"]),
)

MUSIC_TOOLS: tuple[ToolSpec, ...] = (
    SEARCH_CATALOG, RECOMMEND, SIMILAR_TRACKS, CREATE_PLAYLIST, LISTENING_STATS, EXPLAIN, PLAYBACK,
)
