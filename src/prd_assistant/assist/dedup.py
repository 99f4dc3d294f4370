"""Suggested questions and risks against what the document and the rule review already have.

A question the model suggests that repeats a rule finding or a line of the Open Questions
section is *merged*: it is not shown as new, and the merge is recorded so the UI can note
"the assistant also asked this" on the existing item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from typing import Any, Protocol

from prd_assistant.assist.models import Risk, SuggestedQuestion
from prd_assistant.markdown_doc import Block, MarkdownDoc, parse_markdown
from prd_assistant.template import FAQ_TITLE, OPEN_QUESTIONS_TITLE, normalize_title

_WORD = re.compile(r"[a-z0-9]+")
_LINE_PREFIX = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+|\|\s*)?(?:\[[ xX]\]\s*)?(?:\*\*)?"
    r"(?:open question|question|risk|q)\s*\d*\s*[:.]\s*(?:\*\*)?\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)(?:\[[ xX]\]\s*)?")
_OPEN_QUESTION_LINE = re.compile(r"open question\s*:\s*(.+)", re.IGNORECASE)
_STOPWORDS = frozenset(
    "a an the and or of to for in on at by with from is are be been being do does did we "  # noqa: SIM905 - a word list reads better as text
    "our us you your it its this that these those what which who whom whose how when where "
    "why will would should shall must can could may might need needs there their they them "
    "than then as if any all each per about into over under via not no yes have has had".split()
)
# Open Questions and FAQ headings (the same title words review reads), matched normalised.
_OPEN_QUESTIONS_TITLE = re.compile(f"{OPEN_QUESTIONS_TITLE.pattern}|{FAQ_TITLE.pattern}")
_RISKS_TITLE = re.compile(r"\brisks?\b", re.IGNORECASE)


class FindingLike(Protocol):
    """What dedup reads from a review finding (``prd_assistant.review.Finding`` fits)."""

    category: str
    line: int
    sentence: str
    question: str


@dataclass(frozen=True)
class ExistingItem:
    """A question or risk the document or the rule review already has."""

    text: str
    line: int
    source: str  # "finding", "open_questions_section", "open_question_line", "risks_section"


@dataclass(frozen=True)
class Merged:
    """A suggestion folded into an existing item instead of being shown twice."""

    kind: str  # "question" or "risk"
    suggestion: str
    existing: str
    line: int
    source: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def words(text: str) -> set[str]:
    """Content words of ``text``, lower-cased, with a crude plural fold."""
    text = _LINE_PREFIX.sub("", text.casefold())
    result = set()
    for word in _WORD.findall(text):
        if word in _STOPWORDS:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        result.add(word)
    return result


def similar(a: str, b: str) -> bool:
    """True when two questions (or risks) ask the same thing in other words."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    shared = len(wa & wb)
    jaccard = shared / len(wa | wb)
    containment = shared / min(len(wa), len(wb))
    if jaccard >= 0.5 or (containment >= 0.8 and min(len(wa), len(wb)) >= 3):
        return True
    flat_a, flat_b = " ".join(sorted(wa)), " ".join(sorted(wb))
    return SequenceMatcher(None, flat_a, flat_b).ratio() >= 0.85


def existing_questions(markdown_text: str, findings: Iterable[FindingLike]) -> list[ExistingItem]:
    """Questions already asked: by rule findings, in the Open Questions section, or on
    ``Open question:`` lines anywhere in the draft."""
    items: list[ExistingItem] = []
    for finding in findings:
        # Every rule finding asks a question ("What availability is required ...?"); a model
        # question that repeats it adds nothing. Open-question findings also quote the line.
        if finding.question:
            items.append(ExistingItem(finding.question, finding.line, "finding"))
        if finding.category == "open_question" and finding.sentence != finding.question:
            items.append(ExistingItem(finding.sentence, finding.line, "finding"))
    doc = parse_markdown(markdown_text)
    for line, text, block in _items(doc):
        match = _OPEN_QUESTION_LINE.search(text)
        if match:
            items.append(ExistingItem(match.group(1).strip(), line, "open_question_line"))
        elif _listed(doc, block, _OPEN_QUESTIONS_TITLE) and _is_item(text):
            items.append(ExistingItem(_clean(text), line, "open_questions_section"))
    return items


def existing_risks(markdown_text: str) -> list[ExistingItem]:
    """Items under a Risks heading at any level (bullets, numbered items and table rows)."""
    doc = parse_markdown(markdown_text)
    return [
        ExistingItem(_clean(text), line, "risks_section")
        for line, text, block in _items(doc)
        if _listed(doc, block, _RISKS_TITLE) and _is_item(text)
    ]


def _items(doc: MarkdownDoc) -> Iterator[tuple[int, str, Block]]:
    """(line, text, first block) per paragraph line, list item line and table body row.

    Headings count too, so ``### Open question: ...`` is an open question line.
    """
    row: list[Block] = []
    for block in [*doc.blocks, None]:
        if row and (block is None or (block.table, block.row) != (row[0].table, row[0].row)):
            cells = [doc.text[c.start : c.end] for c in row]
            yield row[0].line, " ".join(c for c in cells if c.strip()), row[0]
            row = []
        if block is None or block.kind in {"code", "html"}:
            continue
        if block.kind == "table_cell":
            if block.row > 0:
                row.append(block)
            continue
        for start, end in block.lines:
            yield doc.line_index(start) + 1, doc.text[start:end].strip(), block


def _listed(doc: MarkdownDoc, block: Block, title: re.Pattern[str]) -> bool:
    """True for a non-heading block under a heading (any level) whose title matches."""
    if block.kind == "heading":
        return False
    section = doc.sections[block.section] if block.section >= 0 else None
    return section is not None and any(title.search(normalize_title(t)) for t in section.path)


def _is_item(text: str) -> bool:
    if not text or set(text) <= set("|-: "):
        return False
    return len(words(text)) >= 2


def _clean(text: str) -> str:
    return _BULLET.sub("", text).replace("**", "").strip()


def dedupe_questions(
    questions: Sequence[SuggestedQuestion], existing: Sequence[ExistingItem]
) -> tuple[list[SuggestedQuestion], list[Merged]]:
    """New questions only; the rest are returned as merges (also among the suggestions)."""
    kept: list[SuggestedQuestion] = []
    merged: list[Merged] = []
    for question in questions:
        match = next((e for e in existing if similar(question.question, e.text)), None)
        if match is not None:
            merged.append(
                Merged("question", question.question, match.text, match.line, match.source)
            )
            continue
        twin = next((k for k in kept if similar(question.question, k.question)), None)
        if twin is not None:
            merged.append(Merged("question", question.question, twin.question, 0, "suggestion"))
            continue
        kept.append(question)
    return kept, merged


def dedupe_risks(
    risks: Sequence[Risk], existing: Sequence[ExistingItem]
) -> tuple[list[Risk], list[Merged]]:
    """New risks only; risks already in the Risks section (or suggested twice) are merged."""
    kept: list[Risk] = []
    merged: list[Merged] = []
    for risk in risks:
        match = next((e for e in existing if similar(risk.title, e.text)), None)
        if match is not None:
            merged.append(Merged("risk", risk.title, match.text, match.line, match.source))
            continue
        twin = next((k for k in kept if similar(risk.title, k.title)), None)
        if twin is not None:
            merged.append(Merged("risk", risk.title, twin.title, 0, "suggestion"))
            continue
        kept.append(risk)
    return kept, merged
