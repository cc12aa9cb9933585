"""Small helpers shared by the fake Spotify's tests: an authorised client and a PKCE login."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.fakes.spotify import FakeSpotify, s256


def api(fake: FakeSpotify, user_id: str = "fakeuser", timeout: float = 5.0) -> httpx.Client:
    token = fake.issue_tokens(user_id).access_token
    return httpx.Client(
        base_url=fake.api_base, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
    )


def pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(48)).rstrip(b"=").decode()
    return verifier, s256(verifier)


def authorize(
    fake: FakeSpotify, challenge: str | None, state: str = "st4te", method: str = "S256"
) -> httpx.Response:
    params = {
        "client_id": fake.client_id,
        "response_type": "code",
        "redirect_uri": fake.redirect_uri,
        "state": state,
        "scope": "user-read-private user-library-read",
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": method}
    return httpx.get(f"{fake.accounts_base}/authorize", params=params)


def redirect_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def token_request(
    fake: FakeSpotify, form: dict[str, str], auth: tuple[str, str] | None = None
) -> httpx.Response:
    return httpx.post(f"{fake.accounts_base}/api/token", data=form, auth=auth)
