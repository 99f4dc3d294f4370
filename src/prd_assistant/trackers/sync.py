"""Idempotent sync: compare the PRD's items with what a tracker holds, then apply the plan.

The plan is computed before anything is written and is exactly what :func:`apply_plan` does:
create the items the tracker lacks, update the ones whose title, body or labels changed, leave
the rest alone, and *report* (never close) issues whose requirement left the PRD.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from prd_assistant.trackers.items import MARKER, TrackerItem

_CHECKED = re.compile(r"^- \[[xX]\] (.+)$", re.MULTILINE)


class TrackerError(Exception):
    """A tracker call failed; the message says what to do (and never holds a token)."""


@dataclass(frozen=True)
class RemoteIssue:
    """An issue the tracker holds that carries this draft's sync marker."""

    item_id: str
    ref: str  # "#12" or "PRD-7"
    title: str
    body: str
    labels: tuple[str, ...]
    url: str = ""
    handle: object = None  # the client's own object, for updating


@dataclass(frozen=True)
class Change:
    """One line of the plan."""

    action: str  # "create", "update", "unchanged", "deleted"
    item_id: str
    title: str
    ref: str = ""
    url: str = ""
    fields: tuple[str, ...] = ()


@dataclass
class Plan:
    """What a push will do (the preview), then what it did."""

    target: str
    draft_id: str
    changes: list[Change] = field(default_factory=list)
    items: dict[str, TrackerItem] = field(default_factory=dict)
    remote: dict[str, RemoteIssue] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)

    def of(self, action: str) -> list[Change]:
        """The changes with ``action``."""
        return [c for c in self.changes if c.action == action]

    def summary(self) -> str:
        """``"2 to create, 1 to update, 4 unchanged, 1 deleted from the PRD"``."""
        counts = {a: len(self.of(a)) for a in ("create", "update", "unchanged", "deleted")}
        return (
            f"{counts['create']} to create, {counts['update']} to update, "
            f"{counts['unchanged']} unchanged, {counts['deleted']} deleted from the PRD"
        )

    def render(self) -> str:
        """The preview as text, one line per change."""
        lines = [f"{self.target} (draft {self.draft_id}): {self.summary()}."]
        symbol = {"create": "+ create ", "update": "~ update ", "unchanged": "= same   "}
        for change in self.changes:
            if change.action == "deleted":
                lines.append(
                    f"  ! deleted {change.item_id:<11} {change.ref} {change.url}".rstrip()
                    + " - no longer in the PRD; left open, close it by hand if obsolete"
                )
                continue
            what = f" ({', '.join(change.fields)})" if change.fields else ""
            ref = f"{change.ref} " if change.ref else ""
            lines.append(f"  {symbol[change.action]}{change.item_id:<11} {ref}{change.title}{what}")
        return "\n".join(lines)


class Tracker(Protocol):
    """What a tracker client offers the sync."""

    name: str

    def fetch(self, draft_id: str) -> list[RemoteIssue]:
        """Issues carrying this draft's marker."""

    def body(self, item: TrackerItem, draft_id: str, source: str) -> str:
        """The issue body for ``item`` in the tracker's markup, marker included."""

    def labels_for(self, item: TrackerItem, draft_id: str) -> tuple[str, ...]:
        """The labels ``item`` carries in this tracker."""

    def create(self, item: TrackerItem, body: str, draft_id: str) -> RemoteIssue:
        """Creates the issue."""

    def update(
        self, remote: RemoteIssue, item: TrackerItem, body: str, draft_id: str
    ) -> RemoteIssue:
        """Updates title, body and labels of an existing issue."""


def keep_checked(old_body: str, new_body: str) -> str:
    """Carries ticked acceptance criteria over: the team's progress survives a re-push."""
    done = {m.group(1).strip() for m in _CHECKED.finditer(old_body)}
    if not done:
        return new_body
    return re.sub(
        r"^- \[ \] (.+)$",
        lambda m: f"- [x] {m.group(1)}" if m.group(1).strip() in done else m.group(0),
        new_body,
        flags=re.MULTILINE,
    )


def plan_push(tracker: Tracker, items: list[TrackerItem], draft_id: str, source: str) -> Plan:
    """Reads the tracker and works out creates, updates and deletions; writes nothing."""
    remote: dict[str, RemoteIssue] = {}
    for issue in tracker.fetch(draft_id):
        remote.setdefault(issue.item_id, issue)  # a hand-made copy never doubles an item
    plan = Plan(tracker.name, draft_id, items={i.item_id: i for i in items}, remote=remote)
    for item in items:
        body = tracker.body(item, draft_id, source)
        existing = remote.get(item.item_id)
        if existing is None:
            plan.bodies[item.item_id] = body
            plan.changes.append(Change("create", item.item_id, item.title))
            continue
        body = keep_checked(existing.body, body)
        plan.bodies[item.item_id] = body
        changed = tuple(
            name
            for name, differs in (
                ("title", existing.title != item.title),
                ("body", existing.body.strip() != body.strip()),
                ("labels", not set(tracker.labels_for(item, draft_id)) <= set(existing.labels)),
            )
            if differs
        )
        action = "update" if changed else "unchanged"
        plan.changes.append(
            Change(action, item.item_id, item.title, existing.ref, existing.url, changed)
        )
    for item_id, issue in remote.items():
        if item_id not in plan.items:
            plan.changes.append(Change("deleted", item_id, issue.title, issue.ref, issue.url))
    return plan


def apply_plan(
    tracker: Tracker, plan: Plan, progress: Callable[[str], None] | None = None
) -> list[Change]:
    """Does exactly what ``plan`` previewed; returns the changes made (refs filled in)."""
    done: list[Change] = []
    for change in plan.changes:
        item = plan.items.get(change.item_id)
        if change.action == "create" and item is not None:
            issue = tracker.create(item, plan.bodies[item.item_id], plan.draft_id)
        elif change.action == "update" and item is not None:
            issue = tracker.update(
                plan.remote[item.item_id], item, plan.bodies[item.item_id], plan.draft_id
            )
        else:
            continue
        made = Change(
            change.action, change.item_id, change.title, issue.ref, issue.url, change.fields
        )
        done.append(made)
        if progress:
            progress(
                f"{'created' if change.action == 'create' else 'updated'} {issue.ref} {change.item_id}"
            )
    return done


def marker_of(body: str, draft_id: str) -> str | None:
    """The item id in ``body``'s sync marker when it belongs to ``draft_id``."""
    for m in MARKER.finditer(body or ""):
        if m.group("draft") == draft_id:
            return m.group("item")
    return None
