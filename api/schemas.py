"""Request and response shapes. Events forbid unknown fields; statistics carry shown values."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    model_validator,
)

from api.vocabulary import MESSAGE_CHECK_VERDICTS, SNAKE_ID_PATTERN, Channel, Gemeente, Kind

SnakeId = Annotated[str, Field(pattern=SNAKE_ID_PATTERN, max_length=64)]
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day_text(value: Any) -> Any:
    """Accept a day only as ``YYYY-MM-DD`` text, never as a timestamp or a date-time."""
    if not isinstance(value, str) or not ISO_DAY.match(value):
        raise ValueError("day must be a date written as YYYY-MM-DD")
    return value


IsoDay = Annotated[dt.date, BeforeValidator(_iso_day_text)]


class EventIn(BaseModel):
    """One event. No sender id, no text, no time finer than a day."""

    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID = Field(description="Idempotency key; a repeat is accepted once.")
    day: IsoDay = Field(description="Calendar day in Europe/Amsterdam (YYYY-MM-DD).")
    kind: Kind
    topic: SnakeId | None = Field(default=None, description="Topic id from the taxonomy.")
    target: SnakeId | None = Field(default=None, description="Referral target id (snake_case).")
    gemeente: Gemeente | None = None
    channel: Channel
    helpful: StrictBool | None = Field(default=None, description="Feedback events only.")

    @model_validator(mode="after")
    def _helpful_only_for_feedback(self) -> EventIn:
        if self.kind == "feedback" and self.helpful is None:
            raise ValueError("'helpful' (true or false) is required when kind is 'feedback'")
        if self.kind != "feedback" and self.helpful is not None:
            raise ValueError("'helpful' is only allowed when kind is 'feedback'")
        if self.kind == "message_checked" and self.target not in MESSAGE_CHECK_VERDICTS:
            raise ValueError(
                f"'target' must be one of {list(MESSAGE_CHECK_VERDICTS)} when kind is 'message_checked'"
            )
        if self.kind == "message_signal" and self.target is None:
            raise ValueError("'target' (the signal id) is required when kind is 'message_signal'")
        return self


def _one_or_many(value: Any) -> str:
    return "events" if isinstance(value, list) else "event"


EventBatch = Annotated[list[EventIn], Field(min_length=1, max_length=500)]
EventPayload = Annotated[
    Annotated[EventIn, Tag("event")] | Annotated[EventBatch, Tag("events")],
    Discriminator(_one_or_many),
]


class IngestResult(BaseModel):
    """Outcome of an ingest call: 201 when anything was new, 200 when all were duplicates."""

    received: int
    created: int
    duplicates: int


class ShownCount(BaseModel):
    """A published count: ``count`` is null when hidden; ``shown`` is what a person sees."""

    count: int | None
    shown: str
    hidden: Literal["small", "secondary"] | None = None


class StatsCell(ShownCount):
    """Count for one period and one value of the breakdown."""

    period_start: dt.date
    value: str | None


class PeriodTotal(ShownCount):
    """Total of one period over all values."""

    period_start: dt.date


class ValueTotal(ShownCount):
    """Total of one value over all periods."""

    value: str | None


class StatsOut(BaseModel):
    """Statistics after small-count protection (see docs/api.md, "Suppression")."""

    from_: dt.date = Field(alias="from", serialization_alias="from")
    to: dt.date
    period: Literal["week", "month"]
    by: Literal["topic", "target", "gemeente", "channel", "kind", "helpful"]
    kind: Kind | None
    threshold: int
    rounding: int
    periods: list[dt.date]
    values: list[str | None]
    cells: list[StatsCell]
    period_totals: list[PeriodTotal]
    value_totals: list[ValueTotal]
    total: ShownCount

    model_config = ConfigDict(populate_by_name=True)


class Health(BaseModel):
    """Liveness and database reachability."""

    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
