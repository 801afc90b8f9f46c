"""GET /api/v1/stats and /api/v1/stats.csv: protected counts for staff and the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from api.deps import AUTH_RESPONSES, Context, DbSession, require_scope
from api.keys import KeyGrant
from api.reports import RangeError, default_range, protected_stats, stats_csv
from api.schemas import StatsOut
from api.vocabulary import KINDS
from knowledge.clock import today as today_amsterdam

router = APIRouter(prefix="/api/v1", tags=["statistics"])

RANGE_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"description": "The date range is empty or longer than allowed."},
    **AUTH_RESPONSES,
}


class CSVResponse(Response):
    """A CSV document."""

    media_type = "text/csv"


def _stats(ctx: Context, session: DbSession, query: StatsQuery) -> StatsOut:
    kind, period, by = query.kind, query.period, query.by
    if kind is not None and kind not in KINDS:
        raise HTTPException(
            422,
            [{"type": "enum", "loc": ["query", "kind"], "msg": f"kind must be one of: {', '.join(KINDS)}"}],
        )
    today = today_amsterdam()
    last = query.to or today
    first = query.first or default_range(last, period)[0]
    try:
        return protected_stats(
            ctx, session, first=first, last=last, period=period, by=by, kind=kind, today=today
        )
    except RangeError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from error


# Dates outside these bounds are refused with 422: they cannot hold events, and date arithmetic near year 1 or
# 9999 would overflow (found by schemathesis).
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
FromQuery = Annotated[
    dt.date | None,
    Query(
        alias="from",
        description="First day (default: 12 periods before `to`).",
        ge=EARLIEST_DAY,
        le=LATEST_DAY,
    ),
]
ToQuery = Annotated[
    dt.date | None, Query(description="Last day (default: today).", ge=EARLIEST_DAY, le=LATEST_DAY)
]
PeriodQuery = Annotated[Literal["week", "month"], Query(description="Bucket size.")]
ByQuery = Annotated[
    Literal["topic", "target", "gemeente", "channel", "kind", "helpful"], Query(description="Breakdown.")
]
KindQuery = Annotated[
    str | None, Query(description="Only count events of this kind.", json_schema_extra={"enum": list(KINDS)})
]
ReadGrant = Annotated[KeyGrant, Depends(require_scope("read"))]


@dataclass(frozen=True)
class StatsQuery:
    """What both statistics endpoints are asked: range, period, breakdown and kind."""

    first: dt.date | None
    to: dt.date | None
    period: Literal["week", "month"]
    by: Literal["topic", "target", "gemeente", "channel", "kind", "helpful"]
    kind: str | None


def stats_query(
    first: FromQuery = None,
    to: ToQuery = None,
    period: PeriodQuery = "week",
    by: ByQuery = "kind",
    kind: KindQuery = None,
) -> StatsQuery:
    """The query parameters of /stats and /stats.csv, declared once so both document and check them alike."""
    return StatsQuery(first, to, period, by, kind)


StatsParams = Annotated[StatsQuery, Depends(stats_query)]


@router.get("/stats", response_model=StatsOut, responses=RANGE_RESPONSES)
def get_stats(
    ctx: Context,
    session: DbSession,
    _grant: ReadGrant,
    query: StatsParams,
) -> StatsOut:
    """Counts per week or month, broken down by one field, after small-count protection.

    The range is widened to whole periods, and only settled periods are listed (`published_until`).
    Counts from 1 to 9 show as `<10`, counts hidden so that a small one cannot be worked out show as
    `x`, sums with a hidden part show a lower bound such as `≥ 35` (`count` is null for all three),
    and shown counts are rounded to 5. See docs/api.md, "Suppression".
    """
    return _stats(ctx, session, query)


@router.get(
    "/stats.csv",
    response_class=CSVResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **RANGE_RESPONSES},
)
def get_stats_csv(
    ctx: Context,
    session: DbSession,
    _grant: ReadGrant,
    query: StatsParams,
) -> CSVResponse:
    """The same statistics as CSV (`period_start,by,value,count`; `total` marks totals)."""
    stats = _stats(ctx, session, query)
    filename = f"wegwijzer-{stats.by}-{stats.period}-{stats.from_}-{stats.to}.csv"
    return CSVResponse(
        stats_csv(stats),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
