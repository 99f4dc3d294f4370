"""What can go wrong with the draft database, as messages that say what to do.

Every failure of the database leaves the store as a :class:`StoreError`; raw SQLAlchemy or
driver exceptions never reach the app or the CLI.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError, SQLAlchemyError

ENV_URL = "PRD_DATABASE_URL"
ENV_PATH = "PRD_DB_PATH"

# PostgreSQL SQLSTATE codes that need their own advice.
_PG_DISK_FULL = {"53100"}
_PG_DAMAGED = {"XX001", "XX002"}
_PG_BUSY = {"55P03", "57014", "40P01", "40001"}  # lock/statement timeout, deadlock, serialization


class StoreError(RuntimeError):
    """The draft database cannot be used; the message says why and what to do."""


class ConflictError(StoreError):
    """A save based on an older revision than the stored one; nothing was written.

    Attributes:
        draft_id: The draft that was saved.
        current_revision: The stored revision (0 if the draft was deleted meanwhile).
        base_revision: The revision the refused save was based on.
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


class AccessError(StoreError):
    """The user may not do this to this draft (it belongs to someone else or is read-only)."""


def describe_url(url: str) -> str:
    """The URL without any password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


def translate(exc: SQLAlchemyError, url: str) -> StoreError:
    """A :class:`StoreError` that says what happened to the database at ``url`` and what to do."""
    orig = getattr(exc, "orig", None) or exc
    first_line = (str(orig).strip().splitlines() or [orig.__class__.__name__])[0][:200]
    low = first_line.lower()
    sqlstate = getattr(orig, "sqlstate", None)
    where = describe_url(url)
    is_sqlite = url.startswith("sqlite")
    fix_path = f"set {ENV_PATH} to another file" if is_sqlite else f"check {ENV_URL}"
    if sqlstate in _PG_DAMAGED or "malformed" in low or "not a database" in low:
        return StoreError(
            f"The draft database {where} is damaged ({first_line}). Move the file aside and "
            f"reopen to start a new one (restore it from a backup to get old drafts back), or "
            f"{fix_path}."
        )
    if sqlstate in _PG_DISK_FULL or "disk is full" in low or "no space left" in low:
        return StoreError(
            f"The disk holding the draft database {where} is full, so this was not saved. "
            "Free some space and save again; the draft is still open here."
        )
    # Failures to connect come from the client library, without a server SQLSTATE.
    unreached = sqlstate is None or str(sqlstate).startswith("08")
    if isinstance(exc, OperationalError) and not is_sqlite and unreached:
        return StoreError(
            f"Cannot reach the draft database {where} ({first_line}). Check that the server "
            f"is running and {ENV_URL} is right; raise PRD_DB_CONNECT_TIMEOUT for a slow network."
        )
    if sqlstate in _PG_BUSY or "locked" in low or "timeout" in low or "timed out" in low:
        return StoreError(
            f"The draft database {where} is busy or too slow to answer ({first_line}). Try again "
            "in a moment; if it stays busy, close other programs using it or raise "
            "PRD_DB_STATEMENT_TIMEOUT."
        )
    if "readonly" in low or "read-only" in low or "permission denied" in low:
        return StoreError(
            f"The draft database {where} cannot be written ({first_line}). Check its "
            f"permissions, or {fix_path}."
        )
    if "unable to open" in low:
        return StoreError(
            f"Cannot open the draft database {where} ({first_line}). Check that the folder is "
            f"writable, or {fix_path}."
        )
    return StoreError(
        f"The draft database {where} failed ({orig.__class__.__name__}: {first_line}). "
        f"Try again; if it keeps failing, {fix_path}."
    )
