"""The second call of a two-step plan, chosen from the first call's result:
play what came back, queue the best match, move playback to the device the
user named, or read an unknown artist name as a track title."""

from __future__ import annotations

from collections.abc import Sequence

from echotune.llm.local.history import ToolResult, tracks_of
from echotune.llm.local.plan import Plan, Step
from echotune.llm.types import JSONValue


def follow_up(decision: Plan, done: Sequence[ToolResult]) -> Step | None:
    """The next call, or None when the plan is complete (or the first call failed)."""
    made = [result.call.name for result in done]
    if decision.then is None or made != [step.tool for step in decision.steps]:
        return None  # not our first round: someone else's calls, or already followed up
    first = done[0]
    if decision.then == "similar_if_unknown":
        unknown = first.error is not None and "artist" in first.error.lower()
        limit = decision.steps[0].arguments.get("limit")
        args: dict[str, JSONValue] = {"track": decision.target}
        if limit is not None:
            args["limit"] = limit
        return Step("similar_tracks", args) if unknown else None
    if first.error is not None:
        return None
    if decision.then == "transfer":
        device = _device(first.data.get("devices"), decision.target)
        if device is None:
            return None
        return Step("playback_control", {"action": "transfer", "device_id": device})
    tracks = tracks_of(first.data) or []
    if not tracks:
        return None
    if decision.then == "play_all":
        ids = list[JSONValue]([ref.id for ref in tracks])
    else:
        ids = [tracks[0].id]
    action = "queue" if decision.then == "queue_first" else "play"
    return Step("playback_control", {"action": action, "track_ids": ids})


def _device(devices: JSONValue | None, wanted: str) -> str | None:
    """The id of the device whose name (or type: "phone") matches what the user said."""
    wanted = wanted.lower().strip()
    candidates = [d for d in devices if isinstance(d, dict)] if isinstance(devices, list) else []
    for fields in (("name",), ("type",)):
        for device in candidates:
            for field in fields:
                value = str(device.get(field) or "").lower()
                if value and (value in wanted or wanted in value) and device.get("id"):
                    return str(device["id"])
    return None
