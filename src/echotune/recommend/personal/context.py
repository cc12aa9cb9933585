"""Context: mood, activity and time of day shift the audio-feature targets.

Each context is a set of targets in the attributes' own units, chosen from
how Spotify describes the features (valence = musical positiveness, energy =
intensity, etc.) and typical values of playlists made for that context.
Activity is the most specific signal, so it overrides mood, which overrides
the time of day, attribute by attribute.
"""

from __future__ import annotations

from echotune.errors import InvalidInput

Targets = dict[str, float]

MOODS: dict[str, Targets] = {
    "happy": {"valence": 0.8, "energy": 0.7, "mode": 1.0},
    "sad": {"valence": 0.2, "energy": 0.3, "acousticness": 0.6},
    "calm": {"energy": 0.25, "acousticness": 0.7, "tempo": 90.0, "loudness": -12.0},
    "chill": {"energy": 0.4, "valence": 0.5, "acousticness": 0.4, "tempo": 100.0},
    "energetic": {"energy": 0.9, "tempo": 128.0, "loudness": -4.0},
    "upbeat": {"valence": 0.75, "energy": 0.8, "danceability": 0.7},
    "romantic": {"valence": 0.55, "energy": 0.4, "acousticness": 0.5, "danceability": 0.55},
    "angry": {"energy": 0.95, "valence": 0.25, "loudness": -3.0},
    "dark": {"valence": 0.15, "mode": 0.0, "energy": 0.6},
}

ACTIVITIES: dict[str, Targets] = {
    "workout": {"energy": 0.9, "tempo": 135.0, "danceability": 0.7},
    "running": {"energy": 0.85, "tempo": 165.0, "valence": 0.65},
    "focus": {"instrumentalness": 0.6, "speechiness": 0.04, "energy": 0.4, "liveness": 0.1},
    "study": {"instrumentalness": 0.5, "speechiness": 0.04, "energy": 0.3, "acousticness": 0.6},
    "sleep": {"energy": 0.1, "acousticness": 0.85, "tempo": 70.0, "loudness": -18.0},
    "party": {"danceability": 0.85, "energy": 0.85, "valence": 0.75},
    "commute": {"energy": 0.65, "valence": 0.6},
    "cooking": {"valence": 0.7, "energy": 0.55, "danceability": 0.65},
    "relax": {"energy": 0.25, "acousticness": 0.7, "valence": 0.5},
}

# Gentle defaults by hour (local to the listener when they say so, else UTC):
# only energy, so that any explicit mood or activity wins.
_HOURLY_ENERGY: tuple[tuple[range, float], ...] = (
    (range(6), 0.3),
    (range(6, 10), 0.55),
    (range(10, 18), 0.65),
    (range(18, 22), 0.6),
    (range(22, 24), 0.4),
)

SYNONYMS: dict[str, str] = {
    "upbeat": "upbeat",
    "uplifting": "happy",
    "cheerful": "happy",
    "melancholy": "sad",
    "melancholic": "sad",
    "relaxed": "calm",
    "relaxing": "calm",
    "peaceful": "calm",
    "mellow": "chill",
    "hype": "energetic",
    "pumped": "energetic",
    "gym": "workout",
    "exercise": "workout",
    "run": "running",
    "jogging": "running",
    "concentrate": "focus",
    "work": "focus",
    "studying": "study",
    "sleeping": "sleep",
    "dance": "party",
    "driving": "commute",
    "drive": "commute",
}


def _lookup(kind: str, name: str, table: dict[str, Targets]) -> Targets:
    key = SYNONYMS.get(name.strip().lower(), name.strip().lower())
    if key not in table:
        raise InvalidInput(f"Unknown {kind} '{name}'; choose one of: {', '.join(sorted(table))}")
    return table[key]


def canonical(name: str) -> str:
    key = name.strip().lower()
    return SYNONYMS.get(key, key)


def hour_targets(hour: int) -> Targets:
    if not 0 <= hour <= 23:
        raise InvalidInput(f"hour must be between 0 and 23, got {hour}")
    for hours, energy in _HOURLY_ENERGY:
        if hour in hours:
            return {"energy": energy}
    return {}


def context_targets(mood: str | None, activity: str | None, hour: int | None) -> Targets:
    """The merged targets; a later, more specific context wins per attribute."""
    merged: Targets = {}
    if hour is not None:
        merged.update(hour_targets(hour))
    if mood:
        merged.update(_lookup("mood", mood, MOODS))
    if activity:
        merged.update(_lookup("activity", activity, ACTIVITIES))
    return merged
