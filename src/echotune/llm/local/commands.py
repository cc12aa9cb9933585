"""Playback commands: pause, resume, skip, back, devices, move playback to a
device, play or queue what was shown, a named track, or fresh recommendations."""

from __future__ import annotations

import re
from collections.abc import Callable

from echotune.llm.local.history import History, TrackRef
from echotune.llm.local.music import on_track, search_query
from echotune.llm.local.plan import Decision, Plan, Say, plan
from echotune.llm.local.references import Ambiguous, OutOfRange, is_plural, is_pointer, resolve
from echotune.llm.local.replies import ask_which, out_of_range
from echotune.llm.local.slots import cut
from echotune.llm.types import JSONValue

_OBJECT = r"(?:\s+(?:it|this|that|the\s+music|music|playback|playing|the\s+song|the\s+track|" \
          r"again|for\s+a\s+(?:sec|second|moment|bit|minute)))*"  # fmt: skip
_SIMPLE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("pause", re.compile(r"(?i)^(?:pause|stop|hold\s+on|halt|mute|silence|shut\s+up|be\s+quiet|"
                         r"enough|turn\s+(?:it|this|the\s+music)\s+off|turn\s+off\s+the\s+"
                         r"music)" + _OBJECT + "$")),
    ("play", re.compile(r"(?i)^(?:resume|unpause|continue|keep\s+playing|carry\s+on|"
                        r"start\s+playing|play|start(?:\s+the)?\s+music|unmute)(?:\s+(?:playback|the\s+music|"
                        r"music|again|playing))*$")),
    ("next", re.compile(r"(?i)^(?:skip|next|skip\s+to\s+(?:the\s+)?next(?:\s+(?:one|song|track))?|"
                        r"change\s+(?:the|this)\s+(?:song|track)|play\s+something\s+else|"
                        r"skip\s+(?:it|this|that|ahead|forward|this\s+"
                        r"(?:one|song|track)|the\s+(?:song|track)|song|track)|(?:play\s+|go\s+to\s+)?(?:the\s+)?"
                        r"next\s+(?:one|song|track)|another\s+one|i\s+don'?t\s+like\s+this"
                        r"(?:\s+(?:one|song|track))?)$")),
    ("previous", re.compile(r"(?i)^(?:previous|prev|back|go\s+back|rewind|replay|"
                            r"(?:play\s+|go\s+to\s+)?(?:the\s+)?(?:previous|last)\s+(?:song|track)(?:\s+again)?|back\s+"
                            r"(?:one|a\s+(?:song|track)))$")),
)  # fmt: skip
_DEVICES = re.compile(r"(?i)^(?:(?:list|show|what|which|where|see|get)\b.*\b(?:devices?|speakers?)|"
                      r"(?:my\s+)?devices)\b")  # fmt: skip
_TRANSFER = re.compile(
    r"(?i)^(?:play|switch|move|transfer|continue|put|send|cast)(?:\s+(?:it|this|playback|"
    r"the\s+music|music|over|playing))?\s+(?:on|to|onto|over\s+to)\s+(?:my\s+|the\s+)?(?P<device>.+)$"
)  # fmt: skip
_QUEUE = re.compile(
    r"(?i)^queue(?:\s+up)?\s+(?P<a>.+?)(?:\s+next)?$|^(?:add|put)\s+(?P<b>.+?)\s+"
    r"(?:to|in|on|into)\s+(?:the\s+|my\s+)?queue$|^play\s+(?P<c>.+?)\s+next$"
)  # fmt: skip
_PLAY = re.compile(r"(?i)^(?:play|put\s+on|listen\s+to|let'?s\s+(?:hear|listen\s+to)|"
                   r"i\s+want\s+to\s+(?:hear|listen\s+to))\s+(?P<x>.+)$")  # fmt: skip
_FAVOURITES = re.compile(r"(?i)\bmy\s+(?:favou?rites?|faves?|top|usual|most\s+played)\b")
_SOME = re.compile(r"(?i)^(?:some|a\s+few|a\s+bit\s+of|more)\s+|\s+(?:songs|tracks|music|stuff)$")
_NOT_A_DEVICE = re.compile(r"(?i)\b(?:spotify|something|anything|some|songs?|music|next)\b")

