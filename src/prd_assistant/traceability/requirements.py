"""PRD text -> its requirements: ID, statement, priority, acceptance criteria, use cases.

What the traceability check tests and what tracker export sends, read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prd_assistant.traceability import criteria
from prd_assistant.traceability.ids import FUNCTIONAL, USE_CASE
from prd_assistant.traceability.model import Definition, Document, parse

_AC_LABEL = re.compile(
    r"^[ \t>]*(?:(?:[-*+]|\d{1,3}[.)])[ \t]+)?(?:\*\*|__)?[ \t]*"
    r"(?:acceptance(?: criteria| criterion| tests?)?|fit criteri(?:on|a)|ac|definition of done)"
    r"\b[^:\n]{0,30}?(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?(?P<rest>[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_BULLET = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,3}[.)])[ \t]+", re.MULTILINE)
_GWT_BULLET = re.compile(
    r"^[ \t>]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[[ xX]?\][ \t]+)?(?:\*\*|__)?"
    r"(?:given|scenario)\b",
    re.IGNORECASE | re.MULTILINE,
)
_AC_HEADING = re.compile(r"acceptance|fit criteri", re.IGNORECASE)
_AC_COLUMN = r"accept|criteri|fit|verif|test"
_PRIORITY_COLUMN = r"^(?:pri|priority|moscow|level|importance)\b"
_ID_COLUMN = r"^(?:id|#|key|ref|req(?:uirement)? ?id)$"
_TEXT_COLUMN = r"^(?:requirement|description|statement|title|summary|feature|capability)"
ONLY_AC_IDS = re.compile(r"^(?:[A-Z]{1,5}-?\d+(?:\.\d+)*[ ,;]*)+$")


@dataclass
class Criterion:
    """One acceptance criterion (whitespace joined) and the span it was written in."""

    text: str
    start: int
    end: int


@dataclass
class Requirement:
    """A functional requirement (FR…, REQ…, BR…) as the PRD states it.

    Attributes:
        id: The ID as written in its definition (``"FR-1"``).
        key: The normalised ID (``"FR-1"`` for ``FR-01`` too).
        title: One line naming it: a heading's text, else its first sentence.
        statement: Its text without ID, markup and acceptance criteria.
        priority: ``"must"``, ``"should"``, ``"may"`` or ``""`` when the PRD gives none.
        criteria: Its acceptance criteria, cleaned (open questions and placeholders kept out).
        use_cases: The normalised use case IDs it names.
        section: The ``##`` section it is in.
        line: 1-based line of its ID.
    """

    id: str
    key: str
    title: str
    statement: str
    priority: str
    criteria: list[str] = field(default_factory=list)
    use_cases: list[str] = field(default_factory=list)
    section: str = ""
    line: int = 0


def external_criteria(doc: Document) -> dict[str, list[Criterion]]:
    """Criteria written under an Acceptance Criteria heading, keyed by the one ID they name."""
    found: dict[str, list[Criterion]] = {}
    for heading in doc.headings:
        if not _AC_HEADING.search(heading.title):
            continue
        for start, end in doc.blocks:
            if not heading.start <= start < heading.end:
                continue
            ids = {m.key for m in doc.ids_in(start, end) if m.prefix in FUNCTIONAL}
            if len(ids) == 1:
                text = doc.text[start:end]
                found.setdefault(ids.pop(), []).append(Criterion(text, start, end))
    return found


def split(doc: Document, definition: Definition) -> tuple[str, str | None, list[Criterion]]:
    """The requirement's statement, its priority value (if given) and its criteria."""
    if definition.kind == "row":
        return _split_row(doc, definition)
    body = doc.text[definition.start : definition.end]
    label = _AC_LABEL.search(body)
    if label is not None:
        statement = body[: label.start()]
        rest = label.group("rest").strip()
        if rest:
            # "- **Acceptance criteria:** Given …" (a field): the criterion is the field's text
            # and its continuation lines; the bullets after it are other fields.
            end = _BULLET.search(body, label.end())
            raw = body[label.start("rest") : end.start() if end else len(body)]
            cut = re.search(r"\n[ \t]*\n", raw)
            raw = raw[: cut.start()] if cut else raw
            start = definition.start + label.start("rest") + len(raw) - len(raw.lstrip())
            criterion = Criterion(" ".join(raw.split()), start, start + len(raw.strip()))
            return statement, None, [criterion]
        return statement, None, _bullets(body, label.end(), definition.start)
    gwt = _GWT_BULLET.search(body, len(body.split("\n", 1)[0]))
    if gwt is not None:
        return body[: gwt.start()], None, _bullets(body, gwt.start(), definition.start)
    return body, None, []


