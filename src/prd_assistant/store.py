"""Drafts -> a local SQL database, so a refreshed tab or a new session finds the work again.

Each draft is one row holding ``Draft.to_dict()`` as JSON (plus a small JSON ``meta`` for UI
state such as dismissed findings), and every save that changed something appends a version
row, so earlier states of a draft can be reopened. SQLite is the embedded default; any
SQLAlchemy URL works. Model settings, and so the API key, are never passed to this module.

Each draft row carries a ``revision`` that grows with every save that changed the row. A save
may say which revision it was based on (``base_revision``); if another tab or app process
saved in between, the save is refused with :class:`ConflictError` instead of overwriting.
The check is one ``UPDATE ... WHERE revision = ?``, so it holds across processes.
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
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

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
    Column("revision", Integer, nullable=False, default=1, server_default="1"),
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


class ConflictError(StoreError):
    """A save based on an older revision than the stored one; nothing was written.

    Attributes:
        draft_id: The draft that was saved.
        current_revision: The stored revision (0 if the draft was deleted meanwhile).
    """

    def __init__(self, draft_id: str, current_revision: int, base_revision: int) -> None:
        self.draft_id = draft_id
        self.current_revision = current_revision
        self.base_revision = base_revision
        if current_revision == 0:
            message = (
                "This draft was deleted elsewhere since it was opened here; nothing was saved. "
                "Download it or save it as a new draft to keep this text."
            )
        else:
            message = (
                f"This draft was changed elsewhere (another tab or person) since it was opened "
                f"here (revision {current_revision}, this edit was based on {base_revision}); "
                "nothing was overwritten. Reload the draft to see the other change, or save "
                "this text as a new draft."
            )
        super().__init__(message)


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
            _add_revision_column(self.engine)
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
        base_revision: int | None = None,
    ) -> int:
        """Saves ``draft`` and, if its content changed, a new version.

        Args:
            draft: The draft to save.
            note: What changed, shown in the version list ("edit: Overview").
            meta: UI state stored beside the draft; None keeps what is stored.
            version: False saves the latest state only (used while drafting streams in).
            base_revision: The revision this edit started from (from :meth:`load_versioned`
                or an earlier :meth:`save`); 0 for a draft that must not exist yet. None saves
                unconditionally.

        Returns:
            The draft's revision after the save. A save that changes nothing stored returns
            the current revision and does not count as a change.

        Raises:
            ConflictError: ``base_revision`` is not the stored revision; nothing was written.
        """
        data = json.dumps(draft.to_dict(), ensure_ascii=False, sort_keys=True)
        meta_json = None if meta is None else json.dumps(meta, sort_keys=True)
        row = _SaveRow(
            draft_id=draft.id,
            title=display_title(draft),
            created_at=draft.created_at,
            data=data,
            meta=meta_json,
            digest=_content_digest(draft),
            note=note,
        )
        # Two first saves of one new draft can race to INSERT; the loser updates instead.
        for _ in range(3):
            try:
                return self._save_once(row, version=version, base_revision=base_revision)
            except IntegrityError:
                if base_revision is not None:
                    raise ConflictError(draft.id, self._revision(draft.id), base_revision) from None
        raise StoreError(f"Could not save draft {draft.id}: it kept changing; try again.")

    def _save_once(self, row: _SaveRow, *, version: bool, base_revision: int | None) -> int:
        now = time.time()
        table = drafts_table
        with self.engine.begin() as conn:
            values: dict[str, Any] = {
                "title": row.title,
                "updated_at": now,
                "data": row.data,
                "revision": table.c.revision + 1,
            }
            if row.meta is not None:
                values["meta"] = row.meta
            # A save that would store exactly what is there is no change, so it does not bump
            # the revision (opening a draft in a second tab must not make the first one stale).
            unchanged = table.c.data == row.data
            if row.meta is not None:
                unchanged = unchanged & (table.c.meta == row.meta)
            stmt = update(table).where(table.c.id == row.draft_id, ~unchanged)
            if base_revision is not None:
                stmt = stmt.where(table.c.revision == base_revision)
            if conn.execute(stmt.values(values)).rowcount == 1:
                revision = conn.execute(
                    select(table.c.revision).where(table.c.id == row.draft_id)
                ).scalar_one()
            else:
                stored = conn.execute(
                    select(table.c.revision, table.c.data, table.c.meta).where(
                        table.c.id == row.draft_id
                    )
                ).first()
                if stored is None:
                    if base_revision not in (None, 0):
                        raise ConflictError(row.draft_id, 0, base_revision)
                    conn.execute(
                        insert(table).values(
                            id=row.draft_id,
                            created_at=row.created_at,
                            meta=row.meta if row.meta is not None else "{}",
                            **{k: v for k, v in values.items() if k not in ("meta", "revision")},
                            revision=1,
                        )
                    )
                    revision = 1
                elif stored.data == row.data and row.meta in (None, stored.meta):
                    revision = stored.revision
                else:
                    raise ConflictError(row.draft_id, stored.revision, int(base_revision or 0))
            if version:
                self._add_version(conn, row, now)
        return int(revision)

    def _add_version(self, conn: Any, row: _SaveRow, now: float) -> None:
        last = conn.execute(
            select(versions_table.c.digest)
            .where(versions_table.c.draft_id == row.draft_id)
            .order_by(versions_table.c.id.desc())
            .limit(1)
        ).scalar()
        if last == row.digest:
            return
        conn.execute(
            insert(versions_table).values(
                draft_id=row.draft_id, saved_at=now, note=row.note, digest=row.digest, data=row.data
            )
        )
        self._prune(conn, row.draft_id)

    def _revision(self, draft_id: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(drafts_table.c.revision).where(drafts_table.c.id == draft_id)
            ).scalar()
        return int(value or 0)

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

    def load_versioned(self, draft_id: str) -> tuple[Draft, int] | None:
        """The latest saved state of a draft and its revision, or None if there is no such draft.

        Pass the revision as ``base_revision`` to the next :meth:`save` of this draft.
        """
        with self.engine.connect() as conn:
            row = conn.execute(
                select(drafts_table.c.data, drafts_table.c.revision).where(
                    drafts_table.c.id == draft_id
                )
            ).first()
        return None if row is None else (Draft.from_dict(json.loads(row.data)), int(row.revision))

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


@dataclass(frozen=True)
class _SaveRow:
    """What one save writes, computed once outside the transaction."""

    draft_id: str
    title: str
    created_at: float
    data: str
    meta: str | None
    digest: str
    note: str


def display_title(draft: Draft) -> str:
    """The draft's title line without the Markdown ``#``."""
    return draft.title.lstrip("#").strip() or "Untitled draft"


def _content_digest(draft: Draft) -> str:
    """Hash of what the PM sees (title and section texts/states), not timestamps."""
    parts = [draft.title, draft.description, draft.context]
    for section in draft.sections:
        parts += [section.key, section.text, str(section.status), str(section.locked)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _add_revision_column(engine: Engine) -> None:
    """Upgrades a database made before drafts had a revision."""
    if "revision" in {c["name"] for c in inspect(engine).get_columns("drafts")}:
        return
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1"))
    except SQLAlchemyError:
        # Another process may have added it first; only its absence is an error.
        if "revision" not in {c["name"] for c in inspect(engine).get_columns("drafts")}:
            raise


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
