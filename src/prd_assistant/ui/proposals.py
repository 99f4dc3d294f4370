"""A review finding -> a proposed change to its section, shown before anything is saved.

Review rules give advice ("state the condition: 'when __ …'; or drop it"). Advice never goes
into the document: this module pulls the fill-in template out of the advice, turns each blank
into a field the PM fills in, and builds the new section text only from the template's literal
words and what the PM typed. Open questions are answered instead: the answer replaces the
question. No Streamlit here, so every rule is tested directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prd_assistant.ui.highlight import Located

# Blanks a template leaves for the PM: ``__``, ``<date>``, ``<role>``, ``(unit)``.
BLANK = re.compile(r"_{2,}|<date>|<role>|<owner>|\(unit\)")
_QUOTED = re.compile(r"'([^']*)'")
_ASIDE = re.compile(r"\s*\((?:or|e\.g\.)[^()]*\)")
_ALTERNATIVE = re.compile(r";\s*or\b.*$|,\s*or\b.*$|,\s*e\.g\..*$", re.DOTALL)
_LEAD = re.compile(r"^(?:state|name|give|replace|write|set)\b[^:]*:\s*", re.IGNORECASE)
_ADVICE = re.compile(
    r"^(?:state|list|name|replace|write|answer|add|decide|say|move|give|drop)\b", re.IGNORECASE
)
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# Rules whose finding is a whole question: the answer replaces the sentence, not the match.
SENTENCE_RULES = frozenset({"question-in-body", "open-question-line", "unresolved-choice"})
ANSWER = "answer"
REWRITE = "rewrite"


@dataclass(frozen=True)
class Proposal:
    """One change offered to the PM.

    Attributes:
        key: The section's key.
        kind: ``"rewrite"`` (fill the template's blanks) or ``"answer"`` (replace the question).
        start: Offset of the replaced span in the section's stripped text.
        end: Offset just past it.
        original: The replaced text, verbatim.
        template: The replacement with blanks; ``"__"`` for an answer.
        question: What the PM is asked to decide (shown above the fields).
    """

    key: str
    kind: str
    start: int
    end: int
    original: str
    template: str
    question: str

    @property
    def labels(self) -> list[str]:
        """One label per blank: the words just before it, so each field says what it is for."""
        if self.kind == ANSWER:
            return ["Answer"]
        labels = []
        for number, match in enumerate(BLANK.finditer(self.template), start=1):
            before = BLANK.sub(" ", self.template[: match.start()]).split()[-3:]
            hint = " ".join(before).strip(" ,;:(") or "value"
            if match.group(0) != "__" and not match.group(0).startswith("_"):
                hint = match.group(0).strip("<>()")
            labels.append(f"{number}. {hint} …")
        return labels


def rewrite_template(suggestion: str) -> str:
    """The fill-in phrase inside a rule's advice, or ``"__"`` when the advice holds none.

    ``"state the condition: 'when __ (e.g. load > __ requests/s), the system __'; or drop it"``
    becomes ``"when __, the system __"``; ``"name the practice or standard"`` becomes a single
    blank, so the PM writes the replacement.
    """
    text = suggestion.strip()
    quoted = [q for q in _QUOTED.findall(text) if BLANK.search(q)]
    if quoted:
        text = quoted[0]
    text = _ASIDE.sub("", text)
    text = _ALTERNATIVE.sub("", text).strip()
    text = _LEAD.sub("", text).strip().rstrip(".;,")
    if not BLANK.search(text) or _ADVICE.match(text) or "'" in text:
        return "__"
    return text


def propose(item: Located, text: str) -> Proposal | None:
    """The change a finding offers in ``text`` (its section's stripped text), or None.

    Info-level findings (an open question listed where it belongs) and findings that cannot
    be placed in the text offer nothing.
    """
    finding = item.finding
    if finding.severity == "info" or item.start is None or item.end is None or not item.key:
        return None
    start, end = item.start, item.end
    if finding.category == "open_question":
        if finding.rule in SENTENCE_RULES:
            start, end = _sentence_span(text, start, end, finding.sentence)
        return Proposal(
            item.key, ANSWER, start, end, text[start:end], "__", finding.question or finding.match
        )
    return Proposal(
        item.key,
        REWRITE,
        start,
        end,
        text[start:end],
        rewrite_template(finding.suggestion),
        finding.question,
    )


def same_cards(items: list[Located]) -> list[tuple[Located, ...]]:
    """Findings grouped into the cards the PM sees: one per rule, match and sentence.

    Three blanks in one sentence are one card (not three identical ones); the order of the
    first occurrence is kept.
    """
    cards: dict[tuple[str, str, str, str], list[Located]] = {}
    for item in items:
        finding = item.finding
        cards.setdefault((finding.rule, item.key, finding.match, finding.sentence), []).append(item)
    return [tuple(group) for group in cards.values()]


def propose_card(card: tuple[Located, ...], text: str) -> Proposal | None:
    """The change one card offers: a single finding's, or for repeats in one sentence a
    rewrite of that sentence with a field for each repeat ("≤ __ ms for __ users")."""
    placed = sorted((i for i in card if i.start is not None and i.end is not None), key=_start)
    if len(placed) < 2 or len(placed) != len(card):
        return propose(card[0], text)
    first = placed[0]
    if first.finding.severity == "info" or not first.key:
        return None
    start, end = _sentence_span(text, _start(first), _end(placed[-1]), first.finding.sentence)
    if start > _start(first) or end < _end(placed[-1]):
        return propose(first, text)
    pieces, cursor = [], start
    for item in placed:
        pieces += [text[cursor : _start(item)], "__"]
        cursor = _end(item)
    pieces.append(text[cursor:end])
    question = first.finding.question or first.finding.match
    return Proposal(first.key, REWRITE, start, end, text[start:end], "".join(pieces), question)


def _start(item: Located) -> int:
    return item.start or 0


def _end(item: Located) -> int:
    return item.end or 0


def _sentence_span(text: str, start: int, end: int, sentence: str) -> tuple[int, int]:
    """The span of ``sentence`` around the match, without a leading list marker."""
    body = _LIST_MARKER.sub("", sentence).strip()
    if not body:
        return start, end
    at = text.rfind(body, 0, start + len(body))
    if at < 0 or at + len(body) < end:
        return start, end
    return at, at + len(body)


def filled(proposal: Proposal, values: list[str]) -> str:
    """The template with each blank replaced by the PM's value (blanks without one stay)."""
    pieces = BLANK.split(proposal.template)
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        value = values[index].strip() if index < len(values) else ""
        out.append((value or "__") + piece)
    return "".join(out)


def missing(proposal: Proposal, values: list[str]) -> int:
    """How many blanks the PM has not filled in yet."""
    count = len(proposal.labels)
    return sum(1 for index in range(count) if index >= len(values) or not values[index].strip())


def apply(text: str, proposal: Proposal, values: list[str]) -> str:
    """``text`` with the proposal's span replaced by the filled-in template.

    Raises:
        ValueError: If a blank is still empty, or the span no longer holds the original text
            (the section changed since the proposal was made).
    """
    if missing(proposal, values):
        raise ValueError("Fill in every blank before accepting.")
    at = _find(text, proposal)
    if at < 0:
        raise ValueError("The section changed since this was suggested; review it again.")
    replacement = filled(proposal, values)
    after = text[at + len(proposal.original) :]
    if after.startswith(".") and replacement.endswith("."):
        replacement = replacement[:-1]  # no double full stop
    return text[:at] + replacement + after


def _find(text: str, proposal: Proposal) -> int:
    """Where the original span is now: at its offset, else its only occurrence."""
    if text[proposal.start : proposal.end] == proposal.original:
        return proposal.start
    if text.count(proposal.original) == 1:
        return text.index(proposal.original)
    return -1


def remove(text: str, proposal: Proposal) -> str:
    """``text`` without the proposal's span (a question moved to the register).

    A list item or line left empty goes with it.

    Raises:
        ValueError: If the span no longer holds the original text.
    """
    at = _find(text, proposal)
    if at < 0:
        raise ValueError("The section changed since this was suggested; review it again.")
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at + len(proposal.original))
    line_end = len(text) if line_end < 0 else line_end
    rest = text[line_start:at] + text[at + len(proposal.original) : line_end]
    if not _LIST_MARKER.sub("", rest).strip():
        # The line held only this question: drop the whole line.
        return (text[:line_start] + text[line_end + 1 :]).strip("\n")
    merged = text[:at] + text[at + len(proposal.original) :]
    return re.sub(r"[ \t]{2,}", " ", merged).strip()
