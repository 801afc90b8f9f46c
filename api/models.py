"""Typed SQLAlchemy 2 tables: raw events (for idempotency), pre-aggregated counts, API keys.

Statistics never scan the raw ``event`` table: every insert also adds to ``event_count`` in the
same transaction, so a statistics query reads a few thousand rows even at millions of events.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(64))
    gemeente: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    helpful: Mapped[bool | None] = mapped_column(Boolean)


class EventCount(Base):
    """Running count per period (week or month), breakdown dimension, kind and value.

    ``dimension`` is one of ``all``, ``topic``, ``target``, ``gemeente``, ``channel``,
    ``helpful``; ``value`` is the empty string where the event field was null.
    """

    __tablename__ = "event_count"

    period: Mapped[str] = mapped_column(String(5), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(8), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


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
