"""What the assistant decides for a user turn: tool calls to make (a Plan), or
words to say back (Say). A Plan may name one follow-up, made once the first
results are in ("play something chill": recommend, then play what came back)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from echotune.llm.types import JSONValue

Args = dict[str, JSONValue]

FollowUp = Literal[
    "play_all",  # play every track the first call returned
    "play_first",  # play the best match only
    "queue_first",  # queue the best match
    "transfer",  # move playback to the device named `target`
    "similar_if_unknown",  # recommend by artist failed: treat the name as a track
]


@dataclass(frozen=True)
class Step:
    tool: str
    arguments: Args = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    then: FollowUp | None = None
    target: str = ""

    def followed_by(self, then: FollowUp, target: str = "") -> Plan:
        return Plan(self.steps, then, target)


@dataclass(frozen=True)
class Say:
    text: str


Decision = Plan | Say


def plan(tool: str, **arguments: JSONValue) -> Plan:
    """One call; arguments that are None or empty are left out, as a model would."""
    args: Args = {k: v for k, v in arguments.items() if v is not None and v != [] and v != ""}
    return Plan((Step(tool, args),))
