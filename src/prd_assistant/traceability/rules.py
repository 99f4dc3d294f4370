"""The traceability rules: ids, severities and what each finding tells the PM.

``{id}`` in a text stands for the requirement or use case ID, ``{line}`` for a line number.
"""

from __future__ import annotations

from dataclasses import dataclass

from prd_assistant.review.findings import TRACEABILITY


@dataclass(frozen=True)
class TraceRule:
    """One traceability rule (same fields as the review rules' docs need)."""

    id: str
    message: str
    question: str
    suggestion: str
    category: str = TRACEABILITY
    severity: str = "warning"

    def texts(self, **values: str) -> dict[str, str]:
        """Message, question and suggestion with ``{id}``/``{line}`` filled in."""
        out = {}
        for name in ("message", "question", "suggestion"):
            text = getattr(self, name)
            for key, value in values.items():
                text = text.replace("{" + key + "}", value)
            out[name] = text
        return out


USE_CASE_NOT_COVERED = TraceRule(
    "use-case-not-covered",
    "Use case {id} is not served by any functional requirement.",
    "Which functional requirement delivers {id}, or is it out of scope for this release?",
    "Name it in the requirement that delivers it ('**FR-__** (MUST, serves {id}): …'), or "
    "move {id} to Non-goals.",
)
MISSING_ACCEPTANCE = TraceRule(
    "missing-acceptance-criteria",
    "{id} is a MUST requirement without acceptance criteria, and its statement alone is not "
    "testable.",
    "How will a tester know {id} is done?",
    "Add under it: 'Acceptance criteria: Given __, when __, then __.' (or EARS: 'When __, the "
    "system shall __.')",
)
UNTESTABLE_CRITERION = TraceRule(
    "untestable-acceptance-criterion",
    "An acceptance criterion of {id} cannot be checked: it is not Given/When/Then, EARS or a "
    "measurable statement.",
    "What observable result, with a number or an exact outcome, makes this criterion pass?",
    "Given __, when __, then __ (within __ s, or the exact message shown).",
)
UNDEFINED_ID = TraceRule(
    "undefined-id",
    "{id} is referenced but defined nowhere in this document.",
    "Is {id} a typo, or a requirement that was deleted or never written?",
    "Correct the ID, or add the definition it points to.",
)
DUPLICATE_ID = TraceRule(
    "duplicate-id",
    "{id} is defined twice (first on line {line}); references to it are ambiguous.",
    "Which of the two is {id}?",
    "Give this one the next free ID and update the references that mean it.",
)
RULES: tuple[TraceRule, ...] = (
    USE_CASE_NOT_COVERED,
    MISSING_ACCEPTANCE,
    UNTESTABLE_CRITERION,
    UNDEFINED_ID,
    DUPLICATE_ID,
)
