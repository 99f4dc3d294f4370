"""What drafting reports as it goes, and how each report updates a draft.

The drafting engine yields these; the CLI prints them and the app paints them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from prd_assistant.document import Draft, SectionStatus, Usage


@dataclass(frozen=True)
class SectionStarted:
    key: str


@dataclass(frozen=True)
class SectionDelta:
    key: str
    text: str


@dataclass(frozen=True)
class SectionDone:
    key: str
    text: str
    usage: Usage
    seconds: float


@dataclass(frozen=True)
class SectionFailed:
    key: str
    error: str
    seconds: float


DraftEvent = SectionStarted | SectionDelta | SectionDone | SectionFailed


def apply_event(draft: Draft, event: DraftEvent, source: str = "draft") -> None:
    """Updates ``draft`` in place. A failure keeps the section's previous text."""
    section = draft.section(event.key)
    if isinstance(event, SectionStarted):
        section.status, section.error = SectionStatus.WRITING, None
    elif isinstance(event, SectionDone):
        section.set_text(event.text, source)
        section.status, section.error = SectionStatus.DONE, None
        section.usage, section.seconds = event.usage, event.seconds
        section.edited = section.stale = False
    elif isinstance(event, SectionFailed):
        section.status, section.error, section.seconds = (
            SectionStatus.FAILED,
            event.error,
            event.seconds,
        )
    draft.updated_at = time.time()
