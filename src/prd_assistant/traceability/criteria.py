"""Is a requirement mandatory, and is an acceptance criterion checkable?

Checkable means a tester can decide pass or fail from the text alone, in one of three forms:

* Given/When/Then: ``Given a guest, when they pay, then a receipt is emailed``;
* EARS: ``When <trigger>, the <system> shall <response>`` (also While, If … then, Where, and the
  ubiquitous ``The <system> shall <response>``);
* a measurable statement: a number with a unit, a percentile, a bound (``≤ 2 s``, ``at most
  three``) or a named standard, as the review's measurable-criterion pattern defines it, or an
  exact expected value (``state = INTRO``, ``the message "Card expired"``).
"""

from __future__ import annotations

import re

from prd_assistant.pattern_cache import compile_pattern
from prd_assistant.review.rules_vague import MEASURABLE

_MEASURABLE = compile_pattern(MEASURABLE)
_SPELLED_BOUND = re.compile(
    r"\b(?:at most|at least|no more than|no less than|up to|exactly|within|fewer than|"
    r"more than|less than)\s+(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
    r"a single|a dozen)\b"
)
# An exact expected value is measurable too: "state = INTRO", "the total equals the sum",
# 'shows the message "Card expired"'.
_EXACT = re.compile(
    r"\w\s*(?:==?|≠|!=)\s*[\w{\"']|\b(?:equals?|is exactly|are exactly|matches exactly|"
    r"is identical to|is rejected with|returns? (?:http |status )?\d{3})\b"
    r"|(?:message|text|error|label|title)\s+[\"“'][^\"”']{3,}[\"”']"
    r"|\b(?:is|are) (?:always )?one of\s*[{\[(]"
)
_GWT = re.compile(r"\bgiven\b.*?\bwhen\b.*?\bthen\b|\bwhen\b.*?\bthen\b", re.DOTALL)
_GWT_STEP = re.compile(r"(?:given|when|then|and|but)\b")
_EARS_TRIGGER = re.compile(
    r"(?:when|while|if|where|once)\b[^.;]{3,}?,?\s+(?:then\s+)?"
    r"(?:the\s+|a\s+|an\s+)?[\w'’ -]{1,60}?\s+(?:shall|must|will)\b"
)
_EARS_ANYWHERE = re.compile(r"[;,:]\s*" + _EARS_TRIGGER.pattern)
_EARS_UBIQUITOUS = re.compile(r"(?:the\s+|a\s+|an\s+)?[\w'’ -]{1,60}?\s+shall\b")
_LEAD = re.compile(
    r"^[\s>*_-]*(?:\d{1,3}[.)]\s*)?(?:\[[ xX]?\]\s*)?(?:\*\*|__)?"
    r"(?:(?:AC|ac)[-\s]?[\d.]+\s*[:.)-]\s*)?(?:scenario\s*[\d.]*\s*:\s*)?(?:\*\*|__)?\s*"
)
_SKIP = re.compile(r"(?:open question|assumption)\s*:|\[[^\]]*\]$|[-–—]?$|n/?a$|tbd\b", re.I)
_MUST_WORD = re.compile(r"\b(?:MUST|SHALL|REQUIRED)\b")
_LOWER_WORDS = re.compile(r"\b(?:SHOULD|MAY|RECOMMENDED|OPTIONAL|COULD)\b")
_MANDATORY_VALUE = re.compile(
    r"(?:m|must(?:[- ]?have)?|p0|mandatory|required|critical|shall)\b", re.IGNORECASE
)
_PRIORITY_LABEL = re.compile(
    r"(?:priority|moscow)(?:\*\*|__)?\s*[:=]\s*(?:\*\*|__)?\s*([A-Za-z0-9-]+(?:[ -]have)?)",
    re.IGNORECASE,
)
_PLAIN_MUST = re.compile(r"\b(?:shall|must)\b(?!\s+not\s+be\s+required)")


