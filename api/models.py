"""Typed SQLAlchemy 2 tables: events, API keys and staff content edits.

Statistics are released per settled period (api/release.py) from one GROUP BY over that period's events,
through the index on ``day``; a release never changes, so the API computes each one once and keeps it in
``release``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations get stable constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Event(Base):
    """One counts-grade event: exactly the fields of the reach-measurement issue, nothing finer."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_day_kind", "day", "kind"), Index("ix_event_key_ref", "key_ref"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(64))
    gemeente: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    # Which key wrote the event (``env:ingest`` or ``db:<id>``), so events injected with a leaked key can be
    # found and removed (``python -m api events purge``). A key, never a person.
    key_ref: Mapped[str | None] = mapped_column(String(32))


class StoredRelease(Base):
    """A protected release, computed once: settled periods no longer change (api/release.py).

    ``events`` and ``last_id`` fingerprint the events it was computed from; a purge changes them, and the
    release is computed again. ``payload`` holds only published figures (api/release_store.py).
    """

    __tablename__ = "release"

    period: Mapped[str] = mapped_column(String(5), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    threshold: Mapped[int] = mapped_column(Integer, primary_key=True)
    base: Mapped[int] = mapped_column(Integer, primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)


class ApiKey(Base):
    """An API key, stored only as its SHA-256; revoked keys stay for the audit trail."""

    __tablename__ = "api_key"
    __table_args__ = (Index("ix_api_key_scope_revoked_at", "scope", "revoked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(8))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ContentEdit(Base):
    """One staff edit of a local fact (knowledge/overlay.py), append-only: the overlay is the latest per key.

    ``base_id`` is the edit of the same key the staff member saw (0 for none). Unique (key, base_id): of two
    saves based on the same version only one can be stored, in every database and with any number of API
    processes; the other is refused and shown the winner (api/content.py). ``role`` is a staff role, never a
    person.
    """

    __tablename__ = "content_edit"
    __table_args__ = (UniqueConstraint("key", "base_id", name="uq_content_edit_key_base"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200))
    base_id: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(Text)  # JSON
    role: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
