"""Table definitions that more than one migration needs, frozen as they were at the revision named.

A migration must keep meaning what it meant when it was applied, so nothing here may change: a later schema
gets a new function, never an edit. (Migrations must not import ``api.models``, which follows today's schema.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_event_count_0001() -> None:
    """``event_count`` as revision 0001 created it (0002 dropped it; its downgrade creates it again)."""
    op.create_table(
        "event_count",
        sa.Column("period", sa.String(length=5), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "period", "dimension", "kind", "period_start", "value", name=op.f("pk_event_count")
        ),
    )
