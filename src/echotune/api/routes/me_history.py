"""The caller's own listening history, plays and feedback, under /api/v1/me."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile

from echotune.api.deps import CurrentUser, HistoryDep
from echotune.listening.history_import import HistoryFile
from echotune.listening.import_report import HistoryImportReport
from echotune.listening.views import (
    FeedbackList,
    FeedbackView,
    HistoryPage,
    NewFeedback,
    NewPlay,
    PlayView,
)

router = APIRouter(prefix="/api/v1/me", tags=["listening history"])

Uploads = Annotated[
    list[UploadFile],
    File(description="Spotify export files: Streaming_History_*.json or endsong_*.json"),
]


@router.post(
    "/history/import",
    response_model=HistoryImportReport,
    description="Import a Spotify streaming-history export. A file that cannot be read "
    "contributes nothing and is listed under `failed`; the others are imported.",
)
async def import_history(
    files: Uploads, history: HistoryDep, user: CurrentUser
) -> HistoryImportReport:
    # UploadFile spools each upload to a temporary file as it arrives; the
    # import streams from there.
    sources = [HistoryFile.from_stream(f.filename or "upload.json", f.file, f.size) for f in files]
    return await history.import_files(user.id, sources)


@router.post(
    "/plays",
    response_model=PlayView,
    status_code=201,
    responses={200: {"model": PlayView, "description": "The same play was already stored"}},
)
async def post_play(
    new: NewPlay, history: HistoryDep, user: CurrentUser, response: Response
) -> PlayView:
    play, created = await history.record_play(user, new)
    if not created:
        response.status_code = 200
    return play


@router.get("/history", response_model=HistoryPage)
async def get_history(
    request: Request,
    history: HistoryDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        datetime | None, Query(description="Only plays that ended before this (ISO-8601)")
    ] = None,
) -> HistoryPage:
    return await history.history(user, before, limit, str(request.url.replace(query="")))


@router.post("/feedback", response_model=FeedbackView, status_code=201)
async def post_feedback(new: NewFeedback, history: HistoryDep, user: CurrentUser) -> FeedbackView:
    return await history.add_feedback(user, new)


@router.get("/feedback", response_model=FeedbackList)
async def get_feedback(
    history: HistoryDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> FeedbackList:
    return await history.feedback(user, limit)
