"""Team use: draft owners, shares, who saved each version, and model usage per person.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Drafts from before owners existed belong to the local (single) user.
    op.add_column(
        "drafts", sa.Column("owner", sa.String(200), nullable=False, server_default="local")
    )
    op.create_index("ix_drafts_owner", "drafts", ["owner"])
    op.add_column(
        "draft_versions",
        sa.Column("saved_by", sa.String(200), nullable=False, server_default=""),
    )
    op.create_table(
        "draft_shares",
        sa.Column("draft_id", sa.String(64), primary_key=True),
        sa.Column("principal", sa.String(200), primary_key=True),
        sa.Column("can_edit", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_draft_shares_principal", "draft_shares", ["principal"])
    op.create_table(
        "usage_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("draft_id", sa.String(64), nullable=False),
        sa.Column("section_key", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=True),
        sa.Column("exact", sa.Boolean, nullable=False),
    )
    op.create_index("ix_usage_events_user_name", "usage_events", ["user_name"])
    op.create_index("ix_usage_events_draft_id", "usage_events", ["draft_id"])
