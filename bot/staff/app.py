"""The staff triage page: login, the question form, the answer with referrals, and a print sheet.

Why its own app (docs/staff.md): it holds a staff login and calls Rasa's triage endpoint with a
key, so neither Rasa nor the public reach API has to serve HTML or hold staff sessions. Text is
masked in the browser and again here before it leaves this process; it is never logged or kept.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from bot.staff.content_client import ContentClient
from bot.staff.content_routes import add_content_routes
from bot.staff.events_client import EventError, EventsClient
from bot.staff.guard import login_guard
from bot.staff.masking import mask_text
from bot.staff.session import (
    COOKIE_NAME,
    EDITOR,
    TRIAGE,
    StaffSession,
    csrf_token,
    csrf_valid,
    decode_cookie,
    encode_cookie,
    new_session,
)
from bot.staff.settings import SESSION_HOURS, StaffSettings
from bot.staff.text_tabs import TEXT_TABS, Result, TextTab
from bot.staff.triage_client import MessageCheckResult, TriageClient, TriageError, TriageResult
from knowledge import clock, get_catalog
from knowledge.reach import reach_vocabulary

HERE = Path(__file__).resolve().parent
CONTENT_ID = re.compile(r"^[a-z0-9_]{1,64}$")
FAILED_LOGIN_DELAY_S = 1.0

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

logger = logging.getLogger("wegwijzer.staff")


def _gemeenten() -> dict[str, str]:
    """The municipalities as the content names them (knowledge/places.yml), id to name."""
    return dict(reach_vocabulary(get_catalog()).gemeenten)


def _as_lines(value: Any) -> list[str]:
    """Opening hours and next-open times may come as text, a list or a mapping; show as lines."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [line for line in value.splitlines() if line.strip()]
    if isinstance(value, Mapping):
        return [f"{key}: {', '.join(_as_lines(item)) or '-'}" for key, item in value.items()]
    if isinstance(value, list | tuple):
        lines: list[str] = []
        for item in value:
            lines.extend(_as_lines(item))
        return lines
    return [str(value)]


def _topic_label(topic_id: str) -> str:
    return topic_id.replace("_", " ").capitalize()


@dataclass(frozen=True)
class PostedText:
    """A posted triage or message-check form after the shared checks: masked text, or why it was refused."""

    gemeente: str = ""
    text: str = ""
    found: list[str] = field(default_factory=list)
    error: str | None = None
    status_code: int = 200


