"""Requests for music: a playlist, more like a track or an artist, a catalog
search, or recommendations. Each rule returns None when it does not apply."""

from __future__ import annotations

import re
from collections.abc import Mapping

from echotune.llm.local.history import History, TrackRef
from echotune.llm.local.plan import Args, Decision, FollowUp, Plan, Say, plan
from echotune.llm.local.references import Ambiguous, OutOfRange, is_plural, is_pointer, resolve
from echotune.llm.local.replies import NO_PLAYLIST, Question, ask_playlist, ask_which, out_of_range
from echotune.llm.local.slots import Entity, Slots, entity, slots, split_names
from echotune.llm.local.vocabulary import Lexicon
from echotune.llm.types import JSONValue

_PLAYLIST = re.compile(r"(?i)\b(?:playlists?|play\s+list|mixtape|mix(?!\s+it\s+up))\b")
_CREATE = re.compile(r"(?i)\b(?:make|build|create|generate|put\s+together|compile|assemble|"
                     r"curate|start)\b")  # fmt: skip
_SPOTIFY = re.compile(
    r"(?i)\b(?:push|save|send|export|add|put|upload|sync|copy|move|store)\b.*\bspotify\b"
    r"|\bon(?:to)?\s+(?:my\s+)?spotify\b"
)  # fmt: skip
_FROM_THESE = re.compile(
    r"(?i)\b(?:from|with|of|out\s+of|using|based\s+on)\s+(?:these|those|them|the(?:se)?\s+"
    r"(?:songs|tracks|ones))\b|\b(?:make|turn)\s+(?:it|them|these|that|those)\s+into\b"
)  # fmt: skip
_SEARCH = re.compile(
    r"(?i)^(?:find|search(?:\s+for)?|look(?:ing)?\s+(?:up|for)|lookup|do\s+you\s+have|is\s+there|"
    r"are\s+there|have\s+you\s+got|got\s+any|who\s+(?:sings|sang|made|wrote|performs|did|is|"
    r"are|was)|"
    r"what\s+album\s+is)\b\s*(?P<x>.*)$"
)  # fmt: skip
_SEARCH_LEAD = re.compile(r"(?i)^(?:me\s+)?(?:(?:a|an|the|some|any)\s+)?(?:(?:songs?|tracks?|music|"
                          r"tunes?)\s*)?(?:(?:called|named|titled)\s+)?")  # fmt: skip
_NAME = re.compile(r"\s[A-Z][\w'&]*")  # a capitalised word past the first: part of a name
_CHANGE = re.compile(r"(?i)^(?:now\s+)?(?:make\s+it|can\s+(?:it|you\s+make\s+it)\s+be|"
                     r"change\s+it\s+to|redo\s+it\s+(?:as|with|for))\b")  # fmt: skip
_LONGER = re.compile(r"(?i)\b(?:longer|bigger|more\s+(?:songs|tracks))\b")
_SHORTER = re.compile(r"(?i)\b(?:shorter|smaller|fewer\s+(?:songs|tracks)|less\s+long)\b")
_DECADE = re.compile(r"(?i)\b(?:the\s+)?(?:19|20)?([0-9])0'?s\b")
_ASKS = re.compile(
    r"(?i)\b(?:recommend\w*|suggest\w*|something|anything|songs?|tracks?|music|tunes?|bangers|"
    r"jams|listen\w*|put\s+on|vibes?|mood|feeling|surprise\s+me|discover|new\s+music|"
    r"what\s+should\s+i\s+(?:play|hear)|whatever|dunno|idk|i\s+don'?t\s+know|you\s+(?:choose|"
    r"pick|decide))\b"
)  # fmt: skip
_ANYTHING = re.compile(r"(?i)\b(?:surprise|anything|whatever|you\s+(?:choose|pick|decide)|"
                       r"up\s+to\s+you|doesn'?t\s+matter|any|default|go\s+ahead|sure|yes|"
                       r"ok(?:ay)?|just\s+do\s+it)\b")  # fmt: skip

MAX_LIMIT = 50
MAX_PLAYLIST = 200


def search_query(value: str) -> str:
    """A search for a name; "Title by Artist" becomes field filters the catalog reads."""
    match = re.match(r"(?i)^(?P<t>.+?)\s+by\s+(?P<a>.+)$", value)
    if match:
        return f'track:"{match["t"].strip()}" artist:"{match["a"].strip()}"'
    return value


