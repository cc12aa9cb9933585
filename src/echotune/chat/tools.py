"""The music tools: each runs the same domain service as the API does.

A tool never raises into the conversation: a domain error becomes
`{"error": message}` in the tool result, which the model reads and explains.
Every track a tool returns comes from the catalog, so the chat can show it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from echotune.catalog.models import Track
from echotune.chat.arguments import Args
from echotune.chat.playlist_tool import PlaylistTool
from echotune.chat.tracks import TrackFinder, track_json
from echotune.errors import EchotuneError
from echotune.listening.stats import StatsService
from echotune.llm.types import JSONValue, ToolCall
from echotune.playback.service import PlaybackService, PlayRequest
from echotune.recommend.personal.models import PersonalRequest, RecommendedTrack
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.recommend.query import RecommendationQuery
from echotune.recommend.service import DiscoveryService
from echotune.users.models import User

Result = dict[str, JSONValue]


@dataclass
class ToolContext:
    user: User
    # Tracks shown earlier in this conversation, with their explanation if any.
    shown: dict[str, dict[str, JSONValue]] = field(default_factory=dict)


class MusicTools:
    def __init__(
        self,
        finder: TrackFinder,
        discovery: DiscoveryService,
        personal: PersonalRecommendationService,
        stats: StatsService,
        playlists: PlaylistTool,
        playback: PlaybackService,
    ) -> None:
        self._finder = finder
        self._discovery = discovery
        self._personal = personal
        self._stats = stats
        self._playlists = playlists
        self._playback = playback
        self._tools: Mapping[str, Callable[[Args, ToolContext], Awaitable[Result]]] = {
            "search_catalog": self.search_catalog,
            "recommend": self.recommend,
            "similar_tracks": self.similar_tracks,
            "create_playlist": self.create_playlist,
            "get_listening_stats": self.listening_stats,
            "explain_recommendation": self.explain,
            "playback_control": self.playback_control,
        }

    async def run(self, call: ToolCall, ctx: ToolContext) -> Result:
        tool = self._tools.get(call.name)
        if tool is None:
            return {"error": f"Unknown tool '{call.name}'; use one of {', '.join(self._tools)}"}
        try:
            result = await tool(Args(call.arguments), ctx)
        except (EchotuneError, ValidationError) as exc:
            message = exc.message if isinstance(exc, EchotuneError) else _first_error(exc)
            return {"error": message}
        for item in _tracks_in(result):
            ctx.shown[str(item["id"])] = item
        return result

    async def search_catalog(self, args: Args, ctx: ToolContext) -> Result:
        tracks = await self._finder.search(args.text("query"), args.limit())
        return {"tracks": [track_json(t) for t in tracks]}

    async def recommend(self, args: Args, ctx: ToolContext) -> Result:
        request = await self._personal_request(args, args.limit())
        found = await self._personal.recommend(ctx.user.id, request)
        return {"tracks": [recommended_json(t) for t in found.items],
                "cold_start": found.cold_start}  # fmt: skip

    async def _personal_request(self, args: Args, limit: int) -> PersonalRequest:
        seeds = list(args.strings("seed_track_ids"))
        for artist in args.strings("seed_artists"):
            hits = await self._finder.search(f'artist:"{artist}"', 1)
            if not hits:
                raise EchotuneError(f"No artist named '{artist}' in the catalog")
            seeds.append(hits[0].id)
        return PersonalRequest(
            limit=limit, mood=args.optional("mood"), activity=args.optional("activity"),
            genres=tuple(args.strings("genres"))[:5], seed_tracks=tuple(seeds)[:5],
            diversity=args.number("diversity", 0.3, 0.0, 1.0),
        )

    async def similar_tracks(self, args: Args, ctx: ToolContext) -> Result:
        seed = await self._finder.find(args.text("track"))
        query = RecommendationQuery(seed_tracks=(seed.id,), limit=args.limit())
        found = await self._discovery.recommend(query, "")
        known = await self._finder.known([t.id for t in found.tracks])
        tracks = [track_json(known[t.id]) for t in found.tracks if t.id in known]
        return {"seed": track_json(seed), "tracks": list[JSONValue](tracks)}

    async def create_playlist(self, args: Args, ctx: ToolContext) -> Result:
        return await self._playlists.create(args, ctx.user, self._personal_request)

    async def listening_stats(self, args: Args, ctx: ToolContext) -> Result:
        period = args.choice("period", ("week", "month", "year", "all"), "month")
        stats = await self._stats.stats(ctx.user.id, period)  # type: ignore[arg-type]
        return stats.model_dump(mode="json")

    async def explain(self, args: Args, ctx: ToolContext) -> Result:
        track = await self._finder.find(args.text("track"))
        shown = ctx.shown.get(track.id, {}).get("explanation")
        reasons = [str(shown)] if shown else await self._reasons(ctx.user, track)
        return {"track": track_json(track), "reasons": list[JSONValue](reasons)}

    async def _reasons(self, user: User, track: Track) -> list[str]:
        found = await self._personal.recommend(
            user.id, PersonalRequest(limit=5, seed_tracks=(track.id,), include_played=True)
        )
        summary = await self._personal.taste_summary(user.id)
        reasons = [r.text for item in found.items[:1] for r in item.reasons][:2]
        if track.genre and track.genre in summary.top_genres:
            reasons.append(f"from one of your top genres, {track.genre}")
        if track.artist_name in summary.top_artists:
            reasons.append(f"by {track.artist_name}, one of your most played artists")
        return reasons or ["it fits the audio profile of what you play most"]

    async def playback_control(self, args: Args, ctx: ToolContext) -> Result:
        action = args.choice("action", ("play", "pause", "next", "previous", "queue", "devices",
                                        "transfer"), None)  # fmt: skip
        user, device = ctx.user.id, args.optional("device_id")
        if action == "devices":
            devices = await self._playback.devices(user)
            return {"ok": True, "devices": [d.model_dump(mode="json") for d in devices]}
        if action == "play":
            await self._playback.play(user, PlayRequest(device_id=device,
                                                        track_ids=list(args.strings("track_ids"))))
        elif action == "queue":
            for track_id in args.strings("track_ids") or [args.text("track_ids")]:
                await self._playback.queue(user, track_id, device)
        elif action == "transfer":
            await self._playback.transfer(user, args.text("device_id"), play=True)
        else:
            await getattr(self._playback, action)(user, device)
        return {"ok": True, "message": f"{action}: done"}


def recommended_json(item: RecommendedTrack) -> dict[str, JSONValue]:
    return {
        "id": item.id, "name": item.name, "artist": item.artist_name, "album": item.album_name,
        "genre": item.genre, "explanation": "; ".join(r.text for r in item.reasons[:2]) or None,
    }


def _tracks_in(result: Result) -> list[dict[str, JSONValue]]:
    found: list[dict[str, JSONValue]] = []
    for key in ("tracks", "seed", "track"):
        value = result.get(key)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        found.extend(i for i in items if isinstance(i, dict) and "id" in i)
    playlist = result.get("playlist")
    if isinstance(playlist, dict):
        found.extend(_tracks_in(playlist))
    return found


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])
