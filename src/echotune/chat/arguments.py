"""Reading a tool call's JSON arguments, with errors that name the argument.

Models send numbers as strings and single values where lists are expected;
those are accepted. Anything else is an InvalidInput the model can read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from echotune.errors import InvalidInput
from echotune.llm.types import JSONValue

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


class Args:
    def __init__(self, raw: Mapping[str, JSONValue]) -> None:
        self._raw = raw

    def optional(self, name: str) -> str | None:
        value = self._raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, (str, int, float)):
            return str(value).strip() or None
        raise InvalidInput(f"{name}: expected text, got {type(value).__name__}")

    def text(self, name: str) -> str:
        value = self.optional(name)
        if value is None:
            raise InvalidInput(f"{name} is required")
        return value

    def strings(self, name: str) -> list[str]:
        value = self._raw.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
            return [str(v).strip() for v in value if str(v).strip()]
        raise InvalidInput(f"{name}: expected a list of strings")

    def integer(self, name: str, default: int | None, low: int, high: int) -> int | None:
        value = self._raw.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(float(str(value)))
        except ValueError:
            raise InvalidInput(f"{name}: expected a whole number, got {value!r}") from None
        if not low <= number <= high:
            raise InvalidInput(f"{name} must be between {low} and {high}, got {number}")
        return number

    def limit(self) -> int:
        return self.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT) or DEFAULT_LIMIT

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self._raw.get(name)
        if value is None or value == "":
            return default
        try:
            number = float(str(value))
        except ValueError:
            raise InvalidInput(f"{name}: expected a number, got {value!r}") from None
        return min(max(number, low), high)

    def flag(self, name: str) -> bool:
        value = self._raw.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "yes", "1")
        return bool(value)

    def choice(self, name: str, options: tuple[str, ...], default: str | None) -> str:
        value = (self.optional(name) or default or "").lower()
        if value not in options:
            raise InvalidInput(f"{name} must be one of {', '.join(options)}, got {value!r}")
        return value