def _bullets(body: str, after: int, base: int) -> list[Criterion]:
    """Each list item after ``after`` in ``body`` (with its continuation lines)."""
    marks = [m for m in _BULLET.finditer(body) if m.start() >= after]
    found = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        text = body[mark.end() : end].strip()
        if text:
            start = base + mark.end()
            found.append(Criterion(" ".join(text.split()), start, start + len(text)))
    return found


def _split_row(doc: Document, definition: Definition) -> tuple[str, str | None, list[Criterion]]:
    cells = definition.cells
    table = definition.table
    if table is None or not table.header:
        return " ".join(cells[1:]), None, []
    ac = table.column(_AC_COLUMN)
    priority_at = table.column(_PRIORITY_COLUMN)
    skip = {0, ac, priority_at, table.column(_ID_COLUMN)}
    text_at = table.column(_TEXT_COLUMN)
    if text_at is not None and text_at not in skip and text_at < len(cells):
        statement = cells[text_at]
    else:
        statement = " ".join(c for i, c in enumerate(cells) if i not in skip)
    priority = cells[priority_at] if priority_at is not None and priority_at < len(cells) else None
    found = []
    if ac is not None and ac < len(cells) and cells[ac].strip():
        row = doc.text[definition.start : definition.end]
        for part in re.split(r"<br\s*/?>", cells[ac]):
            if part.strip():
                start = definition.start + max(row.find(part.strip()), 0)
                found.append(Criterion(part.strip(), start, start + len(part.strip())))
    return statement, priority, found


_STATEMENT_NOISE = re.compile(
    r"^[\s>*_`#-]*(?:\d+(?:\.\d+)*\.?\s+)?|\((?:MUST|SHOULD|MAY|SHALL|serves|UC)[^)]*\)\s*:?|[*_`]+"
)


def requirements(markdown_text: str) -> list[Requirement]:
    """The functional requirements of a PRD, in document order (first definition of each ID)."""
    doc = parse(markdown_text)
    external = external_criteria(doc)
    seen: set[str] = set()
    found: list[Requirement] = []
    for definition in doc.definitions:
        if definition.mention.prefix not in FUNCTIONAL or definition.key in seen:
            continue
        seen.add(definition.key)
        statement, priority, written = split(doc, definition)
        written = written + external.get(definition.key, [])
        cleaned = [criteria.clean(c.text) for c in written]
        text = statement.replace(definition.mention.text, "", 1)
        lines = [" ".join(_STATEMENT_NOISE.sub(" ", line).split()) for line in text.split("\n")]
        lines = [line.strip(" :.-—–") for line in lines if line.strip(" :.-—–")]
        if definition.kind == "heading" and lines:
            title, body = lines[0], " ".join(lines[1:]) or lines[0]
        else:
            body = " ".join(lines)
            title = re.split(r"(?<=[.;])\s", body, maxsplit=1)[0].rstrip(".;")
        found.append(
            Requirement(
                id=definition.mention.text,
                key=definition.key,
                title=title[:120],
                statement=body,
                priority=criteria.priority_word(statement, priority),
                criteria=[c for c in cleaned if not criteria.skipped(c)],
                use_cases=sorted(
                    {
                        m.key
                        for m in doc.ids_in(definition.start, definition.end)
                        if m.prefix == USE_CASE
                    }
                ),
                section=doc.section(definition.start),
                line=definition.line,
            )
        )
    return found
