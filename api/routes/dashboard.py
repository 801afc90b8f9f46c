"""Staff dashboard: login with a read key, then server-rendered charts with matching tables.

No JavaScript and no third-party assets; a strict Content-Security-Policy enforces that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from api.charts import Bar, bar_chart_svg
from api.context import AppContext
from api.deps import Context, DbSession
from api.municipal import MunicipalReport, build_report, month_label, report_csv
from api.reports import RangeError, default_range, load_releases, protected_stats, published_until
from api.schemas import ShownCount, StatsOut
from api.service import Breakdown, period_start
from api.vocabulary import current_vocabulary
from knowledge import get_catalog
from knowledge.clock import today as today_amsterdam

router = APIRouter(prefix="/dashboard", include_in_schema=False)

SESSION_KEY = "read_grant"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
TOP_TOPICS = 10


@dataclass
class Figure:
    """One section of the dashboard: a chart and the same numbers as a table."""

    ident: str
    heading: str
    chart: Markup
    label_header: str
    count_header: str
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Rate:
    """A percentage with its parts; ``percent`` is None when a part is hidden."""

    heading: str
    explanation: str
    numerator: ShownCount
    denominator: ShownCount
    percent: int | None


def _page(ctx: AppContext, request: Request, name: str, code: int, **values: object) -> Response:
    response = ctx.templates.TemplateResponse(request, name, values, status_code=code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _week_label(start: dt.date) -> str:
    month = MONTHS[start.month - 1][:3]
    return f"week {start.isocalendar().week} ({start.day} {month} {start.year})"


def _figure(ident: str, heading: str, description: str, header: str, rows: list[Bar]) -> Figure:
    return Figure(
        ident=ident,
        heading=heading,
        chart=bar_chart_svg(ident, heading, description, rows),
        label_header=header,
        count_header="Aantal",
        rows=[(bar.label, bar.shown) for bar in rows],
    )


def _value_bars(stats: StatsOut, label: dict[str, str], limit: int | None = None) -> list[Bar]:
    bars = [
        Bar(label.get(total.value or "", total.value or "onbekend"), total.count, total.shown)
        for total in stats.value_totals
        if total.count != 0
    ]
    bars.sort(key=lambda bar: -(bar.count if bar.count is not None else 0))
    return bars[:limit] if limit else bars


def _rate(heading: str, explanation: str, part: ShownCount, whole: ShownCount) -> Rate:
    percent = None
    if part.count is not None and whole.count:
        percent = round(100 * part.count / whole.count)
    return Rate(heading, explanation, part, whole, percent)


def _sum(counts: list[ShownCount]) -> ShownCount:
    if any(count.count is None for count in counts):
        return ShownCount(count=None, shown="onbekend")
    total = sum(count.count or 0 for count in counts)
    return ShownCount(count=total, shown=str(total))


def _build(ctx: AppContext, session: Session, first: dt.date, last: dt.date) -> dict[str, object]:
    today = today_amsterdam()
    vocabulary = current_vocabulary(ctx.content_dir)

    def stats(by: Breakdown, kind: str | None, period: Literal["week", "month"] = "week") -> StatsOut:
        return protected_stats(
            ctx, session, first=first, last=last, period=period, by=by, kind=kind, today=today
        )

    conversations = stats("channel", "conversation_started")
    weekly = [Bar(_week_label(row.period_start), row.count, row.shown) for row in conversations.period_totals]
    targets = _value_bars(stats("target", "referred"), dict(vocabulary.targets))
    gemeenten = _value_bars(stats("gemeente", "referred"), dict(vocabulary.gemeenten))
    topics = _value_bars(stats("topic", "answered"), dict(vocabulary.topics), TOP_TOPICS)
    kinds = {total.value: total for total in stats("kind", None).value_totals}
    helpful = {total.value: total for total in stats("helpful", "feedback").value_totals}
    figures = [
        _figure("gesprekken", "Gesprekken per week",
                "Aantal begonnen gesprekken per week, alle kanalen samen.", "Week", weekly),
        _figure("doorverwijzingen-doel", "Doorverwijzingen per organisatie",
                "Hoe vaak de assistent naar elke organisatie of balie verwees.",
                "Organisatie of balie", targets),
        _figure("doorverwijzingen-gemeente", "Doorverwijzingen per gemeente",
                "Doorverwijzingen naar gemeente van de inwoner, als die bekend is.",
                "Gemeente", gemeenten),
        _figure("onderwerpen", "Meest gevraagde onderwerpen",
                f"De {TOP_TOPICS} onderwerpen met de meeste antwoorden.", "Onderwerp", topics),
    ]  # fmt: skip
    not_understood = kinds["not_understood"]
    rates = [
        _rate(
            "Niet begrepen",
            "Deel van de vragen dat de assistent niet begreep.",
            not_understood,
            _sum([kinds["answered"], not_understood]),
        ),
        _rate(
            "Behulpzaam",
            "Deel van de beoordelingen waarin de inwoner het antwoord nuttig vond.",
            helpful["true"],
            _sum([helpful["true"], helpful["false"]]),
        ),
    ]
    return {
        "figures": figures,
        "rates": rates,
        "first": conversations.from_,
        "last": conversations.to,
        "published_until": conversations.published_until,
        "threshold": ctx.settings.suppression_threshold,
        "rounding": ctx.settings.rounding_base,
    }


def _month_options(today: dt.date, count: int = 12) -> list[tuple[str, str]]:
    """The newest settled months, newest first, as (value, label) for the month picker."""
    month = period_start(published_until(today, "month"), "month")
    options = []
    for _ in range(count):
        options.append((month.strftime("%Y-%m"), month_label(month)))
        month = period_start(month - dt.timedelta(days=1), "month")
    return options


def _municipal(ctx: AppContext, session: Session, raw_month: str | None) -> MunicipalReport:
    """The municipal report for ``raw_month`` (YYYY-MM), default the newest settled month.

    Raises:
        ValueError: The month is malformed or not settled yet.
    """
    today = today_amsterdam()
    newest = period_start(published_until(today, "month"), "month")
    month = dt.date.fromisoformat(f"{raw_month}-01") if raw_month else newest
    if month > newest:
        raise ValueError("month not settled")
    releases = load_releases(
        session,
        [month],
        "month",
        threshold=ctx.settings.suppression_threshold,
        base=ctx.settings.rounding_base,
        cache=ctx.releases,
    )
    catalog = get_catalog(ctx.content_dir)
    return build_report(
        releases,
        month,
        current_vocabulary(ctx.content_dir),
        frozenset(catalog.services),
        ctx.settings.suppression_threshold,
    )


def _parse_day(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    return dt.date.fromisoformat(raw)


def _signed_in(ctx: AppContext, request: Request) -> bool:
    ref = request.session.get(SESSION_KEY)
    return isinstance(ref, str) and ctx.keyring.is_active(ref, "read")


@router.get("", response_class=HTMLResponse)
def dashboard(
    ctx: Context,
    session: DbSession,
    request: Request,
    van: str | None = None,
    tot: str | None = None,
    maand: str | None = None,
) -> Response:
    """The dashboard page (redirects to the login form without a valid session)."""
    if not _signed_in(ctx, request):
        request.session.pop(SESSION_KEY, None)
        return RedirectResponse("/dashboard/login", status.HTTP_303_SEE_OTHER)
    default_first, default_last = default_range(today_amsterdam(), "week")
    try:
        first = _parse_day(van) or default_first
        last = _parse_day(tot) or default_last
        values = _build(ctx, session, first, last)
        report = _municipal(ctx, session, maand)
    except (ValueError, RangeError):
        return _page(
            ctx, request, "dashboard_error.html", status.HTTP_400_BAD_REQUEST,
            message="Deze periode klopt niet. Kies een begindatum vóór de einddatum, "
            "en een periode van hoogstens drie jaar.",
        )  # fmt: skip
    options = _month_options(today_amsterdam())
    return _page(ctx, request, "dashboard.html", status.HTTP_200_OK, report=report, months=options, **values)


@router.get("/gemeenten.csv")
def municipal_csv(ctx: Context, session: DbSession, request: Request, maand: str | None = None) -> Response:
    """The municipal report of one month as a CSV for Dutch spreadsheets (session login, like the page)."""
    if not _signed_in(ctx, request):
        return RedirectResponse("/dashboard/login", status.HTTP_303_SEE_OTHER)
    try:
        report = _municipal(ctx, session, maand)
    except ValueError:
        return _page(
            ctx, request, "dashboard_error.html", status.HTTP_400_BAD_REQUEST,
            message="Deze maand bestaat niet of is nog niet afgesloten. Kies een maand uit de lijst.",
        )  # fmt: skip
    name = f"wegwijzer-gemeenten-{report.month.strftime('%Y-%m')}.csv"
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(ctx: Context, request: Request) -> Response:
    """The login form."""
    return _page(ctx, request, "login.html", status.HTTP_200_OK, error=None)


@router.post("/login", response_class=HTMLResponse)
def login(ctx: Context, request: Request, api_key: Annotated[str, Form()] = "") -> Response:
    """Check a read key and start a session."""
    grants = ctx.keyring.grants(api_key) if api_key else []
    readers = [grant for grant in grants if grant.scope == "read"]
    if readers:
        request.session[SESSION_KEY] = readers[0].ref
        return RedirectResponse("/dashboard", status.HTTP_303_SEE_OTHER)
    if grants:
        message = "Deze sleutel mag geen cijfers bekijken. Gebruik een sleutel om te lezen."
        return _page(ctx, request, "login.html", status.HTTP_403_FORBIDDEN, error=message)
    message = "Deze sleutel klopt niet. Controleer de sleutel en probeer het opnieuw."
    return _page(ctx, request, "login.html", status.HTTP_401_UNAUTHORIZED, error=message)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/dashboard/login", status.HTTP_303_SEE_OTHER)
