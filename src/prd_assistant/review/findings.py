"""The :class:`Finding` record every review rule produces."""

from __future__ import annotations

from dataclasses import asdict, dataclass

OPEN_QUESTION = "open_question"
UNQUANTIFIED_CLAIM = "unquantified_claim"
TRACEABILITY = "traceability"
SUPPRESSION = "suppression"
CATEGORIES = (OPEN_QUESTION, UNQUANTIFIED_CLAIM, TRACEABILITY, SUPPRESSION)
SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Finding:
    """One flagged span of a PRD.

    Attributes:
        rule: Stable rule id, e.g. ``"vague-speed"`` or ``"placeholder"``.
        category: ``"open_question"``, ``"unquantified_claim"``, ``"traceability"`` (a
            use case without a requirement, an untestable requirement, a dangling ID) or
            ``"suppression"`` (a ``prd-review`` comment that hides nothing).
        severity: ``"error"``, ``"warning"`` or ``"info"``.
        line: 1-based line of ``start``.
        column: 1-based column (in characters) of ``start``.
        start: 0-based offset of the match in the reviewed text.
        end: 0-based offset just past the match; ``text[start:end] == match``.
        section: The ``##`` heading the match sits under, ``""`` before the first one.
        match: The flagged text, verbatim.
        sentence: The sentence (or list item, table cell) holding the match, verbatim.
        message: Why it was flagged.
        question: What the PM must decide to resolve it.
        suggestion: A concrete rewrite template.
    """

    rule: str
    category: str
    severity: str
    line: int
    column: int
    start: int
    end: int
    section: str
    match: str
    sentence: str
    message: str
    question: str
    suggestion: str

    def to_dict(self) -> dict:
        """The finding as a JSON-ready dict (field names as above)."""
        return asdict(self)
