"""The content page's routes (/inhoud): editor role only, CSRF on every form, every save through the API.

A refused save (the loader's Dutch message, or someone else saved first) shows the form again with the
message and stores nothing; a conflict also shows the other change and bases the next save on it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.staff.content_client import ContentRefused, ContentUnavailable
from bot.staff.content_page import (
    NEW_SOURCE,
    FormProblem,
    catalog_with,
    closure_edit,
    describe,
    fact_change,
    find_fact,
    history_rows,
    rows,
    session_edit,
    source_pages,
    staff_closures,
)
from bot.staff.guard import Endpoint, SessionOf, SignedInHandler, login_guard
from bot.staff.session import EDITOR, StaffSession, csrf_valid
from knowledge.clock import today
from knowledge.local_facts import times_text
from knowledge.overlay import Edit

logger = logging.getLogger("wegwijzer.staff")
EXPIRED = "Deze pagina is verlopen. Laad de pagina opnieuw."
UNKNOWN_FACT = "Dit gegeven bestaat niet. Kies een gegeven uit de lijst."
SAVED = "Opgeslagen. Bewoners zien het binnen enkele seconden."
ONLY_EDITORS = "Deze pagina is alleen voor redacteuren. Log in met de sleutel voor redacteuren."
Page = Callable[[Request, str, dict[str, Any], StaffSession | None, int], HTMLResponse]
# A posted form of the overview -> (fact key, the version it was based on, the change), or FormProblem.
FormToEdit = Callable[[Request, dict[str, str]], Awaitable[tuple[str, int, dict[str, Any]]]]


def add_content_routes(
    app: FastAPI, *, page: Page, session_of: SessionOf, key: bytes, same_origin: Callable[[Request], bool]
) -> None:
    """Register /inhoud, /inhoud/feit, /inhoud/sluiting and /inhoud/sluiting/intrekken."""

    signed_in = login_guard(session_of)

    def editors_only(handler: SignedInHandler) -> Endpoint:
        """A content page: signed in (else the login page), and with the editor key (else a 403 page)."""

        async def for_editors(request: Request, session: StaffSession) -> Response:
            if not session.is_editor:
                return page(request, "content_forbidden.html", {"error": ONLY_EDITORS}, session, 403)
            return await handler(request, session)

        for_editors.__name__, for_editors.__doc__ = handler.__name__, handler.__doc__
        return signed_in(for_editors)

    async def overview(
        request: Request,
        session: StaffSession,
        *,
        error: str | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Response:
        try:
            _, overlay = await request.app.state.content.overlay()
            history = await request.app.state.content.history()
        except ContentUnavailable as exc:
            return page(request, "content_forbidden.html", {"error": exc.message}, session, 503)
        catalog = catalog_with(overlay)
        context = {
            "rows": rows(catalog),
            "closures": staff_closures(catalog, overlay),
            "history": history_rows(history, catalog),
            "locations": [(loc.id, loc.name) for loc in catalog.locations],
            "schedules": [
                (f"{loc.id}|{sid}", f"{catalog.services[sid].name} – {loc.name}")
                for loc in catalog.locations
                for sid in sorted(loc.services)
                if sid in ("e_cafe", "cursussen", "informatiepunt", "taalhuis")
            ],
            "pages": source_pages()["knowledge/locations.yml"],
            "today": today().isoformat(),
            "error": error,
            "notice": notice,
        }
        return page(request, "content.html", context, session, status)

    async def fact_form(
        request: Request,
        session: StaffSession,
        fact_key: str,
        *,
        error: str | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
        conflict: Edit | None = None,
    ) -> Response:
        try:
            _, overlay = await request.app.state.content.overlay()
        except ContentUnavailable as exc:
            return page(request, "content_forbidden.html", {"error": exc.message}, session, 503)
        catalog = catalog_with(overlay)
        fact = find_fact(catalog, fact_key)
        if fact is None:
            return await overview(request, session, error=UNKNOWN_FACT, status=404)
        pages = source_pages()[fact.file]
        current_url = fact.check.source.url if fact.check else ""
        selected = next(
            (k for k, (url, _) in pages.items() if url == current_url), NEW_SOURCE if current_url else ""
        )
        base = overlay[fact_key].id if fact_key in overlay else 0
        values = {
            "value": times_text_of(catalog, fact_key) if fact.times else (fact.value or ""),
            "state": fact.state if fact.state != "unknown" else "confirmed",
            "source": selected,
            "source_url": current_url if selected == NEW_SOURCE else "",
            "source_name": (fact.check.source.name if fact.check and selected == NEW_SOURCE else ""),
            "confirmed_by": (fact.check.confirmed_by if fact.check and fact.check.confirmed_by else ""),
            "note": (fact.check.note if fact.check and fact.check.note else ""),
            **(form or {}),
        }
        context = {
            "fact": fact,
            "base": base,
            "values": values,
            "pages": pages,
            "error": error,
            "conflict": describe(conflict, catalog) if conflict is not None else None,
            "conflict_edit": conflict,
        }
        return page(request, "content_fact.html", context, session, status)

    def times_text_of(catalog: Any, fact_key: str) -> str:
        _, loc_id, _, service_id = fact_key.split("/")
        location = next(loc for loc in catalog.locations if loc.id == loc_id)
        return times_text(location.services[service_id])

    async def save(
        request: Request, session: StaffSession, fact_key: str, base: int, change: dict[str, Any]
    ) -> Edit:
        return await request.app.state.content.save(fact_key, base, change, EDITOR)  # type: ignore[no-any-return]

    @app.get("/inhoud", response_class=HTMLResponse)
    @editors_only
    async def content_overview(request: Request, session: StaffSession) -> Response:
        saved = request.query_params.get("opgeslagen")
        return await overview(
            request, session, notice="Opgeslagen. Bewoners zien het binnen enkele seconden." if saved else None
        )

    @app.get("/inhoud/feit", response_class=HTMLResponse)
    @editors_only
    async def content_fact(request: Request, session: StaffSession) -> Response:
        return await fact_form(request, session, request.query_params.get("sleutel", ""))

    @app.post("/inhoud/feit", response_class=HTMLResponse)
    @editors_only
    async def content_fact_save(request: Request, session: StaffSession) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        fact_key = form.get("key", "")
        if not same_origin(request) or not csrf_valid(key, session, form.get("csrf", "")):
            return await fact_form(request, session, fact_key, error=EXPIRED, status=403)
        try:
            _, overlay = await request.app.state.content.overlay()
            fact = find_fact(catalog_with(overlay), fact_key)
            if fact is None:
                raise FormProblem("Niet opgeslagen. Dit gegeven bestaat niet. Kies een gegeven uit de lijst.")
            change = fact_change(fact, form, confirm_only=form.get("action") == "bevestigen")
            base = int(form.get("base", "0") or "0") if form.get("base", "0").isdigit() else -1
            await save(request, session, fact_key, base, change)
        except FormProblem as exc:
            return await fact_form(request, session, fact_key, error=str(exc), status=400, form=form)
        except ContentRefused as exc:
            status = 409 if exc.status == 409 else 400
            kept = form if exc.status != 409 else {k: v for k, v in form.items() if k != "base"}
            return await fact_form(
                request, session, fact_key, error=exc.message, status=status, form=kept, conflict=exc.current
            )
        except ContentUnavailable as exc:
            return await fact_form(request, session, fact_key, error=exc.message, status=503, form=form)
        logger.info("content edit saved key=%s", fact_key)
        return RedirectResponse("/inhoud?opgeslagen=1#lijst", status_code=303)

    def overview_form(path: str, what: str) -> Callable[[FormToEdit], FormToEdit]:
        """Register a form of the overview (closures, single sessions, withdrawals) at ``path``: editors only,
        one CSRF check and error handling; the decorated ``build`` turns the posted form into (fact key, base
        version, change) or raises FormProblem."""

        def register(build: FormToEdit) -> FormToEdit:
            async def submit(request: Request, session: StaffSession) -> Response:
                form = {k: str(v) for k, v in (await request.form()).items()}
                if not same_origin(request) or not csrf_valid(key, session, form.get("csrf", "")):
                    return await overview(request, session, error=EXPIRED, status=403)
                try:
                    fact_key, base, change = await build(request, form)
                    await save(request, session, fact_key, base, change)
                except FormProblem as exc:
                    return await overview(request, session, error=str(exc), status=400)
                except ContentRefused as exc:
                    status = 409 if exc.status == 409 else 400
                    return await overview(request, session, error=exc.message, status=status)
                except ContentUnavailable as exc:
                    return await overview(request, session, error=exc.message, status=503)
                logger.info("content %s saved", what)
                return RedirectResponse("/inhoud?opgeslagen=1#sluitingen", status_code=303)

            submit.__name__, submit.__doc__ = build.__name__, build.__doc__
            app.post(path, response_class=HTMLResponse)(editors_only(submit))
            return build

        return register

    @overview_form("/inhoud/sluiting", "closure")
    async def content_closure(request: Request, form: dict[str, str]) -> tuple[str, int, dict[str, Any]]:
        _, overlay = await request.app.state.content.overlay()
        closure_key, change = closure_edit(
            form, catalog_with(overlay), only_today=form.get("action") == "vandaag"
        )
        return closure_key, 0, change

    @overview_form("/inhoud/keer", "session")
    async def content_session(request: Request, form: dict[str, str]) -> tuple[str, int, dict[str, Any]]:
        session_key, change = session_edit(form, cancel=form.get("action") == "niet")
        return session_key, 0, change

    @overview_form("/inhoud/sluiting/intrekken", "closure withdrawal")
    async def content_closure_cancel(request: Request, form: dict[str, str]) -> tuple[str, int, dict[str, Any]]:
        closure_key = form.get("key", "")
        _, overlay = await request.app.state.content.overlay()
        edit = overlay.get(closure_key)
        dated = any(f"/{kind}/" in closure_key for kind in ("closure", "session", "cancel"))
        if edit is None or not dated or not form.get("base", "").isdigit():
            raise FormProblem("Niet opgeslagen. Deze sluiting bestaat niet (meer). Laad de pagina opnieuw.")
        return closure_key, int(form["base"]), {**edit.change, "cancelled": True}
