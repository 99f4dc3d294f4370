"""One version model: the per-section version lists inside saved drafts become draft versions.

Drafts saved before this kept a ``versions`` list in every section as well as the draft's own
version rows. A section's history is now a view of the draft's versions, so each earlier
state those lists held that no version row has yet is added as a version row, at its time.

Revision ID: 0004
Revises: 0003
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

from prd_assistant.document import legacy_section_versions

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

drafts = sa.table("drafts", sa.column("id", sa.String), sa.column("data", sa.Text))
versions = sa.table(
    "draft_versions",
    sa.column("draft_id", sa.String),
    sa.column("saved_at", sa.Float),
    sa.column("note", sa.Text),
    sa.column("digest", sa.String),
    sa.column("data", sa.Text),
    sa.column("saved_by", sa.String),
)


def _texts(data: str) -> set[tuple[str, str]]:
    """(section key, text) pairs of one stored draft ({} if it is damaged)."""
    try:
        sections = json.loads(data).get("sections") or []
        return {(str(s.get("key")), str(s.get("text") or "")) for s in sections}
    except (ValueError, AttributeError, TypeError):
        return set()


def upgrade() -> None:
    conn = op.get_bind()
    for draft_id in conn.execute(sa.select(drafts.c.id)).scalars().all():
        data = conn.execute(sa.select(drafts.c.data).where(drafts.c.id == draft_id)).scalar()
        try:
            states = legacy_section_versions(json.loads(data or "{}"))
        except (ValueError, AttributeError, TypeError):
            continue  # a damaged draft stays as it is; opening it says so
        if not states:
            continue
        known: set[tuple[str, str]] = _texts(data)
        for stored in conn.execute(
            sa.select(versions.c.data).where(versions.c.draft_id == draft_id)
        ).scalars():
            known |= _texts(stored)
        for when, note, state in states:
            texts = {(str(s.get("key")), str(s.get("text") or "")) for s in state["sections"]}
            if texts <= known:
                continue
            known |= texts
            body = json.dumps(state, ensure_ascii=False, sort_keys=True)
            conn.execute(
                sa.insert(versions).values(
                    draft_id=draft_id,
                    saved_at=when,
                    note=note,
                    digest=hashlib.sha256(body.encode("utf-8")).hexdigest(),
                    data=body,
                    saved_by="",
                )
            )
