"""Browser sessions after a Spotify login: a random cookie value, stored only hashed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from echotune.accounts.models import Session
from echotune.errors import Unauthorized
from echotune.storage.base import SessionRepo, UserRepo
from echotune.users.models import User
from echotune.users.service import hash_token

SESSION_COOKIE = "echotune_session"
SESSION_PREFIX = "ets_"


def _now() -> datetime:
    return datetime.now(UTC)


class SessionService:
    def __init__(
        self,
        sessions: SessionRepo,
        users: UserRepo,
        lifetime: timedelta,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._sessions = sessions
        self._users = users
        self._lifetime = lifetime
        self._clock = clock

    @property
    def lifetime(self) -> timedelta:
        return self._lifetime

    async def start(self, user_id: str) -> str:
        """A new session for the user; the cookie value is returned once, never stored."""
        secret = SESSION_PREFIX + secrets.token_urlsafe(32)
        now = self._clock()
        await self._sessions.add(
            Session(
                id_hash=hash_token(secret),
                user_id=user_id,
                created_at=now,
                expires_at=now + self._lifetime,
            )
        )
        return secret

    async def authenticate(self, secret: str) -> User:
        session = await self._sessions.get_active(hash_token(secret), self._clock())
        user = await self._users.get(session.user_id) if session else None
        if user is None:
            raise Unauthorized("Session expired or unknown; log in again at /auth/login")
        return user

    async def end(self, secret: str) -> None:
        await self._sessions.delete(hash_token(secret))
