"""The CLI's model calls -> the usage ledger of the app's draft database, behind `prd usage`.

`prd draft` and `prd review --ai` save no drafts in the database, so each of their model
calls is booked as it is made (a drafted section when it arrives, a retried or cancelled try
when it ends, clarifying questions and the AI review pass as they finish, and the replies a
signal cut off as the run stops, before the process exits), to the local user.
The database is the app's (PRD_DATABASE_URL, else PRD_DB_PATH, else the per-user SQLite
file) and is opened at the first call that used tokens. A database that cannot be used costs
one warning line and never the draft or the review.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

from prd_assistant.document import Usage
from prd_assistant.redaction import error_text

if TYPE_CHECKING:
    from prd_assistant.store import DraftStore
    from prd_assistant.usage_meter import Book


class Ledger:
    """Books model calls for one CLI command; safe to use from the drafting threads."""

    def __init__(self) -> None:
        self._store: DraftStore | None = None
        self._failed = False
        self._lock = threading.Lock()

    def book(self, draft_id: str, what: str, model: str, usage: Usage) -> None:
        """Books one call ("" ``draft_id``: not about a draft, e.g. a reviewed file)."""
        if not usage.total_tokens:
            return
        store = self._open()
        if store is None:
            return
        try:
            store.book_usage(draft_id, what, model, usage)
        except Exception as exc:  # the ledger is bookkeeping: the command goes on
            self._warn(exc)

    def for_draft(self, draft_id: str, model: str) -> Book:
        """A :data:`usage_meter.Book` for the calls made for one draft with ``model``."""
        return lambda what, usage: self.book(draft_id, what, model, usage)

    def _open(self) -> DraftStore | None:
        with self._lock:
            if self._store is None and not self._failed:
                from prd_assistant.store import DraftStore

                try:
                    self._store = DraftStore()
                except Exception as exc:
                    self._warn_locked(exc)
            return self._store

    def _warn(self, exc: Exception) -> None:
        with self._lock:
            self._warn_locked(exc)

    def _warn_locked(self, exc: Exception) -> None:
        if not self._failed:
            self._failed = True
            print(
                f"prd: warning: model usage is not being recorded for `prd usage`: "
                f"{error_text(exc)}",
                file=sys.stderr,
            )
