"""Events keep the key that wrote them; statistics are releases computed from the events (kept in release),
so event_count goes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Releases of settled periods are computed from the ``event`` table (api/release.py), so the running counts are
no longer read. Existing events get ``key_ref`` null: they were written before keys were recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.migrations.frozen_tables import create_event_count_0001

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("key_ref", sa.String(length=32), nullable=True))
    op.create_index("ix_event_day_kind", "event", ["day", "kind"])
    op.create_index("ix_event_key_ref", "event", ["key_ref"])
    op.drop_table("event_count")
    op.create_table(
        "release",
        sa.Column("period", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("base", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("period", "period_start", "kind", "threshold", "base", name=op.f("pk_release")),
    )


def downgrade() -> None:
    op.drop_table("release")
    create_event_count_0001()
    op.drop_index("ix_event_key_ref", table_name="event")
    op.drop_index("ix_event_day_kind", table_name="event")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("key_ref")
