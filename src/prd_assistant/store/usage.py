"""Model usage per person and per draft, from the ledger that saves keep.

Each save books the sections the model (re)wrote since the previous save to the saving user
(see ``DraftStore._record_usage``); every other model call (a retried or cancelled try, the
suggestions pass, the AI review, clarifying questions, a connection test, and every call of
the CLI) is booked when it is made (``DraftStore.book_usage``). These reports read the whole
ledger, for a team lead; the app never shows one user another's usage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import case, func, select

from prd_assistant.document import Usage
from prd_assistant.store import schema
from prd_assistant.store.drafts import DraftStore, _guarded

GroupBy = Literal["user", "draft"]


@dataclass(frozen=True)
class UsageEvent:
    """One model call, booked to the user who made it (or whose save brought it in).

    ``section_key`` is the section it wrote, or a label such as ``(suggestions)``.
    """

    recorded_at: float
    user: str
    draft_id: str
    section_key: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    exact: bool


@dataclass(frozen=True)
class UsageTotal:
    """Usage summed over one user or one draft."""

    key: str  # user name, or draft id
    label: str  # user name, or draft title
    calls: int  # booked calls (sections written, and the other calls)
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float  # of the calls whose model has a known price
    unpriced: int  # calls whose model has no known price (not in cost_usd)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class _Ledger:
    """Reads the usage ledger of one store's database."""

    def __init__(self, store: DraftStore) -> None:
        self.url = store.url
        self.engine = store.engine

    @_guarded
    def events(self, since: float | None) -> list[UsageEvent]:
        table = schema.usage
        query = select(
            table.c.recorded_at,
            table.c.user_name,
            table.c.draft_id,
            table.c.section_key,
            table.c.model,
            table.c.prompt_tokens,
            table.c.completion_tokens,
            table.c.cost_usd,
            table.c.exact,
        ).order_by(table.c.id)
        if since is not None:
            query = query.where(table.c.recorded_at >= since)
        with self.engine.connect() as conn:
            return [UsageEvent(*row) for row in conn.execute(query)]

    @_guarded
    def spent(self, user: str, draft_id: str) -> Usage:
        table = schema.usage
        query = select(
            func.coalesce(func.sum(table.c.prompt_tokens), 0),
            func.coalesce(func.sum(table.c.completion_tokens), 0),
            func.sum(table.c.cost_usd),  # NULL when no call had a price
            func.count() - func.sum(case((table.c.exact, 1), else_=0)),  # estimated calls
        ).where(table.c.user_name == user, table.c.draft_id == draft_id)
        with self.engine.connect() as conn:
            prompt, completion, cost, estimated = conn.execute(query).one()
        return Usage(
            int(prompt), int(completion), not estimated, None if cost is None else float(cost)
        )

    @_guarded
    def totals(self, by: GroupBy, since: float | None) -> list[UsageTotal]:
        table, drafts = schema.usage, schema.drafts
        key = table.c.user_name if by == "user" else table.c.draft_id
        label = (
            table.c.user_name
            if by == "user"
            else case(
                (table.c.draft_id == "", "(no draft)"),
                else_=func.coalesce(drafts.c.title, "(deleted)"),
            )
        )
        query = select(
            key,
            label,
            func.count(),
            func.sum(table.c.prompt_tokens),
            func.sum(table.c.completion_tokens),
            func.coalesce(func.sum(table.c.cost_usd), 0.0),
            func.count() - func.count(table.c.cost_usd),
        ).group_by(key, label)
        if by == "draft":
            query = query.select_from(table.outerjoin(drafts, drafts.c.id == table.c.draft_id))
        if since is not None:
            query = query.where(table.c.recorded_at >= since)
        with self.engine.connect() as conn:
            rows = [UsageTotal(*row) for row in conn.execute(query)]
        return sorted(rows, key=lambda t: (-t.cost_usd, -t.total_tokens, t.key))


def spent_on_draft(store: DraftStore, draft_id: str) -> Usage:
    """What the store's user spent on one draft in all: every call booked to it (the sections
    written, every rewrite, the tries no section kept, suggestions, clarifying questions).

    ``exact`` only if every call's figures came from the server; ``cost_usd`` None if no
    call had a known price.
    """
    return _Ledger(store).spent(store.user, draft_id)


def usage_events(store: DraftStore, since: float | None = None) -> list[UsageEvent]:
    """Every booked model call (all users), oldest first; ``since`` is a Unix time."""
    return _Ledger(store).events(since)


def usage_totals(
    store: DraftStore, by: GroupBy = "user", since: float | None = None
) -> list[UsageTotal]:
    """Tokens and estimated cost per user or per draft, most expensive first."""
    return _Ledger(store).totals(by, since)
