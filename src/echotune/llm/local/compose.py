"""The reply written from tool results: numbered "Title — Artist" lists with
each pick's reason, playlist totals and link, stats in short lines, and an
apology with a next step when a tool failed. Every track named here comes
from a tool result; nothing is made up.

Only list lines use "Title — Artist"; sentences say "Title by Artist" and help
lines carry no bullet, because the chat's reply check reads dashed or bulleted
lines as track lines and drops those it cannot find in the catalog."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from echotune.llm.local.history import Data, ToolResult, TrackRef, track_of
from echotune.llm.types import JSONValue

SHOW_AT_MOST = 30

_FAILED = {
    "search_catalog": ("search the catalog", "Try another spelling, or just the artist's name."),
    "recommend": ("get recommendations", "Try fewer filters, like just a mood or a genre."),
    "similar_tracks": ("find similar tracks", "Check the title, or write it as “Title by Artist”."),
    "create_playlist": ("make that playlist", "Try a different length, mood or genre."),
    "get_listening_stats": ("get your listening stats", "Try another period, like “this year”."),
    "explain_recommendation": ("explain that pick", ("Ask about a track from the list, like "
                                                    "“why the first one?”.")),
    "playback_control": ("control playback", ("Make sure Spotify is connected and open on one of "
                                             "your devices, then try again.")),
}  # fmt: skip
_ACTIVITY = {
    "workout": "for your workout", "running": "for running", "focus": "for focus",
    "study": "for studying", "sleep": "for sleep", "party": "for a party",
    "commute": "for your commute", "cooking": "for cooking", "relax": "to relax",
}  # fmt: skip
_PERIOD = {"week": "This week", "month": "This month", "year": "This year", "all": "Overall"}


def compose(results: Sequence[ToolResult], names: Mapping[str, TrackRef]) -> str:
    hidden = _steps_behind(results)
    parts = [_section(r, results, names) for i, r in enumerate(results) if i not in hidden]
    return "\n\n".join(p for p in parts if p) or "Done."


def _steps_behind(results: Sequence[ToolResult]) -> set[int]:
    """Lookups that only served a later step: the search before "play Hello" played
    one track, the device list before a move. The reply names the outcome alone."""
    hidden: set[int] = set()
    for i, result in enumerate(results):
        args = result.call.arguments
        if result.call.name != "playback_control" or result.error is not None:
            continue
        ids = args.get("track_ids")
        one = isinstance(ids, list) and len(ids) == 1 and args.get("action") in ("play", "queue")
        before = "search_catalog" if one else "playback_control"
        if one or args.get("action") == "transfer":
            hidden.update(j for j, earlier in enumerate(results[:i])
                          if earlier.call.name == before and earlier.error is None)  # fmt: skip
    return hidden


def _section(result: ToolResult, everything: Sequence[ToolResult], names: Mapping[str, TrackRef]
             ) -> str:  # fmt: skip
    tool = result.call.name
    if result.error is not None:
        action, hint = _FAILED.get(tool, ("do that", "Please try again."))
        return f"Sorry, I couldn't {action}: {result.error.rstrip('.')}. {hint}"
    if tool == "playback_control":
        return _playback(result, everything, names)
    writer: Callable[[ToolResult], str] | None = _WRITERS.get(tool)
    if writer is not None:
        return writer(result)
    listed = _items(result.data.get("tracks"))
    return _numbered(listed) if listed else ""


def _items(value: JSONValue | None) -> list[Mapping[str, JSONValue]]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict) and track_of(v) is not None]


def _label(item: Mapping[str, JSONValue]) -> str:
    ref = track_of(dict(item))
    return ref.label if ref else "?"


def _numbered(items: Sequence[Mapping[str, JSONValue]]) -> str:
    lines = []
    for i, item in enumerate(items[:SHOW_AT_MOST], 1):
        why = item.get("explanation")
        lines.append(f"{i}. {_label(item)}" + (f" · {why}" if why else ""))
    if len(items) > SHOW_AT_MOST:
        lines.append(f"…and {len(items) - SHOW_AT_MOST} more.")
    return "\n".join(lines)


def _text(args: Mapping[str, JSONValue], key: str) -> str:
    value = args.get(key)
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v)
    return str(value) if value not in (None, "") else ""


def _describe(args: Mapping[str, JSONValue], count: int) -> str:
    """ "10 upbeat rock tracks for running" from the request's arguments."""
    words = " ".join(w for w in (_text(args, "mood"), _text(args, "genres")) if w)
    noun = "track" if count == 1 else "tracks"
    phrase = f"{count} {words} {noun}" if words else f"{count} {noun}"
    activity = _text(args, "activity")
    if activity:
        phrase += " " + _ACTIVITY.get(activity, f"for {activity}")
    artists = args.get("seed_artists")
    if isinstance(artists, list) and artists:
        phrase += " like " + " and ".join(str(a) for a in artists)
    return phrase


