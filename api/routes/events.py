"""POST /api/v1/events: the ingest endpoint the outbox relay calls."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.deps import AUTH_RESPONSES, Context, DbSession, require_scope
from api.keys import KeyGrant
from api.schemas import EventIn, EventPayload, IngestResult
from api.service import record_events
from api.vocabulary import current_vocabulary
from knowledge.clock import today as today_amsterdam
from knowledge.reach import ReachVocabulary, event_problems

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/events", tags=["events"])


def _vocabulary_errors(events: list[EventIn], vocabulary: ReachVocabulary, batch: bool) -> list[dict[str, Any]]:
    """Every event field the content or the day window refuses, in FastAPI's 422 error format."""
    today = today_amsterdam()
    errors: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        prefix: tuple[str | int, ...] = ("body", "events", index) if batch else ("body", "event")
        for field, message in event_problems(event.model_dump(), vocabulary, today):
            errors.append({"type": "value_error", "loc": (*prefix, field), "msg": message})
    return errors


@router.post(
    "",
    response_model=IngestResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": IngestResult, "description": "Every event was already recorded."},
        **AUTH_RESPONSES,
    },
)
def ingest_events(
    ctx: Context,
    session: DbSession,
    grant: Annotated[KeyGrant, Depends(require_scope("ingest"))],
    payload: Annotated[EventPayload, Body()],
) -> JSONResponse:
    """Record one event (a JSON object) or a batch of up to 500 (a JSON array).

    Idempotent on `event_id`: a repeated event is accepted and not counted twice. Answers 201
    when at least one event was new and 200 when all were duplicates. Unknown fields, values the
    content does not define (topics, targets, municipalities), unknown kinds or channels and days
    outside the window (at most 7 days old) are refused with 422, and then nothing is stored.
    """
    batch = isinstance(payload, list)
    events = payload if isinstance(payload, list) else [payload]
    errors = _vocabulary_errors(events, current_vocabulary(ctx.content_dir), batch)
    if errors:
        raise RequestValidationError(errors)
    with session.begin():
        created, duplicates = record_events(session, events, grant.ref)
    # Not "created": that name belongs to LogRecord, and logging refuses it (a 500 once INFO is on).
    log.info("events ingested", extra={"events_created": created, "events_duplicate": duplicates})
    result = IngestResult(received=len(events), created=created, duplicates=duplicates)
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return JSONResponse(result.model_dump(), status_code=code)
