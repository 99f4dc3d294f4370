"""The tables as the newest migration leaves them; queries are written against these.

Changing a table means a new migration in ``migrations/versions`` and the same change here.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text, false

from prd_assistant.store.principals import LOCAL_USER

metadata = MetaData()

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("data", Text, nullable=False),
    Column("meta", Text, nullable=False, default="{}"),
    Column("revision", Integer, nullable=False, server_default="1"),
    Column("owner", String(200), nullable=False, server_default=LOCAL_USER, index=True),
)

versions = Table(
    "draft_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", String(64), nullable=False, index=True),
    Column("saved_at", Float, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("digest", String(64), nullable=False),
    Column("data", Text, nullable=False),
    Column("saved_by", String(200), nullable=False, server_default=""),
)

shares = Table(
    "draft_shares",
    metadata,
    Column("draft_id", String(64), primary_key=True),
    Column("principal", String(200), primary_key=True),
    Column("can_edit", Boolean, nullable=False, server_default=false()),
    Index("ix_draft_shares_principal", "principal"),
)

usage = Table(
    "usage_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", Float, nullable=False),
    Column("user_name", String(200), nullable=False, index=True),
    Column("draft_id", String(64), nullable=False, index=True),
    Column("section_key", String(200), nullable=False),
    Column("model", String(200), nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("cost_usd", Float, nullable=True),
    Column("exact", Boolean, nullable=False),
)