_ON_DEVICE = re.compile(r"(?i)\s+on\s+(?:spotify|(?:my|the)\s+[\w'-]+(?:\s+[\w'-]+)?)$")
_MORE = re.compile(r"(?i)^(?:give\s+me\s+|show\s+me\s+|i\s+want\s+|some\s+)?(?:more|another\s+"
                   r"(?:few|batch|round|set|bunch))(?:\s+(?:of\s+(?:those|these|them|that)|songs|"
                   r"tracks|like\s+(?:those|these|them)))?$|^keep\s+(?:them|'em)\s+coming$")
_PLAYER = re.compile(r"(?i)^(?:what(?:'s|\s+is)\s+(?:playing|this\s+(?:song|track)|on)|what\s+"
                     r"(?:song|track)\s+is\s+(?:this|playing)|now\s+playing)\b|\b(?:volume|louder|"
                     r"quieter|shuffle|repeat|turn\s+(?:it\s+)?(?:up|down))\b")  # fmt: skip
CANT_PLAYER = (
    "I can't see what's playing or change volume, shuffle or repeat from here. I can pause, "
    "skip, go back, play or queue tracks, and move playback between your devices."
)

MusicDecider = Callable[[str, History], Decision | None]


def _play_ids(refs: list[TrackRef]) -> Plan:
    ids = list[JSONValue]([ref.id for ref in refs])
    return plan("playback_control", action="play", track_ids=ids)


class PlaybackRules:
    def __init__(self, music: MusicDecider) -> None:
        self._music = music

    def decide(self, text: str, history: History) -> Decision | None:
        if _PLAYER.search(text):
            return Say(CANT_PLAYER)
        if _MORE.match(text):
            ids = list[JSONValue]([ref.id for ref in history.last_list[:5]])
            return plan("recommend", seed_track_ids=ids)
        for action, pattern in _SIMPLE:
            if pattern.match(text):
                return plan("playback_control", action=action)
        if _DEVICES.match(text):
            return plan("playback_control", action="devices")
        transfer = _TRANSFER.match(text)
        if transfer and not _NOT_A_DEVICE.search(transfer["device"]):
            device = cut(transfer["device"])
            return plan("playback_control", action="devices").followed_by("transfer", device)
        queue = _QUEUE.match(text)
        if queue:
            return on_track("queue", next(g for g in queue.groups() if g), history)
        play = _PLAY.match(text)
        return self._play(play["x"], history) if play else None

    def _play(self, what: str, history: History) -> Decision:
        what = _ON_DEVICE.sub("", what) or what  # "... on my speaker": playback goes where it is
        if is_pointer(what):
            return self._play_shown(what, history)
        shown = history.by_name(cut(what))
        if shown is not None:
            return _play_ids([shown])
        if _FAVOURITES.search(what):
            return plan("recommend").followed_by("play_all")
        found = self._music(what, history)
        if (isinstance(found, Plan) and found.then is None and len(found.steps) == 1
                and found.steps[0].tool != "playback_control"):
            return Plan(found.steps, "play_all")
        if isinstance(found, Say):
            return found
        name = cut(_SOME.sub("", what))
        if not name:
            return plan("recommend").followed_by("play_all")
        if _SOME.search(what):
            found = plan("search_catalog", query=search_query(name), limit=10)
            return found.followed_by("play_all")
        return plan("search_catalog", query=search_query(name), limit=5).followed_by("play_first")

    def _play_shown(self, what: str, history: History) -> Decision:
        if is_plural(what) and history.last_list:
            return _play_ids(history.last_list)
        found = resolve(history, what)
        if isinstance(found, TrackRef):
            return _play_ids([found])
        if isinstance(found, Ambiguous):
            return _play_ids(list(found.choices))
        if isinstance(found, OutOfRange):
            return Say(out_of_range(found.size))
        if found is None:
            return plan("playback_control", action="play")
        return Say(ask_which("play"))
