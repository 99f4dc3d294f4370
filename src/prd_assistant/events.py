"""What drafting reports as it goes, and how each report updates a draft.

The drafting engine yields these; the CLI prints them and the app paints them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from prd_assistant.document import Draft, SectionStatus, Usage
from prd_assistant.redaction import redact


@dataclass(frozen=True)
class SectionStarted:
    key: str


@dataclass(frozen=True)
class SectionDelta:
    key: str
    text: str


@dataclass(frozen=True)
class SectionDone:
    """A finished section. ``truncated``: the model stopped at its length limit even after a
    retry with more room, so the text may end mid-way (status TRUNCATED, not DONE)."""

    key: str
    text: str
    usage: Usage
    seconds: float
    truncated: bool = False


@dataclass(frozen=True)
class SectionFailed:
    """A section that could not be drafted. ``skipped``: it was never tried because the run
    stopped on a server-wide failure, which was reported once, with the section that hit it."""

    key: str
    error: str
    seconds: float
    skipped: bool = False

    def __post_init__(self) -> None:
        # Redacted once, where it is made: every page, file, export and terminal line that
        # shows a failure shows this text, and an unexpected error's may hold a key or URL.
        object.__setattr__(self, "error", redact(self.error))


@dataclass(frozen=True)
class SectionRetrying:
    """A section's call failed in a way worth another try; it starts again after ``wait`` s.

    ``reason`` says what happened ("the reply was cut off"), for progress lines.
    """

    key: str
    attempt: int
    reason: str
    wait: float


@dataclass(frozen=True)
class ServerWaiting:
    """Nothing has arrived from the model server for ``seconds`` while ``in_flight`` calls wait.

    Sent every few seconds of silence so a CLI or page can say what it is waiting on. Not tied
    to a section: ``key`` is empty.
    """

    seconds: float
    in_flight: int
    give_up_after: float | None
    key: str = ""


DraftEvent = (
    SectionStarted | SectionDelta | SectionDone | SectionFailed | SectionRetrying | ServerWaiting
)


def apply_event(draft: Draft, event: DraftEvent, source: str = "draft") -> None:
    """Updates ``draft`` in place. A failure keeps the section's previous text."""
    if isinstance(event, ServerWaiting | SectionRetrying):
        return  # progress only: the section stays as it is
    section = draft.section(event.key)
    if isinstance(event, SectionStarted):
        section.status, section.error = SectionStatus.WRITING, None
    elif isinstance(event, SectionDone):
        # A server that echoes the key into its reply must not get it saved or exported.
        section.set_text(redact(event.text), source)
        section.status = SectionStatus.TRUNCATED if event.truncated else SectionStatus.DONE
        section.error = "The reply was cut off at the length limit." if event.truncated else None
        section.usage, section.seconds = event.usage, event.seconds
        section.edited = section.stale = False
    elif isinstance(event, SectionFailed):
        section.status, section.error, section.seconds = (
            SectionStatus.FAILED,
            event.error,
            event.seconds,
        )
    draft.updated_at = time.time()
