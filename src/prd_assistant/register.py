"""The open-questions register: every open question and assumption of a draft as one row.

Rows come from three places: questions still in the text (found by review), questions the PM
moved out of the text or gave an owner (``Draft.register``), and the clarifying answers and
assumptions made before drafting (``Draft.clarifications``). The same rows go on the page and
into the Markdown, DOCX and JSON exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from prd_assistant.document import Draft, RegisterItem

if TYPE_CHECKING:
    from prd_assistant.review import Finding

# Review rules whose finding is a question the PM has to answer (not a vague word).
QUESTION_RULES = frozenset(
    {
        "question-in-body",
        "open-question-line",
        "placeholder",
        "deferred-decision",
        "unresolved-choice",
    }
)
_PREFIXES = ("open question:", "question:")
CLARIFYING = "Clarifying questions"  # the "section" of a clarifying answer's row


@dataclass(frozen=True)
class Row:
    """One register row.

    Attributes:
        question: The question, without an "Open question:" prefix.
        section: Title of the section it belongs to.
        owner: Who decides ("" when nobody is named yet).
        due: When it must be decided.
        status: ``"open"``, ``"answered"`` or ``"assumed"``.
        answer: The answer or the assumption made.
        stored: Index in ``Draft.register``, or -1 for a row found in the text only.
        in_text: Whether the question still stands in the section text.
    """

    question: str
    section: str
    owner: str = ""
    due: str = ""
    status: str = "open"
    answer: str = ""
    stored: int = -1
    in_text: bool = False


def question_text(finding: Finding) -> str:
    """The question a finding stands for, without its "Open question:" prefix."""
    text = finding.match if finding.rule != "placeholder" else finding.sentence
    text = text.strip().lstrip("-*+ ").strip()
    lowered = text.casefold()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            return text[len(prefix) :].strip()
    return text


@lru_cache(maxsize=32)
def _text_questions(markdown: str) -> tuple[Finding, ...]:
    from prd_assistant.review import review

    return tuple(
        f for f in review(markdown) if f.category == "open_question" and f.rule in QUESTION_RULES
    )


def rows(draft: Draft) -> list[Row]:
    """Every open question and assumption of ``draft``, text order first, then stored ones."""
    titles = {s.heading.lstrip("#").strip(): s.title for s in draft.sections}
    stored = {item.question.casefold(): index for index, item in enumerate(draft.register)}
    out: list[Row] = []
    seen: set[str] = set()
    # A draft with no text asks nothing, and reviewing it would load the language pipeline.
    in_text = _text_questions(draft.to_markdown()) if draft.written else ()
    for finding in in_text:
        question = question_text(finding)
        folded = question.casefold()
        if not question or folded in seen:
            continue
        seen.add(folded)
        section = titles.get(finding.section.lstrip("#").strip(), finding.section)
        index = stored.get(folded, -1)
        item = draft.register[index] if index >= 0 else RegisterItem(question, section)
        out.append(
            Row(question, section, item.owner, item.due, item.status, item.answer, index, True)
        )
    for index, item in enumerate(draft.register):
        if item.question.casefold() in seen:
            continue
        out.append(
            Row(
                item.question,
                item.section,
                item.owner,
                item.due,
                item.status,
                item.answer,
                index,
                False,
            )
        )
    for item in draft.clarifications:
        status = "assumed" if item.assumed else "answered"
        out.append(Row(item.question, CLARIFYING, "", "", status, item.answer))
    return out


def upsert(draft: Draft, row: Row, **changes: str) -> RegisterItem:
    """Stores ``changes`` (owner, due, status, answer) for ``row``; returns the stored item."""
    if row.stored >= 0:
        item = draft.register[row.stored]
    else:
        item = RegisterItem(row.question, row.section)
        draft.register.append(item)
    for name, value in changes.items():
        setattr(item, name, value)
    return item


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split()) or "—"


def table(rows: list[Row]) -> str:
    """Rows as a Markdown table (question, section, owner, due, status, answer)."""
    lines = [
        "| Question | Section | Owner | Due | Status | Answer |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        "| "
        + " | ".join(_cell(v) for v in (r.question, r.section, r.owner, r.due, r.status, r.answer))
        + " |"
        for r in rows
    ]
    return "\n".join(lines)


def clarified(rows: list[Row]) -> str:
    """Clarifying answers and assumptions as a Markdown list."""
    return "\n".join(
        f"- **{r.question}** {r.answer}" + (" *(assumed)*" if r.status == "assumed" else "")
        for r in rows
        if r.section == CLARIFYING
    )


def to_markdown(draft: Draft) -> str:
    """The register and the clarifying answers as Markdown ("" when there are none)."""
    found = rows(draft)
    questions = [r for r in found if r.section != CLARIFYING]
    parts: list[str] = []
    if questions:
        parts += ["## Open questions register", "", table(questions), ""]
    if len(questions) < len(found):
        parts += ["## Clarifying answers and assumptions", "", clarified(found), ""]
    return "\n".join(parts)
