"""Driver errors become `echotune.errors` here, at the backend's boundary."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError
from pymongo.errors import ConnectionFailure, PyMongoError

from echotune.errors import StorageError, StorageUnavailable

P = ParamSpec("P")
R = TypeVar("R")

# Driver messages can carry a whole topology description; the head says enough.
_MAX_DETAIL = 300


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= _MAX_DETAIL else text[:_MAX_DETAIL] + "..."


@contextmanager
def translate(operation: str) -> Iterator[None]:
    """Re-raise PyMongo errors (and undecodable stored documents) as StorageError."""
    try:
        yield
    except ConnectionFailure as exc:
        # Covers AutoReconnect, NetworkTimeout and ServerSelectionTimeoutError.
        raise StorageUnavailable(f"MongoDB unreachable ({operation}): {_short(exc)}") from exc
    except PyMongoError as exc:
        raise StorageError(f"MongoDB failed ({operation}): {_short(exc)}") from exc
    except ValidationError as exc:
        raise StorageError(
            f"MongoDB holds an invalid document ({operation}): {_short(exc)}"
        ) from exc


def translated(fn: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Decorate a repository coroutine method with `translate`."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translate(fn.__name__):
            return await fn(*args, **kwargs)

    return wrapper
