"""The LoginAttemptRepo and SessionRepo contract, run on every backend via `storage`."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from echotune.accounts.models import LoginAttempt, Session
from echotune.errors import StorageError
from echotune.storage.base import Storage

T0 = datetime(2024, 5, 1, 9, 30, 0, 123_000, tzinfo=UTC)
MAX_AGE = timedelta(minutes=10)


def attempt(state: str, minute: int = 0, **fields: object) -> LoginAttempt:
    base: dict[str, object] = {
        "state": state.ljust(16, "_"),
        "verifier": f"verifier-of-{state}",
        "created_at": T0 + timedelta(minutes=minute),
        "return_to": "/dashboard",
    }
    base.update(fields)
    return LoginAttempt.model_validate(base)


def digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def session(cookie: str, user_id: str, hours: int = 24) -> Session:
    return Session(
        id_hash=digest(cookie),
        user_id=user_id,
        created_at=T0,
        expires_at=T0 + timedelta(hours=hours),
    )


class TestLoginAttemptContract:
    async def test_pop_returns_the_attempt_once(self, storage: Storage) -> None:
        first, other = attempt("s1"), attempt("s2", return_to=None)
        await storage.login_attempts.add(first)
        await storage.login_attempts.add(other)
        now = T0 + timedelta(minutes=1)
        assert await storage.login_attempts.pop(first.state, now, MAX_AGE) == first
        assert await storage.login_attempts.pop(first.state, now, MAX_AGE) is None
        assert await storage.login_attempts.pop(other.state, now, MAX_AGE) == other
        assert await storage.login_attempts.pop("forged".ljust(16, "_"), now, MAX_AGE) is None

    async def test_concurrent_pops_have_exactly_one_winner(self, storage: Storage) -> None:
        one = attempt("contended")
        await storage.login_attempts.add(one)
        pops = [storage.login_attempts.pop(one.state, T0, MAX_AGE) for _ in range(8)]
        results = await asyncio.gather(*pops)
        assert [r for r in results if r is not None] == [one]

    async def test_expired_attempt_is_none_and_gone(self, storage: Storage) -> None:
        old = attempt("old")
        await storage.login_attempts.add(old)
        # Exactly max_age old is too old.
        assert await storage.login_attempts.pop(old.state, T0 + MAX_AGE, MAX_AGE) is None
        assert await storage.login_attempts.pop(old.state, T0, MAX_AGE) is None

    async def test_a_state_is_added_once(self, storage: Storage) -> None:
        await storage.login_attempts.add(attempt("dup"))
        with pytest.raises(StorageError):
            await storage.login_attempts.add(attempt("dup", verifier="another"))
        assert await storage.login_attempts.pop(attempt("dup").state, T0, MAX_AGE) == attempt("dup")


class TestSessionContract:
    async def test_add_get_active_and_expiry(self, storage: Storage) -> None:
        a = (await storage.users.get_or_create("alice"))[0].id
        s = session("cookie-a", a, hours=2)
        await storage.sessions.add(s)
        assert await storage.sessions.get_active(s.id_hash, T0) == s
        almost = T0 + timedelta(hours=2) - timedelta(milliseconds=1)
        assert await storage.sessions.get_active(s.id_hash, almost) == s
        assert await storage.sessions.get_active(s.id_hash, T0 + timedelta(hours=2)) is None
        assert await storage.sessions.get_active(digest("unknown"), T0) is None

    async def test_delete_one_and_all_of_a_user(self, storage: Storage) -> None:
        a = (await storage.users.get_or_create("alice"))[0].id
        b = (await storage.users.get_or_create("bob"))[0].id
        for s in (session("a1", a), session("a2", a), session("b1", b)):
            await storage.sessions.add(s)
        assert await storage.sessions.delete(digest("a1"))
        assert not await storage.sessions.delete(digest("a1"))
        assert await storage.sessions.get_active(digest("a1"), T0) is None
        assert await storage.sessions.get_active(digest("a2"), T0) is not None
        assert await storage.sessions.delete_for_user(a) == 1
        assert await storage.sessions.delete_for_user(a) == 0
        assert await storage.sessions.get_active(digest("b1"), T0) == session("b1", b)
