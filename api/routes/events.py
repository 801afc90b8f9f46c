"""POST /api/v1/events: the ingest endpoint the outbox relay calls."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.clock import today_amsterdam
from api.deps import AUTH_RESPONSES, Context, DbSession, require_scope
from api.keys import KeyGrant
from api.schemas import EventIn, EventPayload, IngestResult
from api.service import day_problem, record_events

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/events", tags=["events"])


def _vocabulary_errors(events: list[EventIn], topic_ids: frozenset[str], batch: bool) -> list[dict[str, Any]]:
    today = today_amsterdam()
    errors: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        prefix: tuple[str | int, ...] = ("body", "events", index) if batch else ("body", "event")
        if event.topic is not None and event.topic not in topic_ids:
            errors.append(
                {
                    "type": "value_error",
                    "loc": (*prefix, "topic"),
                    "msg": f"Unknown topic id '{event.topic}'; see docs/api.md for the list.",
                    "input": event.topic,
                }
            )
        problem = day_problem(event.day, today)
        if problem is not None:
            errors.append(
                {
                    "type": "value_error",
                    "loc": (*prefix, "day"),
                    "msg": problem,
                    "input": event.day.isoformat(),
                }
            )
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
    _grant: Annotated[KeyGrant, Depends(require_scope("ingest"))],
    payload: Annotated[EventPayload, Body()],
) -> JSONResponse:
    """Record one event (a JSON object) or a batch of up to 500 (a JSON array).

    Idempotent on `event_id`: a repeated event is accepted and not counted twice. Answers 201
    when at least one event was new and 200 when all were duplicates. Unknown fields, unknown
    values and unknown topic ids are refused with 422, and then nothing of the call is stored.
    """
    batch = isinstance(payload, list)
    events = payload if isinstance(payload, list) else [payload]
    errors = _vocabulary_errors(events, ctx.topic_ids, batch)
    if errors:
        raise RequestValidationError(errors)
    with session.begin():
        created, duplicates = record_events(session, events)
    log.info("events ingested", extra={"created": created, "duplicates": duplicates})
    result = IngestResult(received=len(events), created=created, duplicates=duplicates)
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return JSONResponse(result.model_dump(), status_code=code)