class MusicRules:
    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon

    def decide(self, text: str, history: History) -> Decision | None:
        for rule in (self.playlist, self.similar, self.search, self.recommend):
            decision = rule(text, history)
            if decision is not None:
                return decision
        return None

    def parse(self, text: str) -> tuple[Entity | None, Slots]:
        found = entity(text)
        if found is not None and found.kind == "artist" and self._only_words(found.value):
            found = None  # "songs like chill jazz", "I love jazz": words, not a name
        return found, slots(text, self._lexicon, found.span if found else None)

    def _only_words(self, value: str) -> bool:
        said = slots(value, self._lexicon)
        return said.shaping and not said.unknown_words

    def playlist(self, text: str, history: History) -> Decision | None:
        found, wanted = self.parse(text)
        if _CHANGE.match(text) and history.playlist_args is not None:
            changed = _changed(history.playlist_args, text, wanted)
            if changed is not None:
                return plan("create_playlist", **changed)
        push = bool(_SPOTIFY.search(text))
        new = bool(
            wanted.minutes or wanted.count or wanted.shaping or _CREATE.search(text)
            or _FROM_THESE.search(text) or (found and found.kind == "called")
        )  # fmt: skip
        if push and not new:
            if history.playlist_args is None:
                return Say(NO_PLAYLIST)
            return plan("create_playlist", **{**history.playlist_args, "push_to_spotify": True})
        if not _PLAYLIST.search(text) and wanted.minutes is None:
            return None  # a length alone asks for a playlist: "an hour of jazz"
        return self.build_playlist(text, found, wanted, history, push)

    def build_playlist(
        self, text: str, found: Entity | None, wanted: Slots, history: History, push: bool
    ) -> Decision:
        args = wanted.recommend_args()
        args.pop("diversity", None)
        if found and found.kind == "called":
            args["name"] = found.value
        elif found and found.kind == "artist":
            args["seed_artists"] = list[JSONValue](split_names(found.value))
        seeds = _seed_ids(text, found, history)
        if seeds:
            args["seed_track_ids"] = list[JSONValue](seeds)
        if wanted.minutes:
            args["minutes"] = min(wanted.minutes, 600)
        elif wanted.count:
            args["n_tracks"] = min(wanted.count, MAX_PLAYLIST)
        elif not set(args) - {"name"} and not _ANYTHING.search(text):
            return Say(ask_playlist())  # a name alone says nothing of length or content
        return plan("create_playlist", push_to_spotify=True if push else None, **args)

    def answer_playlist(self, text: str, history: History) -> Decision | None:
        """The reply to "how long should it be?", merged with the first request."""
        found, wanted = self.parse(text)
        if not (wanted.minutes or wanted.count or wanted.shaping or _ANYTHING.search(text)):
            return None
        first, before = self.parse(history.previous_user)
        push = bool(_SPOTIFY.search(text) or _SPOTIFY.search(history.previous_user))
        merged = before.merged(wanted)
        decision = self.build_playlist(text, found or first, merged, history, push)
        return decision if isinstance(decision, Plan) else plan("create_playlist")

    def similar(self, text: str, history: History) -> Decision | None:
        found, wanted = self.parse(text)
        if found is None or found.kind not in ("track", "artist"):
            return None
        limit = min(wanted.count, MAX_LIMIT) if wanted.count else None
        if is_plural(found.value):
            if len(history.last_list) < 2:
                return on_track("similar", found.value, history, limit=limit)
            ids = list[JSONValue]([ref.id for ref in history.last_list[:5]])
            return plan("recommend", limit=limit, seed_track_ids=ids, **wanted.recommend_args())
        if is_pointer(found.value) or found.title_by or found.kind == "track":
            return on_track("similar", found.value, history, limit=limit)
        artists = split_names(found.value)
        args = {**wanted.recommend_args(), "seed_artists": list[JSONValue](artists)}
        found_plan = plan("recommend", limit=limit, **args)
        if len(artists) > 1:
            return found_plan
        return found_plan.followed_by("similar_if_unknown", artists[0])

    def search(self, text: str, history: History) -> Decision | None:
        match = _SEARCH.match(text)
        found, wanted = self.parse(text)
        limit = min(wanted.count, MAX_LIMIT) if wanted.count else None
        if found is not None and found.kind == "by_artist":
            query = f'artist:"{found.value}"'
            if len(wanted.genres) == 1:
                query += f' genre:"{wanted.genres[0]}"'
            return plan("search_catalog", query=query, limit=limit)
        rest = _SEARCH_LEAD.sub("", match["x"]).strip() if match else text
        decade = _DECADE.search(rest)
        if decade:
            start = _decade_start(decade.group(0))
            genre = f' genre:"{wanted.genres[0]}"' if wanted.genres else ""
            return plan("search_catalog", query=f"year:{start}-{start + 9}{genre}", limit=limit)
        if match is None:
            return None
        if found is not None and found.kind == "called":
            rest = found.value
        elif not rest:
            return None
        elif not slots(rest, self._lexicon).unknown_words:
            return self.recommend(text, history)
        name = re.sub(r"[?.!]+$|\s+on$", "", rest).strip()
        return plan("search_catalog", query=search_query(name), limit=limit) if name else None

    def recommend(self, text: str, history: History) -> Decision | None:
        _, wanted = self.parse(text)
        asked = _ASKS.search(text)
        if not (wanted.shaping or wanted.diverse or wanted.negated or asked):
            return None
        if not asked and wanted.unknown_words and _NAME.search(text):
            return None  # "Daft Punk" names an artist, it does not ask for punk
        if wanted.count and wanted.count > MAX_LIMIT:
            return plan("create_playlist", n_tracks=min(wanted.count, MAX_PLAYLIST),
                        **{k: v for k, v in wanted.recommend_args().items() if k != "diversity"})
        limit = wanted.count if wanted.count else None
        return plan("recommend", limit=limit, **wanted.recommend_args())


