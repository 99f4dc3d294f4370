"""What the PM's clicks do to a draft: edit, lock, revert, apply a finding, accept a suggestion.

Plain functions on :class:`Draft`, no Streamlit, so they are easy to test and the page code
only wires buttons to them. Each returns a short note for the version history.
"""

from __future__ import annotations

import time
from functools import lru_cache

from prd_assistant.document import Draft, SectionStatus
from prd_assistant.drafting import Drafter
from prd_assistant.template import parse_template
from prd_assistant.ui.highlight import Located


@lru_cache(maxsize=8)
def _outline_drafter(template_text: str, template_name: str) -> Drafter:
    return Drafter(parse_template(template_text, template_name), None)


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
    """Replaces a section's text by hand; it will not be redrafted unless the PM asks."""
    section = draft.section(key)
    if text == section.text:
        return ""
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


def revert(draft: Draft, key: str, version_index: int) -> str:
    """Brings back an earlier version of a section's text as a new version."""
    section = draft.section(key)
    old = section.versions[version_index]
    section.set_text(old.text, "revert", note=f"reverted to version {version_index + 1}")
    section.edited = True
    section.stale = False
    section.status, section.error = SectionStatus.DONE, None
    _changed(draft, key)
    return f"revert: {section.title} to version {version_index + 1}"


def apply_finding(draft: Draft, item: Located) -> str:
    """Puts a finding's suggested rewrite in place of the flagged phrase.

    The rewrite keeps blanks such as ``__ ms`` for the PM to fill in (they are flagged until
    filled), so the section counts as hand-edited from here on.
    """
    finding = item.finding
    text = draft.section(item.key).text.strip()
    rewrite = finding.suggestion.strip()
    if item.start is not None and item.end is not None:
        new_text = text[: item.start] + rewrite + text[item.end :]
    elif finding.sentence and finding.sentence in text and finding.match in finding.sentence:
        new_text = text.replace(
            finding.sentence, finding.sentence.replace(finding.match, rewrite, 1), 1
        )
    else:
        new_text = text.rstrip() + "\n\n" + rewrite
    return edit(draft, item.key, new_text, source="apply")


def accepted(draft: Draft, key: str, before: str) -> str:
    """Records that an accepted suggestion changed section ``key`` (was ``before``)."""
    section = draft.section(key)
    if section.text == before:
        return ""
    section.edited = True
    section.status, section.error = SectionStatus.DONE, None
    _changed(draft, key)
    return f"accept suggestion: {section.title}"
