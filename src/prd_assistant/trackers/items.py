"""PRD -> the items a tracker receives: one per functional requirement, one per open question.

Each item carries a stable sync marker (draft id + item id) in its body, so a later push finds
the issue it created and updates it instead of creating a duplicate.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from prd_assistant.markdown_doc import parse_markdown
from prd_assistant.template import is_open_questions_title
from prd_assistant.traceability.requirements import requirements

MARKER = re.compile(r"prd-assistant:draft=(?P<draft>[\w.-]+);item=(?P<item>[\w.-]+)")
_OPEN_QUESTION = re.compile(r"open question\s*:\s*(.+)", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"\s*(?:\|\s*)?_\([^)]*\)_\s*$")
_MARKUP = re.compile(r"\*\*|__|`")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class TrackerItem:
    """One issue to create or update.

    Attributes:
        item_id: ``"FR-1"`` for a requirement, ``"Q-1a2b3c4d"`` for an open question.
        kind: ``"requirement"`` or ``"question"``.
        title: The issue title.
        statement: The requirement or question text.
        priority: ``"must"``, ``"should"``, ``"may"`` or ``""``.
        criteria: Acceptance criteria (a checklist in the issue).
        use_cases: Use case IDs the requirement serves.
        section: The PRD section it came from.
    """

    item_id: str
    kind: str
    title: str
    statement: str
    priority: str = ""
    criteria: tuple[str, ...] = ()
    use_cases: tuple[str, ...] = ()
    section: str = ""
    labels: tuple[str, ...] = field(default=())


def body_lines(
    item: TrackerItem, source: str, *, strong: str, heading: str, bullet: str
) -> list[str]:
    """What every tracker shows for ``item``, in its markup (sync marker not included).

    Args:
        item: The requirement or question.
        source: The PRD's title.
        strong: The bold delimiter (``**`` in Markdown, ``*`` in Jira wiki markup).
        heading: The acceptance criteria heading line.
        bullet: The prefix of one criterion (``- [ ] `` makes a GitHub checklist).
    """
    if item.kind == "requirement":
        facts = [f"{strong}{item.item_id}{strong}"]
        if item.priority:
            facts.append(item.priority.upper())
        if item.use_cases:
            facts.append("serves " + ", ".join(item.use_cases))
        lines = [" · ".join(facts), "", item.statement]
        if item.criteria:
            lines += ["", heading, *(bullet + c for c in item.criteria)]
    else:
        lines = [
            f"{strong}Open question:{strong} {item.statement}",
            "",
            "Answer it in the PRD, then push again.",
        ]
    where = f', section "{item.section}"' if item.section else ""
    return [
        *lines,
        "",
        f'_From the PRD "{source}"{where}. Edit the PRD, not this issue: the '
        "next push overwrites the text._",
    ]


def marker(draft_id: str, item_id: str) -> str:
    """The sync marker written into every pushed issue."""
    return f"prd-assistant:draft={draft_id};item={item_id}"


def draft_id_for(markdown_text: str, fallback: str = "prd") -> str:
    """A stable id for a PRD pushed from Markdown: the slug of its ``#`` title."""
    doc = parse_markdown(markdown_text)
    title = next((s.title for s in doc.sections if s.level == 1), "")
    slug = _SLUG.sub("-", title.lower()).strip("-")[:60]
    return slug or fallback


def question_id(text: str) -> str:
    """A stable id for an open question: a hash of its normalised text."""
    normal = " ".join(_MARKUP.sub("", text).lower().split()).rstrip("?. ")
    return "Q-" + hashlib.sha1(normal.encode("utf-8")).hexdigest()[:8]


def collect_items(markdown_text: str) -> list[TrackerItem]:
    """Every functional requirement, then every distinct open question, in document order."""
    items = [
        TrackerItem(
            item_id=r.id,
            kind="requirement",
            title=f"{r.id}: {r.title}"[:200],
            statement=r.statement,
            priority=r.priority,
            criteria=tuple(r.criteria),
            use_cases=tuple(r.use_cases),
            section=r.section,
            labels=(
                "prd-assistant",
                "requirement",
                *((f"priority: {r.priority}",) if r.priority else ()),
            ),
        )
        for r in requirements(markdown_text)
    ]
    seen: set[str] = set()
    for text, section in _open_questions(markdown_text):
        qid = question_id(text)
        if qid in seen:
            continue
        seen.add(qid)
        items.append(
            TrackerItem(
                item_id=qid,
                kind="question",
                title=f"Open question: {text}"[:200],
                statement=text,
                section=section,
                labels=("prd-assistant", "open-question"),
            )
        )
    return items


def _open_questions(markdown_text: str) -> list[tuple[str, str]]:
    """``Open question:`` lines anywhere, and the items of an Open Questions section."""
    doc = parse_markdown(markdown_text)
    found = []
    for block in doc.blocks:
        if block.kind not in {"paragraph", "list_item", "table_cell"}:
            continue
        content = doc.content(block)
        section = doc.sections[block.section] if block.section >= 0 else None
        title = section.title if section else ""
        in_questions = section is not None and is_open_questions_title(section.title)
        for line in content.split("\n"):
            match = _OPEN_QUESTION.search(line)
            text = (
                match.group(1)
                if match
                else (line if in_questions and block.kind == "list_item" else "")
            )
            text = _ATTRIBUTION.sub("", _MARKUP.sub("", text)).strip(" |")
            if text:
                found.append((text, title))
    return found
