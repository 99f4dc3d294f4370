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

    A finding has evidence and a location. The evidence is the words that triggered it
    (``start``..``end``, ``match``): what the app highlights and the message quotes. The
    location is the text the finding is about (``location_start``..``location_end``, lines
    ``first_line``..``last_line``): for an open question, the whole sentence (list item, table
    cell) holding the evidence, hard-wrapped continuation lines included, since the PM has to
    answer the whole question; for every other finding, the evidence itself.

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
        location_start: 0-based offset where the location starts (``<= start``); by default
            ``start``.
        location_end: 0-based offset just past the location (``>= end``); by default ``end``.
        first_line: 1-based line of ``location_start``; by default ``line``.
        last_line: 1-based line of the location's last character; by default the line where
            ``match`` ends.
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
    # -1 and 0: "the same as the evidence", filled in below, so checks whose findings are their
    # own location (traceability, suppressions) need not repeat it.
    location_start: int = -1
    location_end: int = -1
    first_line: int = 0
    last_line: int = 0

    def __post_init__(self) -> None:
        if self.location_start < 0:
            object.__setattr__(self, "location_start", self.start)
        if self.location_end < 0:
            object.__setattr__(self, "location_end", self.end)
        if self.first_line <= 0:
            object.__setattr__(self, "first_line", self.line)
        if self.last_line <= 0:
            object.__setattr__(self, "last_line", self.line + self.match[:-1].count("\n"))

    def to_dict(self) -> dict:
        """The finding as a JSON-ready dict (field names as above)."""
        return asdict(self)
