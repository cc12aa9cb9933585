"""The account models keep secrets out of their repr (and so out of logs)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from echotune.accounts.models import LoginAttempt, Session, SpotifyLink

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def test_link_repr_leaves_out_the_tokens() -> None:
    link = SpotifyLink(
        user_id="u1",
        spotify_user_id="sp1",
        access_token_enc=b"sealed-access",
        refresh_token_enc=b"sealed-refresh",
        expires_at=NOW,
        connected_at=NOW,
        updated_at=NOW,
    )
    assert "sealed" not in repr(link) and "sp1" in repr(link)
    assert link.status == "connected"


def test_attempt_repr_leaves_out_the_verifier() -> None:
    attempt = LoginAttempt(state="s" * 43, verifier="pkce-verifier-secret", created_at=NOW)
    assert "pkce-verifier-secret" not in repr(attempt)


def test_session_takes_a_sha256_hex_only() -> None:
    with pytest.raises(ValidationError):
        Session(id_hash="raw-cookie-value", user_id="u1", created_at=NOW, expires_at=NOW)
