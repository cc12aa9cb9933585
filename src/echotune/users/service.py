"""Users and their API tokens: create, list, revoke, authenticate."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import UTC, datetime

from echotune.errors import InvalidInput, NotFound, Unauthorized
from echotune.storage.base import TokenRepo, UserRepo
from echotune.users.models import ApiToken, User

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
TOKEN_PREFIX = "et_"


def hash_token(token: str) -> str:
    # Tokens are 256-bit random, so a plain SHA-256 (no salt, no KDF) is enough
    # and lets us look a token up by its hash in one indexed read.
    return hashlib.sha256(token.encode()).hexdigest()


def check_user_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidInput(
            f"Invalid user name '{name}': use 1-64 letters, digits, '_', '.', '@' or '-'"
        )
    return name


class UserService:
    def __init__(self, users: UserRepo, tokens: TokenRepo) -> None:
        self._users = users
        self._tokens = tokens

    async def create_user(self, name: str) -> tuple[User, bool]:
        return await self._users.get_or_create(check_user_name(name))

    async def list_users(self) -> list[User]:
        return await self._users.list_all()

    async def create_token(self, user_name: str) -> tuple[User, ApiToken, str]:
        """Create a token for the user (creating the user if needed); the secret is
        returned once and never stored."""
        user, _ = await self.create_user(user_name)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            id=uuid.uuid4().hex[:12],
            user_id=user.id,
            token_hash=hash_token(secret),
            created_at=datetime.now(UTC),
        )
        await self._tokens.add(token)
        return user, token, secret

    async def list_tokens(self, user_name: str | None = None) -> list[tuple[ApiToken, User]]:
        user_id = None
        if user_name is not None:
            user = await self._users.get_by_name(user_name)
            if user is None:
                raise NotFound(f"No user named '{user_name}'")
            user_id = user.id
        users = {u.id: u for u in await self._users.list_all()}
        return [(t, users[t.user_id]) for t in await self._tokens.list_for(user_id)]

    async def revoke_token(self, token_id: str) -> None:
        if not await self._tokens.revoke(token_id):
            raise NotFound(f"No active token with id '{token_id}'")

    async def authenticate(self, secret: str) -> User:
        token = await self._tokens.find_active(hash_token(secret))
        if token is None:
            raise Unauthorized("Invalid access token")
        user = await self._users.get(token.user_id)
        if user is None:
            raise Unauthorized("Invalid access token")
        return user
