"""accounts.spotify.com: the consent redirect and the token endpoint (code + PKCE, refresh).

Errors use the accounts service's own format ({"error": ..., "error_description": ...}),
which differs from the Web API's envelope; these answers are not in the OpenAPI spec.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.spotify.context import FakeContext
from tests.fakes.spotify.tokens import ClientApp, TokenPair, s256

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _redirect(redirect_uri: str, **params: str) -> RedirectResponse:
    joiner = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + joiner + urlencode(params), status_code=302)


async def authorize(request: Request) -> Response:
    """Answers as if the user (state.authorize_as) saw the dialog and agreed."""
    ctx: FakeContext = request.app.state.fake
    q = request.query_params
    client = ctx.state.tokens.clients.get(q.get("client_id", ""))
    if client is None:
        return PlainTextResponse("INVALID_CLIENT: Invalid client", status_code=400)
    redirect_uri = q.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        return PlainTextResponse("INVALID_CLIENT: Invalid redirect URI", status_code=400)
    state = q.get("state", "")
    if q.get("response_type") != "code":
        return _redirect(redirect_uri, error="unsupported_response_type", state=state)
    challenge = q.get("code_challenge")
    if challenge is not None and q.get("code_challenge_method") != "S256":
        return _redirect(redirect_uri, error="invalid_request", state=state)
    if ctx.state.deny_consent:
        return _redirect(redirect_uri, error="access_denied", state=state)
    code = ctx.state.tokens.new_code(
        client.client_id, redirect_uri, ctx.state.authorize_as, q.get("scope", ""), challenge
    )
    return _redirect(redirect_uri, code=code, state=state)


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status, NO_STORE)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret")


def _token_json(pair: TokenPair, with_refresh: bool = True) -> JSONResponse:
    body: dict[str, object] = {
        "access_token": pair.access_token,
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
        "scope": pair.scope,
    }
    if with_refresh:
        body["refresh_token"] = pair.refresh_token
    return JSONResponse(body, 200, NO_STORE)


async def token(request: Request) -> Response:
    ctx: FakeContext = request.app.state.fake
    form = {k: str(v) for k, v in (await request.form()).items()}
    client_id, secret = _client_credentials(request, form)
    client = ctx.state.tokens.clients.get(client_id)
    if client is None:
        return _oauth_error("invalid_client", "Invalid client")
    if secret is not None and secret != client.client_secret:
        return _oauth_error("invalid_client", "Invalid client secret")
    grant = form.get("grant_type")
    if grant == "authorization_code":
        return _exchange_code(ctx, client, secret, form)
    if grant == "refresh_token":
        return _refresh(ctx, client, form)
    if grant is None:
        return _oauth_error("unsupported_grant_type", "grant_type parameter is missing")
    return _oauth_error("unsupported_grant_type", f"grant_type {grant} is not supported")


def _exchange_code(
    ctx: FakeContext, client: ClientApp, secret: str | None, form: dict[str, str]
) -> Response:
    code = ctx.state.tokens.pop_code(form.get("code", ""))  # a code is burnt by any attempt
    if code is None or code.client_id != client.client_id:
        return _oauth_error("invalid_grant", "Invalid authorization code")
    if form.get("redirect_uri") != code.redirect_uri:
        return _oauth_error("invalid_grant", "Invalid redirect URI")
    if code.code_challenge is not None:
        verifier = form.get("code_verifier")
        if verifier is None or s256(verifier) != code.code_challenge:
            return _oauth_error("invalid_grant", "code_verifier was incorrect")
    elif secret is None:
        return _oauth_error("invalid_client", "Invalid client secret")
    return _token_json(ctx.state.tokens.issue(code.user_id, client.client_id, code.scope))


def _refresh(ctx: FakeContext, client: ClientApp, form: dict[str, str]) -> Response:
    tokens = ctx.state.tokens
    refresh_token = form.get("refresh_token")
    if not refresh_token:
        return _oauth_error("invalid_request", "refresh_token must be supplied")
    if refresh_token in tokens.revoked:
        return _oauth_error("invalid_grant", "Refresh token revoked")
    known = tokens.refresh.get(refresh_token)
    if known is None or known.client_id != client.client_id:
        return _oauth_error("invalid_grant", "Invalid refresh token")
    return _token_json(tokens.refreshed(refresh_token), with_refresh=tokens.rotate_refresh)


routes = [
    Route("/authorize", authorize, methods=["GET"]),
    Route("/api/token", token, methods=["POST"]),
]