def _spoken_query(query: str) -> str:
    """`track:"Hello" artist:"Adele"` as a person would say it: Hello by Adele."""
    fields = dict(re.findall(r'(\w+):"([^"]*)"', query))
    years = re.search(r"year:(\d{4})-\d{4}", query)
    if not fields and not years:
        return query
    artist = fields.get("artist")
    parts = [fields.get("track", ""), f"by {artist}" if artist else "", fields.get("genre", ""),
             f"from the {years.group(1)}s" if years else ""]  # fmt: skip
    return " ".join(p for p in parts if p)


def _search(result: ToolResult) -> str:
    query = _spoken_query(_text(result.call.arguments, "query"))
    listed = _items(result.data.get("tracks"))
    if not listed:
        return (f"I couldn't find anything for “{query}” in the catalog. "
                "Try another spelling, or just the artist's name.")  # fmt: skip
    return f"Here's what I found for “{query}”:\n{_numbered(listed)}"


def _recommend(result: ToolResult) -> str:
    listed = _items(result.data.get("tracks"))
    if not listed:
        return "I couldn't find tracks for that. Try fewer filters, like just a mood or a genre."
    head = f"Here are {_describe(result.call.arguments, len(listed))}, picked for you:"
    text = f"{head}\n{_numbered(listed)}"
    if result.data.get("cold_start"):
        text += ("\n(I don't know your taste yet, so these are popular picks. Play a few and "
                 "I'll tailor the next ones.)")  # fmt: skip
    return text


def _similar(result: ToolResult) -> str:
    seed = track_of(result.data.get("seed"))
    like = seed.spoken if seed else _text(result.call.arguments, "track")
    listed = _items(result.data.get("tracks"))
    if not listed:
        return f"I couldn't find tracks like {like}. Try another track."
    return f"Tracks like {like}:\n{_numbered(listed)}"


def _playlist(result: ToolResult) -> str:
    playlist = result.data.get("playlist")
    data: Data = playlist if isinstance(playlist, dict) else {}
    listed = _items(data.get("tracks"))
    if not listed:
        return "I couldn't find tracks for that playlist. Try a broader mood or genre."
    duration = data.get("duration_ms")
    minutes = round(duration / 60_000) if isinstance(duration, (int, float)) else None
    total = f"{len(listed)} track{'s' if len(listed) != 1 else ''}"
    total += f", {minutes} min" if minutes else ""
    text = f"I made “{_text(data, 'name') or 'your playlist'}” ({total}):\n{_numbered(listed)}"
    spotify = result.data.get("spotify")
    url = spotify.get("url") if isinstance(spotify, dict) else None
    if url:
        return f"{text}\nIt's on your Spotify: {url}"
    if result.call.arguments.get("push_to_spotify"):
        return f"{text}\nI couldn't save it to Spotify this time."
    return f"{text}\nSay “push it to Spotify” to save it there."


