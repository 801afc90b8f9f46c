"""Staff edits of local facts: the overlay, the history, and saving one edit (validated, never lost).

Why the API keeps them: it already owns the one durable database (SQLite in development, PostgreSQL in
production) that survives restarts and redeploys and that every Rasa and action-server instance can reach over
HTTP; a file in knowledge/ would be lost on a redeploy and differ between two machines.

Saving: the edit is applied, with the current overlay, to knowledge/ and run through the content loader; a
refusal names the problem in Dutch and stores nothing. Each edit says which edit of the same fact it was
based on; when another save came first, this one is refused with the other change (nothing is overwritten
unseen). Edits of different facts never conflict. The unique (key, base_id) constraint makes this hold with
two API processes and under PostgreSQL's concurrency too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.models import ContentEdit
from knowledge.loader import load_catalog
from knowledge.overlay import KEY_RE, Edit, dutch_problems, latest, patcher
from knowledge.validation import ContentError

MAX_CHANGE_BYTES = 4000
CONFLICT_MESSAGE = (
    "Iemand anders heeft dit gegeven net veranderd. Uw wijziging is niet opgeslagen. "
    "Kijk naar de nieuwe waarde hieronder en sla daarna opnieuw op."
)


class EditRefused(Exception):
    """An edit that is not stored: ``status`` 409 (someone else saved first) or 422 (invalid)."""

    def __init__(self, status: int, message: str, problems: list[str], current: Edit | None = None) -> None:
        """Keep the Dutch message, the Dutch problems and, for a conflict, the edit that won."""
        super().__init__(message)
        self.status, self.message, self.problems, self.current = status, message, problems, current


def _edit(row: ContentEdit) -> Edit:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    return Edit(row.id, row.key, json.loads(row.change), row.role, created.isoformat(), row.base_id)


def all_edits(session: Session) -> list[Edit]:
    """Every edit, oldest first (the table is small: a few per fact per year)."""
    return [_edit(row) for row in session.scalars(select(ContentEdit).order_by(ContentEdit.id))]


def overlay(session: Session) -> tuple[int, dict[str, Edit]]:
    """(version, latest edit per key); the version is the newest edit's id, 0 when there is none."""
    version = session.scalar(select(func.max(ContentEdit.id))) or 0
    return int(version), latest(all_edits(session))


def history(session: Session, limit: int = 200) -> list[Edit]:
    """The newest ``limit`` edits, newest first."""
    rows = session.scalars(select(ContentEdit).order_by(ContentEdit.id.desc()).limit(limit))
    return [_edit(row) for row in rows]


def _current(session: Session, key: str) -> Edit | None:
    query = select(ContentEdit).where(ContentEdit.key == key).order_by(ContentEdit.id.desc())
    row = session.scalars(query).first()
    return _edit(row) if row is not None else None


def check_shape(key: str, base: int, change: Mapping[str, Any], role: str) -> None:
    """Refuse what is not an edit at all (wrong key, too large) before the loader looks at it."""
    if not KEY_RE.match(key):
        raise EditRefused(422, "Dit gegeven bestaat niet. Kies een gegeven uit de lijst.", [])
    if base < 0 or not role.strip() or len(role) > 64:
        raise EditRefused(422, "Deze wijziging is onvolledig. Laad de pagina opnieuw.", [])
    if len(json.dumps(dict(change), ensure_ascii=False).encode("utf-8")) > MAX_CHANGE_BYTES:
        raise EditRefused(422, "De tekst is te lang. Maak hem korter.", [])


def validate(content_dir: Path | None, current: Mapping[str, Edit], candidate: Edit) -> None:
    """Run the content loader on knowledge/ with the overlay plus ``candidate``; raises EditRefused (422)."""
    try:
        load_catalog(content_dir, patcher({**current, candidate.key: candidate}))
    except ContentError as exc:
        problems = dutch_problems(exc.problems)
        raise EditRefused(422, "Niet opgeslagen. " + " ".join(problems), problems) from exc


def save_edit(
    sessions: sessionmaker[Session],
    content_dir: Path | None,
    *,
    key: str,
    base: int,
    change: Mapping[str, Any],
    role: str,
    now: dt.datetime | None = None,
) -> Edit:
    """Validate and store one edit.

    Raises:
        EditRefused: 422 with Dutch problems when the loader refuses it; 409 with the winning edit when the
            fact was changed since ``base``.
    """
    check_shape(key, base, change, role)
    moment = now or dt.datetime.now(dt.UTC)
    try:
        with transaction(sessions) as session:
            current = _current(session, key)
            if (current.id if current else 0) != base:
                raise EditRefused(409, CONFLICT_MESSAGE, [], current)
            _, present = overlay(session)
            candidate = Edit(2**62, key, dict(change), role, moment.isoformat(), base)
            validate(content_dir, present, candidate)
            text = json.dumps(dict(change), ensure_ascii=False)
            row = ContentEdit(key=key, base_id=base, change=text, role=role, created_at=moment)
            session.add(row)
            session.flush()
            return _edit(row)
    except IntegrityError:
        # Another process stored an edit with the same base between our check and our insert.
        with sessions() as session:
            raise EditRefused(409, CONFLICT_MESSAGE, [], _current(session, key)) from None