def _same_origin(request: Request) -> bool:
    """Reject cross-site POSTs: a present Origin header must be this page's own origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    parts = urlsplit(origin)
    return parts.netloc == host and parts.scheme in ("http", "https")


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # Not "no-referrer": Chromium then sends "Origin: null" with form posts, and the
    # same-origin check below could not tell our own forms from a forged one.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def create_app(
    settings: StaffSettings,
    *,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    api_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the staff page app.

    Args:
        settings: checked settings (call ``settings.check()`` first in production code).
        rasa_transport: optional httpx transport for the triage endpoint (tests).
        api_transport: optional httpx transport for the reach API (tests).

    Returns:
        The FastAPI app.
    """
    key = settings.session_key()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["lines"] = _as_lines
    templates.env.filters["topic_label"] = _topic_label
    templates.env.filters["percent"] = lambda value: f"{round(float(value) * 100)}%"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            httpx.AsyncClient(timeout=settings.triage_timeout_s, transport=rasa_transport) as rasa_http,
            httpx.AsyncClient(timeout=settings.api_timeout_s, transport=api_transport) as api_http,
        ):
            app.state.triage = TriageClient(
                rasa_http, settings.rasa_url, settings.triage_staff_key.get_secret_value()
            )
            app.state.events = EventsClient(
                api_http, settings.api_url, settings.api_ingest_key.get_secret_value()
            )
            app.state.content = ContentClient(
                api_http, settings.api_url, settings.api_content_key.get_secret_value()
            )
            yield

    app = FastAPI(
        title="Wegwijzer triage (medewerkers)",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        return _security_headers(response)

    def current_session(request: Request) -> StaffSession | None:
        return decode_cookie(key, request.cookies.get(COOKIE_NAME))

    signed_in = login_guard(current_session)

    def page(
        request: Request,
        name: str,
        context: dict[str, Any],
        session: StaffSession | None,
        status_code: int = 200,
    ) -> HTMLResponse:
        full = {
            "csrf": csrf_token(key, session) if session else "",
            "is_editor": bool(session and session.is_editor),
            "gemeenten": _gemeenten(),
            **context,
        }
        return templates.TemplateResponse(request, name, full, status_code=status_code)

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request) -> Response:
        if current_session(request):
            return RedirectResponse("/", status_code=303)
        return page(request, "login.html", {"error": None}, None)

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        if not _same_origin(request):
            return page(request, "login.html", {"error": "Ongeldige aanvraag."}, None, 403)
        form = await request.form()
        given = str(form.get("key", ""))
        expected = settings.staff_page_key.get_secret_value()
        editor = settings.staff_editor_key.get_secret_value()
        # Both compared every time (constant time), so the answer's timing does not tell which key it was.
        is_triage = bool(given) and hmac.compare_digest(given.encode(), expected.encode())
        is_editor = bool(given) and bool(editor) and hmac.compare_digest(given.encode(), editor.encode())
        if not (is_triage or is_editor):
            await asyncio.sleep(FAILED_LOGIN_DELAY_S)  # slows down guessing
            logger.info("staff login refused")
            error = "Deze sleutel klopt niet. Probeer het opnieuw."
            return page(request, "login.html", {"error": error}, None, 401)
        session = new_session(SESSION_HOURS * 3600, role=EDITOR if is_editor else TRIAGE)
        response = RedirectResponse("/inhoud" if is_editor else "/", status_code=303)
        response.set_cookie(
            COOKIE_NAME,
            encode_cookie(key, session),
            max_age=SESSION_HOURS * 3600,
            httponly=True,
            samesite="strict",
            secure=settings.secure_cookie,
            path="/",
        )
        logger.info("staff login role=%s", session.role)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        session = current_session(request)
        form = await request.form()
        if session and not csrf_valid(key, session, str(form.get("csrf", ""))):
            return Response("Ongeldige aanvraag.", status_code=403, media_type="text/plain")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/")
        return response

    async def read_text_form(request: Request, session: StaffSession, tab: TextTab[Any]) -> PostedText:
        """The checks the triage and message-check forms share: origin and CSRF, municipality, text, length.

        The text is masked before anything else sees it; a refused form names its Dutch reason and status.
        """
        form = await request.form()
        if not _same_origin(request) or not csrf_valid(key, session, str(form.get("csrf", ""))):
            return PostedText(error="Deze pagina is verlopen. Laad de pagina opnieuw.", status_code=403)
        raw_text = str(form.get("text", "")).strip()
        gemeente = str(form.get("gemeente", ""))
        if gemeente and gemeente not in _gemeenten():
            return PostedText(error="Kies een gemeente uit de lijst.", status_code=400)
        if not raw_text:
            return PostedText(gemeente=gemeente, error=tab.empty, status_code=400)
        masked = mask_text(raw_text)
        if len(masked.text) > tab.max_length:
            return PostedText(gemeente, masked.text[: tab.max_length], masked.found, tab.too_long, 400)
        return PostedText(gemeente, masked.text, masked.found)

    def tab_page(
        request: Request,
        session: StaffSession,
        tab: TextTab[Any],
        *,
        error: str | None = None,
        status_code: int = 200,
        gemeente: str = "",
        text: str = "",
        result: TriageResult | MessageCheckResult | None = None,
        masked_kinds: list[str] | None = None,
    ) -> HTMLResponse:
        context = {
            "error": error,
            "gemeente": gemeente,
            tab.text_name: text,
            "result": result,
            "masked_kinds": masked_kinds or [],
            "today": clock.today().strftime("%d-%m-%Y"),
            "max_length": tab.max_length,
        }
        return page(request, tab.template, context, session, status_code)

    async def post_tab(request: Request, session: StaffSession, tab: TextTab[Result]) -> Response:
        """Send a posted text to the triage endpoint and show the answer; the text is masked, never logged."""
        posted = await read_text_form(request, session, tab)
        gemeente = posted.gemeente
        if posted.error is not None:
            shown = posted.text if tab.shows_refused_text else ""
            status_code = posted.status_code
            return tab_page(
                request,
                session,
                tab,
                error=posted.error,
                gemeente=gemeente,
                text=shown,
                status_code=status_code,
            )
        try:
            result = await tab.ask(request.app.state.triage, posted.text, gemeente or None)
        except TriageError as exc:
            logger.warning("%s failed status=%s", tab.what, exc.status)
            return tab_page(
                request,
                session,
                tab,
                error=exc.message,
                gemeente=gemeente,
                text=posted.text,
                status_code=exc.status,
            )
        tab.log_answer(result)
        return tab_page(
            request, session, tab, gemeente=gemeente, text=posted.text, result=result, masked_kinds=posted.found
        )

    def add_text_tab(tab: TextTab[Any]) -> None:
        """Register the tab's form (GET) and its post (POST), both for signed-in staff only."""

        async def show(request: Request, session: StaffSession) -> Response:
            return tab_page(request, session, tab)

        async def send(request: Request, session: StaffSession) -> Response:
            return await post_tab(request, session, tab)

        show.__name__, send.__name__ = tab.route_names
        app.get(tab.path, response_class=HTMLResponse)(signed_in(show))
        app.post(tab.path, response_class=HTMLResponse)(signed_in(send))

    for tab in TEXT_TABS:
        add_text_tab(tab)

    @app.post("/referrals")
    async def record_referral(request: Request) -> Response:
        session = current_session(request)
        wants_json = "application/json" in request.headers.get("accept", "")
        form = await request.form()
        token = request.headers.get("x-csrf-token") or str(form.get("csrf", ""))

        def answer(status: int, message: str, target_name: str = "") -> Response:
            if wants_json:
                key_name = "status" if status < 400 else "error"
                return JSONResponse({key_name: message, "target": target_name}, status_code=status)
            return page(
                request,
                "recorded.html",
                {"ok": status < 400, "message": message},
                session,
                status,
            )

        if session is None:
            return answer(401, "U bent niet meer ingelogd. Log opnieuw in.")
        if not _same_origin(request) or not csrf_valid(key, session, token):
            return answer(403, "Deze pagina is verlopen. Laad de pagina opnieuw.")
        topic = str(form.get("topic", ""))
        target = str(form.get("target", ""))
        gemeente = str(form.get("gemeente", ""))
        target_name = str(form.get("target_name", ""))[:120]
        if not CONTENT_ID.match(topic) or not CONTENT_ID.match(target):
            return answer(400, "Onbekend onderwerp of onbekende verwijzing.")
        if gemeente and gemeente not in _gemeenten():
            return answer(400, "Onbekende gemeente.")
        try:
            await request.app.state.events.record_referral(topic, target, gemeente or None)
        except EventError as exc:
            logger.warning("referral not recorded")
            return answer(502, exc.message)
        logger.info("referral recorded topic=%s target=%s", topic, target)
        return answer(200, f"Vastgelegd: verwezen naar {target_name or target}.", target_name)

    add_content_routes(app, page=page, session_of=current_session, key=key, same_origin=_same_origin)
    return app