def _stats(result: ToolResult) -> str:
    data = result.data
    period = _text(data, "period") or _text(result.call.arguments, "period") or "month"
    label = _PERIOD.get(period, f"Over the {period}")
    plays = data.get("plays")
    if not plays:
        return f"{label} I don't see any plays yet. Listen a little, then ask me again."
    lines = [f"{label}: {plays} plays, {data.get('minutes') or 0} minutes of music."]
    tracks = _tops(data.get("top_tracks"), with_artist=True)
    if tracks:
        lines.append("Your top tracks:")
        lines.extend(f"{i}. {line}" for i, line in enumerate(tracks, 1))
    for key, title in (("top_artists", "Top artists"), ("top_genres", "Top genres")):
        tops = _tops(data.get(key), with_artist=False)
        if tops:
            lines.append(f"{title}: " + ", ".join(tops))
    return "\n".join(lines)


def _tops(value: JSONValue | None, with_artist: bool, limit: int = 5) -> list[str]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get("name"):
            artist = item.get("artist") if with_artist else None
            name = f"{item['name']} — {artist}" if artist else str(item["name"])
            plays = item.get("plays")
            out.append(f"{name} ({plays} plays)" if plays and with_artist else
                       f"{name} ({plays})" if plays else name)  # fmt: skip
    return out[:limit]


def _explain(result: ToolResult) -> str:
    track = track_of(result.data.get("track"))
    like = track.spoken if track else _text(result.call.arguments, "track")
    reasons = result.data.get("reasons")
    found = [str(r) for r in reasons if r] if isinstance(reasons, list) else []
    if not found:
        return f"I don't have a specific reason for {like}; it fits your overall taste."
    return f"Why I picked {like}: " + "; ".join(r.rstrip(".") for r in found) + "."


def _playback(result: ToolResult, everything: Sequence[ToolResult],
              names: Mapping[str, TrackRef]) -> str:  # fmt: skip
    args, data = result.call.arguments, result.data
    if data.get("ok") is False:
        return f"Sorry, that didn't work: {_text(data, 'message') or 'no details'}."
    action = _text(args, "action")
    ids = args.get("track_ids")
    shown = [names[str(i)] for i in ids if str(i) in names] if isinstance(ids, list) else []
    if action == "devices":
        return _devices(data.get("devices"))
    if action == "transfer":
        device = _device_name(everything, _text(args, "device_id"))
        return f"Moved playback to {device}." if device else "Moved playback."
    if action in ("play", "queue") and shown:
        first = shown[0].spoken
        if action == "queue":
            return f"Added {first} to your queue."
        return f"Playing {first}." if len(shown) == 1 else (
            f"Playing {len(shown)} tracks, starting with {first}.")  # fmt: skip
    said = {"play": "Playing.", "pause": "Paused.", "next": "Skipped to the next track.",
            "previous": "Back to the previous track.", "queue": "Added to your queue."}
    return said.get(action, _text(data, "message") or "Done.")


def _devices(value: JSONValue | None) -> str:
    devices = [d for d in value if isinstance(d, dict)] if isinstance(value, list) else []
    if not devices:
        return ("I don't see any Spotify devices. Open Spotify on a phone or computer, "
                "then ask again.")  # fmt: skip
    lines = []
    for i, device in enumerate(devices, 1):
        extra = ", playing now" if device.get("is_active") else ""
        lines.append(f"{i}. {device.get('name')} ({device.get('type') or 'device'}{extra})")
    return "Your Spotify devices:\n" + "\n".join(lines)


def _device_name(results: Sequence[ToolResult], device_id: str) -> str:
    for result in results:
        devices = result.data.get("devices")
        for device in devices if isinstance(devices, list) else []:
            if isinstance(device, dict) and device.get("id") == device_id:
                return str(device.get("name"))
    return ""


_WRITERS: dict[str, Callable[[ToolResult], str]] = {
    "search_catalog": _search, "recommend": _recommend, "similar_tracks": _similar,
    "create_playlist": _playlist, "get_listening_stats": _stats,
    "explain_recommendation": _explain,
}  # fmt: skip
