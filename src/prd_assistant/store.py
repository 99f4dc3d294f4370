"""Drafts -> a local SQL database, so a refreshed tab or a new session finds the work again.

Each draft is one row holding ``Draft.to_dict()`` as JSON (plus a small JSON ``meta`` for UI
state such as dismissed findings), and every save that changed something appends a version
row, so earlier states of a draft can be reopened. SQLite is the embedded default; any
SQLAlchemy URL works. Model settings, and so the API key, are never passed to this module.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from prd_assistant.document import Draft

ENV_URL = "PRD_DATABASE_URL"
ENV_PATH = "PRD_DB_PATH"
# Keeps a long editing session from growing the database without bound; the newest are kept.
MAX_VERSIONS_PER_DRAFT = 200

_metadata = MetaData()
drafts_table = Table(
    "drafts",
    _metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("data", Text, nullable=False),
    Column("meta", Text, nullable=False, default="{}"),
)
versions_table = Table(
    "draft_versions",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", String(64), nullable=False, index=True),
    Column("saved_at", Float, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("digest", String(64), nullable=False),
    Column("data", Text, nullable=False),
)


class StoreError(RuntimeError):
    """The draft database cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class DraftSummary:
    """One line of the history list."""

    id: str
    title: str
    created_at: float
    updated_at: float
    versions: int


@dataclass(frozen=True)
class VersionSummary:
    """One saved state of a draft."""

    id: int
    draft_id: str
    saved_at: float
    note: str


def default_url() -> str:
    """The database URL from ``PRD_DATABASE_URL``, ``PRD_DB_PATH`` or the per-user default."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    if os.environ.get(ENV_PATH):
        return sqlite_url(Path(os.environ[ENV_PATH]))
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return sqlite_url(base / "prd-assistant" / "drafts.sqlite3")


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL for a SQLite file (its folder is created when the store opens)."""
    return f"sqlite:///{path.expanduser().resolve()}"


class DraftStore:
    """Saves drafts and their versions; safe to share between Streamlit sessions."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = _open_engine(self.url)
        try:
            _metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot open the draft database ({_describe(self.url)}): {exc.__class__.__name__}. "
                f"Check that the folder is writable, or set {ENV_PATH} to another file."
            ) from None

    def save(
        self,
        draft: Draft,
        note: str = "",
        meta: dict[str, Any] | None = None,
        *,
        version: bool = True,
    ) -> bool:
        """Saves ``draft`` and, if its content changed, a new version.

        Args:
            draft: The draft to save.
            note: What changed, shown in the version list ("edit: Overview").
            meta: UI state stored beside the draft; None keeps what is stored.
            version: False saves the latest state only (used while drafting streams in).

        Returns:
            True if a new version was recorded.
        """
        data = json.dumps(draft.to_dict(), ensure_ascii=False, sort_keys=True)
        digest = _content_digest(draft)
        now = time.time()
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(drafts_table.c.id).where(drafts_table.c.id == draft.id)
            ).first()
            values: dict[str, Any] = {
                "title": display_title(draft),
                "updated_at": now,
                "data": data,
            }
            if meta is not None:
                values["meta"] = json.dumps(meta, sort_keys=True)
            if exists:
                conn.execute(
                    update(drafts_table).where(drafts_table.c.id == draft.id).values(values)
                )
            else:
                values.setdefault("meta", "{}")
                conn.execute(
                    insert(drafts_table).values(id=draft.id, created_at=draft.created_at, **values)
                )
            last = conn.execute(
                select(versions_table.c.digest)
                .where(versions_table.c.draft_id == draft.id)
                .order_by(versions_table.c.id.desc())
                .limit(1)
            ).scalar()
            if last == digest or not version:
                return False
            conn.execute(
                insert(versions_table).values(
                    draft_id=draft.id, saved_at=now, note=note, digest=digest, data=data
                )
            )
            self._prune(conn, draft.id)
        return True

    def _prune(self, conn: Any, draft_id: str) -> None:
        keep = (
            select(versions_table.c.id)
            .where(versions_table.c.draft_id == draft_id)
            .order_by(versions_table.c.id.desc())
            .limit(MAX_VERSIONS_PER_DRAFT)
        )
        conn.execute(
            delete(versions_table).where(
                versions_table.c.draft_id == draft_id, versions_table.c.id.not_in(keep)
            )
        )

    def load(self, draft_id: str) -> Draft | None:
        """The latest saved state of a draft, or None if there is no such draft."""
        with self.engine.connect() as conn:
            data = conn.execute(
                select(drafts_table.c.data).where(drafts_table.c.id == draft_id)
            ).scalar()
        return None if data is None else Draft.from_dict(json.loads(data))

    def load_meta(self, draft_id: str) -> dict[str, Any]:
        """The UI state saved with a draft ({} if none)."""
        with self.engine.connect() as conn:
            meta = conn.execute(
                select(drafts_table.c.meta).where(drafts_table.c.id == draft_id)
            ).scalar()
        return json.loads(meta) if meta else {}

    def list_drafts(self, limit: int = 50) -> list[DraftSummary]:
        """Drafts, most recently changed first."""
        counts = (
            select(versions_table.c.draft_id, func.count().label("n"))
            .group_by(versions_table.c.draft_id)
            .subquery()
        )
        query = (
            select(
                drafts_table.c.id,
                drafts_table.c.title,
                drafts_table.c.created_at,
                drafts_table.c.updated_at,
                func.coalesce(counts.c.n, 0),
            )
            .select_from(drafts_table.outerjoin(counts, counts.c.draft_id == drafts_table.c.id))
            .order_by(drafts_table.c.updated_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [DraftSummary(*row) for row in conn.execute(query)]

    def versions(self, draft_id: str) -> list[VersionSummary]:
        """A draft's saved versions, newest first."""
        query = (
            select(
                versions_table.c.id,
                versions_table.c.draft_id,
                versions_table.c.saved_at,
                versions_table.c.note,
            )
            .where(versions_table.c.draft_id == draft_id)
            .order_by(versions_table.c.id.desc())
        )
        with self.engine.connect() as conn:
            return [VersionSummary(*row) for row in conn.execute(query)]

    def load_version(self, version_id: int) -> Draft:
        """The draft as it was at one version.

        Raises:
            KeyError: If there is no such version.
        """
        with self.engine.connect() as conn:
            data = conn.execute(
                select(versions_table.c.data).where(versions_table.c.id == version_id)
            ).scalar()
        if data is None:
            raise KeyError(version_id)
        return Draft.from_dict(json.loads(data))

    def delete(self, draft_id: str) -> None:
        """Removes a draft and all its versions."""
        with self.engine.begin() as conn:
            conn.execute(delete(versions_table).where(versions_table.c.draft_id == draft_id))
            conn.execute(delete(drafts_table).where(drafts_table.c.id == draft_id))


def display_title(draft: Draft) -> str:
    """The draft's title line without the Markdown ``#``."""
    return draft.title.lstrip("#").strip() or "Untitled draft"


def _content_digest(draft: Draft) -> str:
    """Hash of what the PM sees (title and section texts/states), not timestamps."""
    parts = [draft.title, draft.description, draft.context]
    for section in draft.sections:
        parts += [section.key, section.text, str(section.status), str(section.locked)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _describe(url: str) -> str:
    """The URL without any password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _open_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder for the draft database {path}: {exc.strerror}. "
                f"Set {ENV_PATH} to a writable file."
            ) from None
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets one session read while another writes (several browser tabs).
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(
            f"Cannot use the database URL {_describe(url)}: {exc}. Check {ENV_URL}."
        ) from None
