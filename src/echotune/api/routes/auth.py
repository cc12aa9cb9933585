"""Log in with Spotify (Authorization Code with PKCE) and out again, under /auth."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from echotune.accounts.sessions import SESSION_COOKIE
from echotune.api.deps import LoginDep, OptionalUser, SessionCookie

router = APIRouter(prefix="/auth", tags=["auth"])


@router.get(
    "/login",
    status_code=302,
    response_class=RedirectResponse,
    description="Redirects to Spotify's consent page. `return_to` is a path on this server "
    "to come back to after the login.",
)
async def login(
    login: LoginDep, return_to: Annotated[str | None, Query(max_length=500)] = None
) -> RedirectResponse:
    return RedirectResponse(await login.start(return_to), status_code=302)


@router.get(
    "/callback",
    status_code=302,
    response_class=RedirectResponse,
    description="Where Spotify sends the browser back. A forged, replayed or expired "
    "`state` is refused with 401.",
)
async def callback(
    request: Request,
    login: LoginDep,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    result = await login.complete(code, state, error)
    response = RedirectResponse(result.return_to, status_code=302)
    response.set_cookie(
        SESSION_COOKIE,
        result.session,
        max_age=int(login.session_lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout", status_code=204, description="Ends the session and forgets the "
             "Spotify tokens; the user's EchoTune data stays.")
async def logout(
    request: Request, login: LoginDep, user: OptionalUser, session: SessionCookie = None
) -> Response:
    await login.logout(session, user)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
    )
    return response