def clean(criterion: str) -> str:
    """A criterion without its bullet, checkbox, number, ``AC-1:`` label and emphasis."""
    text = _LEAD.sub("", criterion.strip(), count=1)
    return re.sub(r"(\*\*|__|`)", "", text).strip()


def skipped(criterion: str) -> bool:
    """True for lines the review flags already: open questions, assumptions, placeholders."""
    return not criterion or _SKIP.match(criterion) is not None


def is_checkable(criterion: str, scenario: bool = False) -> bool:
    """True when ``criterion`` is Given/When/Then, EARS or measurable.

    Args:
        criterion: One criterion, already :func:`clean`.
        scenario: The criteria around it form a Given/When/Then scenario, so a step line
            ("And the receipt is emailed") is checkable as part of it.
    """
    lowered = " ".join(criterion.lower().split())
    if _GWT.search(lowered) or (scenario and _GWT_STEP.match(lowered)):
        return True
    if _EARS_TRIGGER.match(lowered) or _EARS_ANYWHERE.search(lowered):
        return True
    if _EARS_UBIQUITOUS.match(lowered):
        return True
    return _measurable(lowered)


def _measurable(lowered: str) -> bool:
    return bool(
        _MEASURABLE.search(lowered) or _SPELLED_BOUND.search(lowered) or _EXACT.search(lowered)
    )


def states_its_own_test(statement: str) -> bool:
    """True when a requirement's own statement is a fit criterion: measurable, or EARS with a
    trigger ("When …, the system shall …"). A bare "The system shall …" is not: it says what,
    not how a tester knows it is done."""
    lowered = " ".join(statement.lower().split())
    if _GWT.search(lowered):
        return True
    if _EARS_TRIGGER.match(lowered) or _EARS_ANYWHERE.search(lowered):
        return True
    return _measurable(lowered)


def is_scenario(criteria: list[str]) -> bool:
    """True when the criteria, read together, hold a Given, a When and a Then."""
    joined = " ".join(c.lower() for c in criteria)
    return all(re.search(rf"\b{word}\b", joined) for word in ("given", "when", "then"))


def mandatory(statement: str, priority: str | None) -> bool:
    """True for a MUST requirement.

    Args:
        statement: The requirement's own text (without its acceptance criteria).
        priority: The value of its priority column or ``Priority:`` label, if it has one.
    """
    if priority is None:
        label = _PRIORITY_LABEL.search(statement)
        priority = label.group(1) if label else None
    if priority is not None and priority.strip(" *_`"):
        return _MANDATORY_VALUE.fullmatch(priority.strip(" *_`")) is not None
    upper = _MUST_WORD.search(statement)
    lower = _LOWER_WORDS.search(statement)
    if upper or lower:
        return upper is not None and (lower is None or upper.start() < lower.start())
    return _PLAIN_MUST.search(statement) is not None


_SHOULD_VALUE = re.compile(r"(?:s|should(?:[- ]?have)?|p1|p2|recommended|medium)\b", re.IGNORECASE)
_MAY_VALUE = re.compile(
    r"(?:c|may|could(?:[- ]?have)?|optional|nice[- ]to[- ]have|p3|low)\b", re.IGNORECASE
)


def priority_word(statement: str, priority: str | None) -> str:
    """``"must"``, ``"should"``, ``"may"`` or ``""``: the requirement's priority, as stated."""
    if mandatory(statement, priority):
        return "must"
    if priority is None:
        label = _PRIORITY_LABEL.search(statement)
        priority = label.group(1) if label else None
    value = (priority or "").strip(" *_`")
    if value:
        if _SHOULD_VALUE.match(value):
            return "should"
        return "may" if _MAY_VALUE.match(value) else ""
    words = re.search(r"\b(SHOULD|RECOMMENDED|MAY|OPTIONAL|COULD)\b", statement)
    if words:
        return "should" if words.group(1) in {"SHOULD", "RECOMMENDED"} else "may"
    return ""
