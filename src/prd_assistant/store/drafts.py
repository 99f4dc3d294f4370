"""Drafts -> a SQL database, so a refreshed tab, another app process or a colleague finds them.

Each draft is one row holding ``Draft.to_dict()`` as JSON (plus a small JSON ``meta`` for UI
state such as dismissed findings), and every save that changed something appends a version
row recording who saved it, so earlier states of a draft can be reopened. These versions are
the draft's one history: a section's versions (:meth:`DraftStore.section_history`) are a
view of them. SQLite is the
embedded default; PostgreSQL serves a team. Model settings, and so the API key, are never
passed to this module.

Each draft row carries a ``revision`` that grows with every save that changed the row. A save
may say which revision it was based on (``base_revision``); if another tab or app process
saved in between, the save is refused with :class:`ConflictError` instead of overwriting.
The check is one ``UPDATE ... WHERE revision = ?``, so it holds across processes.

A store acts for one user: drafts belong to the user who first saved them, and the others
see them only when the owner shared them (read-only or editable, with named users or the
whole workspace). A draft the user may not read looks exactly like one that does not exist.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from prd_assistant.document import REDRAFT_OFFERS_KEY, Draft, SectionDraft, Usage
from prd_assistant.store import schema
from prd_assistant.store.engine import EngineSettings, default_url, open_engine
from prd_assistant.store.errors import AccessError, ConflictError, StoreError, translate
from prd_assistant.store.migrate import upgrade
from prd_assistant.store.principals import LOCAL_USER, WORKSPACE

Access = Literal["owner", "edit", "read"]
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class DraftSummary:
    """One line of the history list."""

    id: str
    title: str
    created_at: float
    updated_at: float
    versions: int
    owner: str = LOCAL_USER
    access: Access = "owner"


@dataclass(frozen=True)
class VersionSummary:
    """One saved state of a draft."""

    id: int
    draft_id: str
    saved_at: float
    note: str
    saved_by: str = ""


@dataclass(frozen=True)
class SectionRevision:
    """A section as one saved version of its draft had it (its text, status and caption)."""

    version_id: int
    saved_at: float
    note: str
    saved_by: str
    section: SectionDraft


@dataclass(frozen=True)
class Share:
    """Who a draft is shared with: a user name, or :data:`WORKSPACE` for everyone."""

    principal: str
    can_edit: bool


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turns every database failure into a :class:`StoreError` that says what to do."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise translate(exc, args[0].url) from None  # type: ignore[attr-defined]

    return wrapper


class DraftStore:
    """Saves drafts and their versions for one user; safe to share between threads.

    Args:
        url: SQLAlchemy URL; None uses :func:`default_url`.
        user: Who reads and saves through this store (:data:`LOCAL_USER` in local mode).
        settings: Timeouts and pool; None reads ``PRD_DB_*`` from the environment.

    Raises:
        StoreError: If the database cannot be opened or upgraded.
    """

    # Keeps a long editing session from growing the database without bound; the newest stay.
    max_versions = 200

    def __init__(
        self,
        url: str | None = None,
        *,
        user: str = LOCAL_USER,
        settings: EngineSettings | None = None,
    ) -> None:
        self.url = url or default_url()
        self.user = _check_user(user)
        self.engine = open_engine(self.url, settings)
        try:
            upgrade(self.engine)
        except SQLAlchemyError as exc:
            raise translate(exc, self.url) from None

    def as_user(self, user: str) -> DraftStore:
        """The same database, acting for ``user`` (shares the connection pool)."""
        other = copy.copy(self)
        other.user = _check_user(user)
        return other

    @_guarded
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
            AccessError: The draft belongs to someone else and is not editable by this user.
        """
        row = _SaveRow(
            draft=draft,
            title=display_title(draft),
            data=json.dumps(draft.to_dict(), ensure_ascii=False, sort_keys=True),
            meta=None if meta is None else json.dumps(meta, sort_keys=True),
            digest=_content_digest(draft),
            note=note,
        )
        # Another writer can get in between reading the row and the guarded UPDATE (or two
        # first saves can race to INSERT); an unconditional save then simply tries again.
        for _ in range(50):
            try:
                revision = self._save_once(row, version=version, base_revision=base_revision)
            except (_Raced, IntegrityError):
                if base_revision is not None:
                    raise ConflictError(
                        draft.id, self._stored_revision(draft.id), base_revision
                    ) from None
                time.sleep(0.005)
                continue
            return revision
        raise StoreError(
            f"Could not save draft {draft.id}: other saves kept changing it; try again."
        )

    def _save_once(self, row: _SaveRow, *, version: bool, base_revision: int | None) -> int:
        table = schema.drafts
        draft_id = row.draft.id
        now = time.time()
        with self.engine.begin() as conn:
            stored = conn.execute(
                select(table.c.revision, table.c.data, table.c.meta, table.c.owner).where(
                    table.c.id == draft_id
                )
            ).first()
            if stored is None:
                if base_revision not in (None, 0):
                    raise ConflictError(draft_id, 0, base_revision)
                conn.execute(
                    insert(table).values(
                        id=draft_id,
                        title=row.title,
                        created_at=row.draft.created_at,
                        updated_at=now,
                        data=row.data,
                        meta=row.meta if row.meta is not None else "{}",
                        revision=1,
                        owner=self.user,
                    )
                )
                revision, before, before_meta = 1, None, None
            else:
                self._check_can_edit(conn, draft_id, stored.owner)
                unchanged = stored.data == row.data and row.meta in (None, stored.meta)
                if unchanged:
                    # Storing what is there is no change: it must not make other tabs stale.
                    revision, before, before_meta = stored.revision, row.data, stored.meta
                elif base_revision is not None and stored.revision != base_revision:
                    raise ConflictError(draft_id, stored.revision, base_revision)
                else:
                    values: dict[str, Any] = {
                        "title": row.title,
                        "updated_at": now,
                        "data": row.data,
                        "revision": stored.revision + 1,
                    }
                    if row.meta is not None:
                        values["meta"] = row.meta
                    changed = conn.execute(
                        update(table)
                        .where(table.c.id == draft_id, table.c.revision == stored.revision)
                        .values(values)
                    ).rowcount
                    if changed != 1:
                        raise _Raced
                    revision, before, before_meta = stored.revision + 1, stored.data, stored.meta
            self._record_usage(conn, row, before, before_meta, now)
            if version:
                self._add_version(conn, row, now)
        return int(revision)

    def _check_can_edit(self, conn: Any, draft_id: str, owner: str) -> None:
        if owner == self.user:
            return
        access = self._shared_access(conn, draft_id)
        if access == "edit":
            return
        if access == "read":
            raise AccessError(
                f"{owner} shared this draft with you read-only, so it was not saved. "
                "Ask them for edit access, or save your text as a new draft."
            )
        raise AccessError(
            "This draft belongs to another user and is not shared with you; nothing was saved. "
            "Save your text as a new draft."
        )

    def _shared_access(self, conn: Any, draft_id: str) -> Access | None:
        rows = conn.execute(
            select(schema.shares.c.can_edit).where(
                schema.shares.c.draft_id == draft_id,
                self._shared_with_user(),
            )
        ).all()
        if not rows:
            return None
        return "edit" if any(r.can_edit for r in rows) else "read"

    def _record_usage(
        self,
        conn: Any,
        row: _SaveRow,
        before_data: str | None,
        before_meta: str | None,
        now: float,
    ) -> None:
        """Books the model calls this save brings in to the saving user.

        A section's usage is replaced each time the model writes it, so a section whose usage
        differs from the stored one was (re)written by the model since the last save. A run's
        text offered instead of applied (the PM had changed its section elsewhere) was paid
        for too: it is booked when it is first saved, so a discarded or superseded offer still
        counts, and taking it later does not count it again.
        """
        draft = row.draft
        before: dict[str, Any] = {}
        if before_data is not None:
            for section in json.loads(before_data).get("sections", []):
                before[section.get("key")] = section.get("usage")
        offered_before = _offers(before_meta)
        offered = _offers(row.meta) if row.meta is not None else offered_before
        spent: list[tuple[str, Usage]] = []
        for section in draft.sections:
            usage = section.usage
            if not usage.total_tokens or before.get(section.key) == _usage_dict(section):
                continue
            if section.source == "revert":
                continue  # an earlier version's text and usage, brought back: no model call
            if _taken(section, offered_before.get(section.key)):
                continue  # the offered text, put in place: booked when it was offered
            spent.append((section.key, usage))
        for key, offer in offered.items():
            if offer != offered_before.get(key):
                usage = _offer_usage(offer)
                if usage.total_tokens:
                    spent.append((key, usage))
        rows = [
            {
                "recorded_at": now,
                "user_name": self.user,
                "draft_id": draft.id,
                "section_key": key,
                "model": draft.model or "",
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "cost_usd": usage.cost_usd,
                "exact": usage.exact,
            }
            for key, usage in spent
        ]
        if rows:
            conn.execute(insert(schema.usage), rows)

    @_guarded
    def book_usage(self, draft_id: str, what: str, model: str, usage: Usage) -> None:
        """Books one model call that no save brings in, to this user, at once.

        For the calls whose text no section keeps (a retried or cancelled try, the
        suggestions pass, the AI review, clarifying questions, a connection test) and for the
        CLI, which saves no drafts here. A section's kept reply is booked by the save that
        brings it in (:meth:`save`), never here as well.

        Args:
            draft_id: The draft the call was for ("" for none, e.g. a connection test).
            what: The section key, or a label such as ``usage_meter.SUGGESTIONS``.
            model: The model's name.
            usage: The call's tokens and cost.
        """
        if not usage.total_tokens:
            return
        with self.engine.begin() as conn:
            conn.execute(
                insert(schema.usage).values(
                    recorded_at=time.time(),
                    user_name=self.user,
                    draft_id=draft_id,
                    section_key=what,
                    model=model or "",
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                    cost_usd=usage.cost_usd,
                    exact=usage.exact,
                )
            )

    def _add_version(self, conn: Any, row: _SaveRow, now: float) -> None:
        versions = schema.versions
        last = conn.execute(
            select(versions.c.digest)
            .where(versions.c.draft_id == row.draft.id)
            .order_by(versions.c.id.desc())
            .limit(1)
        ).scalar()
        if last == row.digest:
            return
        conn.execute(
            insert(versions).values(
                draft_id=row.draft.id,
                saved_at=now,
                note=row.note,
                digest=row.digest,
                data=row.data,
                saved_by=self.user,
            )
        )
        keep = (
            select(versions.c.id)
            .where(versions.c.draft_id == row.draft.id)
            .order_by(versions.c.saved_at.desc(), versions.c.id.desc())
            .limit(self.max_versions)
        )
        conn.execute(
            delete(versions).where(
                versions.c.draft_id == row.draft.id, versions.c.id.not_in(keep.scalar_subquery())
            )
        )

    def _stored_revision(self, draft_id: str) -> int:
        try:
            with self.engine.connect() as conn:
                value = conn.execute(
                    select(schema.drafts.c.revision).where(schema.drafts.c.id == draft_id)
                ).scalar()
        except SQLAlchemyError:
            return 0
        return int(value or 0)

    def _shared_with_user(self) -> ColumnElement[bool]:
        """Shares that reach this user: made to them by name, or to everyone."""
        return schema.shares.c.principal.in_([self.user, WORKSPACE])

    def _readable(self) -> ColumnElement[bool]:
        """Drafts this user may read: their own, and those shared with them or everyone."""
        shared = select(schema.shares.c.draft_id).where(self._shared_with_user())
        return or_(schema.drafts.c.owner == self.user, schema.drafts.c.id.in_(shared))

    def _readable_ids(self) -> Select[tuple[str]]:
        """The ids of the drafts this user may read, as a subquery."""
        return select(schema.drafts.c.id).where(self._readable())

    def _versions_of(self, draft_id: str, *columns: Any) -> Select[Any]:
        """``columns`` of a draft's versions; none if this user may not read the draft."""
        versions = schema.versions
        return select(*columns).where(
            versions.c.draft_id == draft_id, versions.c.draft_id.in_(self._readable_ids())
        )

    @staticmethod
    def _owner(conn: Any, draft_id: str) -> str | None:
        """Who owns a stored draft (None: there is no such draft)."""
        return conn.execute(
            select(schema.drafts.c.owner).where(schema.drafts.c.id == draft_id)
        ).scalar()

    @_guarded
    def load(self, draft_id: str) -> Draft | None:
        """The latest saved state of a draft, or None if there is none this user may read.

        Raises:
            StoreError: If the stored draft is damaged.
        """
        loaded = self.load_versioned(draft_id)
        return None if loaded is None else loaded[0]

    @_guarded
    def load_versioned(self, draft_id: str) -> tuple[Draft, int] | None:
        """The latest saved state of a draft and its revision, or None if there is none.

        Pass the revision as ``base_revision`` to the next :meth:`save` of this draft.

        Raises:
            StoreError: If the stored draft is damaged.
        """
        table = schema.drafts
        with self.engine.connect() as conn:
            row = conn.execute(
                select(table.c.data, table.c.revision).where(
                    table.c.id == draft_id, self._readable()
                )
            ).first()
        return None if row is None else (_parse(row.data, draft_id), int(row.revision))

    @_guarded
    def load_meta(self, draft_id: str) -> dict[str, Any]:
        """The UI state saved with a draft ({} if none)."""
        table = schema.drafts
        with self.engine.connect() as conn:
            meta = conn.execute(
                select(table.c.meta).where(table.c.id == draft_id, self._readable())
            ).scalar()
        try:
            value = json.loads(meta) if meta else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @_guarded
    def access(self, draft_id: str) -> Access | None:
        """What this user may do with a draft: "owner", "edit", "read", or None (nothing)."""
        with self.engine.connect() as conn:
            owner = self._owner(conn, draft_id)
            if owner is None:
                return None
            if owner == self.user:
                return "owner"
            return self._shared_access(conn, draft_id)

    @_guarded
    def list_drafts(self, limit: int = 50) -> list[DraftSummary]:
        """The user's own drafts and those shared with them, most recently changed first."""
        versions, drafts = schema.versions, schema.drafts
        counts = (
            select(versions.c.draft_id, func.count().label("n"))
            .group_by(versions.c.draft_id)
            .subquery()
        )
        query = (
            select(
                drafts.c.id,
                drafts.c.title,
                drafts.c.created_at,
                drafts.c.updated_at,
                func.coalesce(counts.c.n, 0),
                drafts.c.owner,
            )
            .select_from(drafts.outerjoin(counts, counts.c.draft_id == drafts.c.id))
            .where(self._readable())
            .order_by(drafts.c.updated_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            result = []
            for row in rows:
                access = "owner" if row.owner == self.user else self._shared_access(conn, row.id)
                result.append(DraftSummary(*row, access=access or "read"))
        return result

    @_guarded
    def versions(self, draft_id: str) -> list[VersionSummary]:
        """A draft's saved versions, newest first ([] if the user may not read it)."""
        versions = schema.versions
        query = self._versions_of(
            draft_id,
            versions.c.id,
            versions.c.draft_id,
            versions.c.saved_at,
            versions.c.note,
            versions.c.saved_by,
        ).order_by(versions.c.saved_at.desc(), versions.c.id.desc())
        with self.engine.connect() as conn:
            return [VersionSummary(*row) for row in conn.execute(query)]

    @_guarded
    def section_history(self, draft_id: str) -> dict[str, list[SectionRevision]]:
        """Each section's versions: the saved versions of the draft where its text changed.

        Oldest first, one entry per change of the section's text (the first version that has
        it), so a section's history is a view of the draft's one history. {} if the user may
        not read the draft. A damaged version is left out.
        """
        versions = schema.versions
        query = self._versions_of(
            draft_id,
            versions.c.id,
            versions.c.saved_at,
            versions.c.note,
            versions.c.saved_by,
            versions.c.data,
        ).order_by(versions.c.saved_at, versions.c.id)
        history: dict[str, list[SectionRevision]] = {}
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            try:
                old = Draft.from_dict(json.loads(row.data))
            except (ValueError, TypeError):
                continue
            for section in old.sections:
                seen = history.setdefault(section.key, [])
                if not section.text.strip() or (seen and seen[-1].section.text == section.text):
                    continue
                seen.append(SectionRevision(row.id, row.saved_at, row.note, row.saved_by, section))
        return history

    @_guarded
    def add_history(self, draft_id: str, states: list[tuple[float, str, dict[str, Any]]]) -> int:
        """Adds earlier states of a saved draft to its versions (from an old JSON export).

        Args:
            draft_id: The saved draft they belong to.
            states: ``(time, note, draft data)``, as ``document.legacy_section_versions``
                gives them.

        Returns:
            How many versions were added (states already in the history are not).

        Raises:
            AccessError: If this user may not edit the draft.
        """
        versions = schema.versions
        added = 0
        with self.engine.begin() as conn:
            owner = self._owner(conn, draft_id)
            if owner is None:
                return 0
            self._check_can_edit(conn, draft_id, owner)
            known = set(
                conn.execute(select(versions.c.digest).where(versions.c.draft_id == draft_id))
                .scalars()
                .all()
            )
            for when, note, data in states:
                draft = Draft.from_dict({**data, "id": draft_id})
                digest = _content_digest(draft)
                if digest in known:
                    continue
                known.add(digest)
                conn.execute(
                    insert(versions).values(
                        draft_id=draft_id,
                        saved_at=when,
                        note=note,
                        digest=digest,
                        data=json.dumps(draft.to_dict(), ensure_ascii=False, sort_keys=True),
                        saved_by=self.user,
                    )
                )
                added += 1
        return added

    @_guarded
    def load_version(self, version_id: int) -> Draft:
        """The draft as it was at one version.

        Raises:
            KeyError: If there is no such version of a draft this user may read.
            StoreError: If the stored version is damaged.
        """
        versions = schema.versions
        with self.engine.connect() as conn:
            row = conn.execute(
                select(versions.c.data, versions.c.draft_id).where(
                    versions.c.id == version_id,
                    versions.c.draft_id.in_(self._readable_ids()),
                )
            ).first()
        if row is None:
            raise KeyError(version_id)
        return _parse(row.data, row.draft_id)

    @_guarded
    def delete(self, draft_id: str) -> None:
        """Removes a draft, its versions and shares (only its owner may).

        Raises:
            AccessError: If the draft belongs to someone else.
        """
        with self.engine.begin() as conn:
            owner = self._owner(conn, draft_id)
            if owner is None:
                return
            if owner != self.user:
                raise AccessError("Only the owner can delete this draft; nothing was deleted.")
            conn.execute(delete(schema.versions).where(schema.versions.c.draft_id == draft_id))
            conn.execute(delete(schema.shares).where(schema.shares.c.draft_id == draft_id))
            conn.execute(delete(schema.drafts).where(schema.drafts.c.id == draft_id))

    @_guarded
    def share(self, draft_id: str, principal: str, *, can_edit: bool = False) -> None:
        """Shares a draft with a user, or with everyone when ``principal`` is :data:`WORKSPACE`.

        Sharing again with the same principal changes read-only to editable or back.

        Raises:
            AccessError: If the draft does not exist or belongs to someone else.
        """
        principal = _check_user(principal)
        shares = schema.shares
        with self.engine.begin() as conn:
            self._require_owner(conn, draft_id)
            conn.execute(
                delete(shares).where(shares.c.draft_id == draft_id, shares.c.principal == principal)
            )
            conn.execute(
                insert(shares).values(draft_id=draft_id, principal=principal, can_edit=can_edit)
            )

    @_guarded
    def unshare(self, draft_id: str, principal: str) -> None:
        """Stops sharing a draft with ``principal``.

        Raises:
            AccessError: If the draft does not exist or belongs to someone else.
        """
        shares = schema.shares
        with self.engine.begin() as conn:
            self._require_owner(conn, draft_id)
            conn.execute(
                delete(shares).where(shares.c.draft_id == draft_id, shares.c.principal == principal)
            )

    @_guarded
    def shares(self, draft_id: str) -> list[Share]:
        """Who a draft is shared with ([] unless this user owns it)."""
        shares, drafts = schema.shares, schema.drafts
        query = (
            select(shares.c.principal, shares.c.can_edit)
            .where(
                shares.c.draft_id == draft_id,
                shares.c.draft_id.in_(select(drafts.c.id).where(and_(drafts.c.owner == self.user))),
            )
            .order_by(shares.c.principal)
        )
        with self.engine.connect() as conn:
            return [Share(row.principal, bool(row.can_edit)) for row in conn.execute(query)]

    def _require_owner(self, conn: Any, draft_id: str) -> None:
        if self._owner(conn, draft_id) != self.user:
            raise AccessError("Only the owner of a saved draft can share it.")


class _Raced(Exception):
    """Another save changed the row between reading it and the guarded UPDATE."""


@dataclass(frozen=True)
class _SaveRow:
    """What one save writes, computed once outside the transaction."""

    draft: Draft
    title: str
    data: str
    meta: str | None
    digest: str
    note: str


def display_title(draft: Draft) -> str:
    """The draft's title line without the Markdown ``#``."""
    return draft.title.lstrip("#").strip() or "Untitled draft"


def _check_user(user: str) -> str:
    name = (user or "").strip()
    if not name or len(name) > 200:
        raise StoreError(f"{user!r} is not a usable user name (1 to 200 characters).")
    return name


def _offers(meta: str | None) -> dict[str, dict[str, Any]]:
    """The offered redrafts in a stored ``meta``, by section key (malformed ones left out:
    booking usage must never make a save fail)."""
    data = json.loads(meta) if meta else {}
    offers = data.get(REDRAFT_OFFERS_KEY) if isinstance(data, dict) else None
    if not isinstance(offers, dict):
        return {}
    return {key: offer for key, offer in offers.items() if isinstance(offer, dict)}


def _offer_usage(offer: dict[str, Any]) -> Usage:
    usage = offer.get("usage")
    if not isinstance(usage, dict):
        return Usage()
    return Usage(
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        exact=bool(usage.get("exact")),
        cost_usd=usage.get("cost_usd"),
    )


def _taken(section: SectionDraft, offer: dict[str, Any] | None) -> bool:
    """Whether ``section`` holds ``offer``'s text and usage (the PM used the offer)."""
    return (
        offer is not None
        and offer.get("text") == section.text
        and offer.get("usage") == _usage_dict(section)
    )


def _usage_dict(section: SectionDraft) -> dict[str, Any]:
    usage = section.usage
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "exact": usage.exact,
        "cost_usd": usage.cost_usd,
    }


def _parse(data: str, draft_id: str) -> Draft:
    try:
        return Draft.from_dict(json.loads(data))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StoreError(
            f"The saved draft {draft_id} is damaged and cannot be opened ({exc}). Open an "
            "earlier version of it from History, or delete it."
        ) from None


def _content_digest(draft: Draft) -> str:
    """Hash of what the PM sees (title and section texts/states), not timestamps."""
    parts = [draft.title, draft.description, draft.context]
    for section in draft.sections:
        parts += [section.key, section.text, str(section.status), str(section.locked)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