def on_track(
    question: Question, phrase: str, history: History, limit: int | None = None
) -> Decision:
    """An action on one track the user named or pointed at."""
    found = resolve(history, phrase)
    if isinstance(found, Ambiguous):
        return Say(ask_which(question, found.choices))
    if isinstance(found, OutOfRange):
        return Say(out_of_range(found.size))
    if found is None:
        return Say(ask_which(question))
    if isinstance(found, TrackRef):
        return _track_plan(question, found.id, limit, known=True)
    return _track_plan(question, found, limit, known=False)


def _track_plan(question: Question, track: str, limit: int | None, known: bool) -> Plan:
    if question == "explain":
        return plan("explain_recommendation", track=track)
    if question == "similar":
        return plan("similar_tracks", track=track, limit=limit)
    action = "play" if question == "play" else "queue"
    if known:
        return plan("playback_control", action=action, track_ids=list[JSONValue]([track]))
    then: FollowUp = "play_first" if question == "play" else "queue_first"
    return plan("search_catalog", query=search_query(track), limit=5).followed_by(then)


def _seed_ids(text: str, found: Entity | None, history: History) -> list[str]:
    if _FROM_THESE.search(text):
        return [ref.id for ref in history.last_list[:5]]
    if found and found.kind == "track":
        ref = resolve(history, found.value)
        return [ref.id] if isinstance(ref, TrackRef) else []
    return []


def _changed(before: Mapping[str, JSONValue], text: str, wanted: Slots) -> Args | None:
    """The last playlist's arguments with what "make it ..." changes, or None."""
    args = dict(before)
    args.pop("push_to_spotify", None)
    size = args.get("minutes") or args.get("n_tracks") or 20
    grow = 1.5 if _LONGER.search(text) else 0.5 if _SHORTER.search(text) else None
    if wanted.minutes or wanted.count:
        args.pop("minutes", None), args.pop("n_tracks", None)
        args.update({"minutes": wanted.minutes} if wanted.minutes else {"n_tracks": wanted.count})
    elif grow is not None and isinstance(size, int):
        key = "minutes" if "minutes" in args else "n_tracks"
        args[key] = max(1, round(size * grow))
    elif not wanted.shaping:
        return None
    args.update({k: v for k, v in wanted.recommend_args().items() if k != "diversity"})
    return args


def _decade_start(text: str) -> int:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return int(digits)
    value = int(digits)
    return 1900 + value if value >= 30 else 2000 + value

