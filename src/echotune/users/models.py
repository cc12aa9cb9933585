"""Users and API tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class User(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str = Field(min_length=1, max_length=64)
    created_at: datetime


class ApiToken(BaseModel):
    """A stored API token. Only the SHA-256 of the secret is ever kept."""

    model_config = ConfigDict(frozen=True)

    id: str
    user_id: str
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
