"""What the PM's clicks do to a draft: edit, lock, revert, undo, accept a suggestion.

Plain functions on :class:`Draft`, no Streamlit, so they are easy to test and the page code
only wires buttons to them. Each returns a short note for the version history.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from prd_assistant.document import Draft, SectionDraft, SectionStatus
from prd_assistant.events import SectionDone, apply_event
from prd_assistant.template import parse_template

if TYPE_CHECKING:
    from prd_assistant.drafting import Drafter


@lru_cache(maxsize=8)
def _outline_drafter(template_text: str, template_name: str) -> Drafter:
    from prd_assistant.drafting import Drafter

    return Drafter(parse_template(template_text, template_name), None)


class LockedError(ValueError):
    """A change to a locked section was refused; the message says to unlock it first."""


def _unlocked(draft: Draft, key: str) -> SectionDraft:
    """The section ``key``, which must not be locked (every change path goes through here)."""
    section = draft.section(key)
    if section.locked:
        raise LockedError(f"'{section.title}' is locked: unlock it to change its text.")
    return section


def dependents(draft: Draft, key: str) -> set[str]:
    """Sections whose prompts use ``key``'s text, directly or through others."""
    return _outline_drafter(draft.template_text, draft.template_name).dependents(key)


def mark_stale(draft: Draft, key: str) -> list[str]:
    """Marks drafted sections that depend on ``key`` as stale; returns their keys."""
    return _outline_drafter(draft.template_text, draft.template_name).mark_dependents_stale(
        draft, key
    )


def _changed(draft: Draft, key: str) -> None:
    draft.updated_at = time.time()
    mark_stale(draft, key)


def edit(draft: Draft, key: str, text: str, source: str = "edit") -> str:
    """Replaces a section's text by hand; it will not be redrafted unless the PM asks.

    Raises:
        LockedError: If the section is locked.
    """
    section = draft.section(key)
    if text == section.text:
        return ""
    section = _unlocked(draft, key)
    section.set_text(text, source)
    section.edited = True
    section.stale = False
    section.status, section.error = SectionStatus.DONE, None
    _changed(draft, key)
    return f"{source}: {section.title}"


def set_locked(draft: Draft, key: str, locked: bool) -> str:
    """Locks a section against regeneration (or unlocks it)."""
    section = draft.section(key)
    section.locked = locked
    draft.updated_at = time.time()
    return f"{'lock' if locked else 'unlock'}: {section.title}"


def revert(draft: Draft, key: str, old: SectionDraft, label: str) -> str:
    """Brings back an earlier saved state of a section: its text and its caption.

    The tokens, time and status shown are those of that version, not of the latest run.

    Args:
        draft: The current draft.
        key: The section.
        old: The section as the earlier version had it.
        label: Which version, for the note ("02 Dec 13:05:10").

    Raises:
        LockedError: If the section is locked.
    """
    section = _unlocked(draft, key)
    section.set_text(old.text, "revert")
    section.usage, section.seconds = old.usage, old.seconds
    section.status, section.error = old.status, old.error
    section.edited, section.stale = old.edited, False
    _changed(draft, key)
    return f"revert: {section.title} to the version of {label}"


def take_redraft(draft: Draft, done: SectionDone, source: str) -> str:
    """Puts a run's text, held back after the PM changed the section elsewhere, in place.

    Raises:
        LockedError: If the section is locked.
    """
    section = _unlocked(draft, done.key)
    apply_event(draft, done, source)
    _changed(draft, done.key)
    return f"{source}: {section.title} (the offered redraft, over a change made elsewhere)"


def snapshot(section: SectionDraft) -> dict[str, Any]:
    """What :func:`restore` needs to undo a change to ``section``."""
    return {
        "text": section.text,
        "edited": section.edited,
        "stale": section.stale,
        "status": str(section.status),
        "error": section.error,
    }


def restore(draft: Draft, key: str, before: dict[str, Any]) -> str:
    """Undoes a change: the section's text and flags as :func:`snapshot` saw them.

    Raises:
        LockedError: If the section was locked since.
    """
    section = draft.section(key)
    if section.text == before["text"]:
        return ""
    section = _unlocked(draft, key)
    section.set_text(before["text"], "undo")
    section.edited, section.stale = before["edited"], before["stale"]
    section.status, section.error = SectionStatus(before["status"]), before["error"]
    _changed(draft, key)
    return f"undo: {section.title}"


def accepted(draft: Draft, key: str, before: str) -> str:
    """Records that an accepted suggestion changed section ``key`` (was ``before``)."""
    section = draft.section(key)
    if section.text == before:
        return ""
    section.edited = True
    section.status, section.error = SectionStatus.DONE, None
    _changed(draft, key)
    return f"accept suggestion: {section.title}"
