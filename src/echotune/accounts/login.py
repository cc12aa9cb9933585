"""Log in with Spotify: Authorization Code with PKCE (S256) and a one-time state.

start()    -> the authorize URL; the state and PKCE verifier are stored, once.
complete() -> checks the state (popped: a replayed or forged one is refused),
              exchanges the code, asks Spotify who logged in, creates or updates
              the EchoTune user and its link (tokens encrypted), starts a session.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from echotune.accounts.connections import SpotifyConnections
from echotune.accounts.crypto import TokenCipher
from echotune.accounts.models import LoginAttempt, SpotifyLink
from echotune.accounts.sessions import SessionService
from echotune.accounts.spotify_errors import spotify_errors
from echotune.accounts.token_source import StaticTokenSource
from echotune.errors import InvalidInput, Unauthorized
from echotune.spotify.client import SpotifyClient
from echotune.spotify.models import SpotifyUser
from echotune.spotify.oauth import TokenSet, new_pkce
from echotune.spotify.scopes import SCOPE_NAMES
from echotune.storage.base import LoginAttemptRepo, SpotifyLinkRepo, UserRepo
from echotune.users.models import User

# A login has this long between leaving for Spotify and coming back.
LOGIN_MAX_AGE = timedelta(minutes=10)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]")


def _now() -> datetime:
    return datetime.now(UTC)


def user_name_for(spotify_user_id: str) -> str:
    """The EchoTune user name of a Spotify account: 'spotify-' + its id, made safe."""
    return ("spotify-" + _UNSAFE.sub("_", spotify_user_id))[:64]


def safe_return_to(value: str | None) -> str:
    """Only paths on this server: an open redirect would hand the session to anyone."""
    if not value:
        return "/"
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        raise InvalidInput("return_to must be a path on this server, like /dashboard")
    return value


@dataclass(frozen=True)
class LoginResult:
    user: User
    session: str
    return_to: str
    created: bool


class LoginService:
    def __init__(
        self,
        connections: SpotifyConnections,
        users: UserRepo,
        links: SpotifyLinkRepo,
        attempts: LoginAttemptRepo,
        sessions: SessionService,
        cipher: TokenCipher,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._connections = connections
        self._users = users
        self._links = links
        self._attempts = attempts
        self._sessions = sessions
        self._cipher = cipher
        self._clock = clock

    @property
    def session_lifetime(self) -> timedelta:
        return self._sessions.lifetime

    async def start(self, return_to: str | None = None) -> str:
        api = self._connections.api
        state = secrets.token_urlsafe(32)
        verifier, challenge = new_pkce()
        attempt = LoginAttempt(
            state=state, verifier=verifier, created_at=self._clock(),
            return_to=safe_return_to(return_to),
        )
        await self._attempts.add(attempt)
        return api.oauth.authorize_url(state, challenge, SCOPE_NAMES)

    async def complete(self, code: str | None, state: str | None, error: str | None) -> LoginResult:
        api = self._connections.api
        attempt = await self._attempts.pop(state, self._clock(), LOGIN_MAX_AGE) if state else None
        if attempt is None:
            raise Unauthorized("Unknown, used or expired login state; start again at /auth/login")
        if error:
            raise Unauthorized(f"Spotify login did not complete: {error}")
        if not code:
            raise InvalidInput("The callback carries no code")
        async with spotify_errors():
            tokens = await api.oauth.exchange_code(code, attempt.verifier)
            me = await SpotifyClient(api.config, api.transport, StaticTokenSource(
                tokens.access_token, key=f"login:{state}")).me()
        user, created = await self._user_for(me)
        await self._links.upsert(self._link(user, me, tokens))
        self._connections.forget(user.id)
        session = await self._sessions.start(user.id)
        return LoginResult(user=user, session=session, return_to=attempt.return_to or "/", created=created)

    async def logout(self, session: str | None, user: User | None) -> None:
        """End the session and forget the user's Spotify tokens (their data stays)."""
        if session:
            await self._sessions.end(session)
        if user is not None:
            await self._links.mark_disconnected(user.id, "Logged out", self._clock())
            self._connections.forget(user.id)

    async def _user_for(self, me: SpotifyUser) -> tuple[User, bool]:
        link = await self._links.get_by_spotify_id(me.id)
        if link is not None:
            user = await self._users.get(link.user_id)
            if user is not None:
                return user, False
        return await self._users.get_or_create(user_name_for(me.id))

    def _link(self, user: User, me: SpotifyUser, tokens: TokenSet) -> SpotifyLink:
        if tokens.refresh_token is None:
            raise Unauthorized("Spotify returned no refresh token; log in again")
        now = self._clock()
        return SpotifyLink(
            user_id=user.id,
            spotify_user_id=me.id,
            display_name=me.display_name,
            product=me.product,
            scope=tokens.scope,
            access_token_enc=self._cipher.encrypt(tokens.access_token),
            refresh_token_enc=self._cipher.encrypt(tokens.refresh_token),
            expires_at=tokens.expires_at,
            status="connected",
            status_reason=None,
            connected_at=now,
            updated_at=now,
        )
