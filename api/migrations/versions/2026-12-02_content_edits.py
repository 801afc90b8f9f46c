"""Staff edits of local facts: the append-only content_edit table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

The overlay is the latest edit per key (api/content.py); unique (key, base_id) lets only one of two saves
based on the same version be stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_edit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_edit")),
        sa.UniqueConstraint("key", "base_id", name="uq_content_edit_key_base"),
    )


def downgrade() -> None:
    op.drop_table("content_edit")
