"""A PRD's requirement structure: which IDs are defined where, what each definition says.

Built from markdown-it-py's block tokens (each with its exact source lines), the same parse
the document model reads (:func:`prd_assistant.markdown_doc.block_tokens`). An ID *defines* a
requirement when it heads a block: a heading (``### FR-1 Export``), a list item or line
(``- **FR-1** (MUST): …``, ``UC-2: …``) or the first cell of a table row whose other cells
hold prose (``| FR-01 | The system shall … |``). Every other ID is a *reference*. Code, inline
code and HTML comments hold neither.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from prd_assistant.markdown_doc import block_tokens
from prd_assistant.traceability.ids import IdMention, find_ids

_MARKUP = re.compile(r"[ \t]*(?:[*_`\[]{1,3}[ \t]*)*")
_AFTER_ID = re.compile(r"(?:[*_`\]]{1,3})?(?:[ \t]*(?:[:.)\]—–|(-]|$)|[ \t]+(?:[A-Z\d\"“]|$))")
_HEADING_NUMBER = re.compile(r"[ \t]*(?:\d+(?:\.\d+)*\.?[ \t]+)?")
_LIST_LEAD = re.compile(r"[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[[ xX]?\][ \t]+)?")
_PROSE = re.compile(r"[A-Za-z][A-Za-z'’-]+")
# Sections that cite IDs rather than define them: "- FR-2: Given …" under Acceptance
# Criteria, "- UC1: FR-1, FR-2" under Traceability.
_CITING_SECTION = re.compile(r"acceptance|traceab|matrix|mapping|coverage", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)[^`\n].*?\1")


@dataclass
class Table:
    """A table's header cells, lower-cased (for finding its priority and criteria columns)."""

    header: list[str]

    def column(self, pattern: str) -> int | None:
        """Index of the first header cell matching ``pattern``, else ``None``."""
        regex = re.compile(pattern)
        return next((i for i, h in enumerate(self.header) if regex.search(h)), None)


@dataclass
class Definition:
    """A requirement, use case or other ID defined in the document.

    Attributes:
        mention: The defining ID as written.
        kind: ``"heading"``, ``"item"`` (list item or line) or ``"row"`` (table row).
        start: Offset where its content starts (the heading, item or row).
        end: Offset where its content ends (next heading of the same level, end of item ...).
        line: 1-based line of the ID.
        cells: For a row, the row's cells; empty otherwise.
        table: For a row, its table.
    """

    mention: IdMention
    kind: str
    start: int
    end: int
    line: int
    cells: list[str] = field(default_factory=list)
    table: Table | None = None

    @property
    def key(self) -> str:
        """The normalised ID."""
        return self.mention.key


@dataclass
class Heading:
    """A heading: level, title and where it and its section start and end."""

    level: int
    title: str
    start: int
    end: int  # end of the section it opens


@dataclass
class Document:
    """The requirement structure of one PRD."""

    text: str
    masked: str
    line_starts: list[int]
    definitions: list[Definition]
    references: list[IdMention]
    blocks: list[tuple[int, int]]
    headings: list[Heading]

    def line_of(self, offset: int) -> int:
        """1-based line number of ``offset``."""
        return bisect_right(self.line_starts, offset)

    def column_of(self, offset: int) -> int:
        """1-based column of ``offset``."""
        return offset - self.line_starts[self.line_of(offset) - 1] + 1

    def line_text(self, offset: int) -> str:
        """The source line holding ``offset``, without its newline."""
        index = self.line_of(offset) - 1
        start = self.line_starts[index]
        end = self.text.find("\n", start)
        return self.text[start : len(self.text) if end < 0 else end]

    def section(self, offset: int) -> str:
        """The ``##`` heading above ``offset`` (``""`` before the first one)."""
        title = ""
        for heading in self.headings:
            if heading.start > offset:
                break
            if heading.level == 2:
                title = heading.title
        return title

    def cites_only(self, offset: int) -> bool:
        """True inside a section that cites IDs (acceptance criteria, traceability matrix)."""
        inner = None
        for heading in self.headings:
            if heading.start < offset < heading.end:
                inner = heading
        return inner is not None and _CITING_SECTION.search(inner.title) is not None

    def ids_in(self, start: int, end: int) -> list[IdMention]:
        """IDs written between two offsets (outside code and comments)."""
        return find_ids(self.masked, start, end)


def _mask(text: str, tokens: Sequence[Token]) -> str:
    """The text with code and HTML comments blanked (same length, newlines kept)."""
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "

    starts = _line_starts(text)
    for token in tokens:
        if token.type in {"fence", "code_block"} and token.map:
            blank(_at(starts, token.map[0], text), _at(starts, token.map[1], text))
    for pattern in (_HTML_COMMENT, _INLINE_CODE):
        for m in pattern.finditer("".join(chars)):
            blank(m.start(), m.end())
    return "".join(chars)


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _at(starts: list[int], line: int, text: str) -> int:
    return starts[line] if line < len(starts) else len(text)


def parse(text: str) -> Document:
    """Finds every ID definition and reference in a PRD."""
    tokens = block_tokens(text)
    starts = _line_starts(text)
    doc = Document(text, _mask(text, tokens), starts, [], [], [], [])
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            title = tokens[index + 1].content if index + 1 < len(tokens) else ""
            start = _at(starts, token.map[0], text)
            doc.headings.append(Heading(int(token.tag[1]), title, start, len(text)))
    for i, heading in enumerate(doc.headings):
        heading.end = next(
            (h.start for h in doc.headings[i + 1 :] if h.level <= heading.level), len(text)
        )
    _walk(doc, tokens)
    # A group heading ("## FR-1000 Game states") holds only its own text, not the
    # requirements defined under it ("### FR-1100 …").
    heads = sorted(d.start for d in doc.definitions if d.kind == "heading")
    for definition in doc.definitions:
        if definition.kind == "heading":
            later = [s for s in heads if s > definition.start]
            if later:
                definition.end = min(definition.end, later[0])
    defined = {d.mention.start for d in doc.definitions}
    doc.references = [m for m in find_ids(doc.masked) if m.start not in defined]
    return doc


def _walk(doc: Document, tokens: Sequence[Token]) -> None:
    """Blocks (list items, paragraphs, table rows) and the IDs that head them."""
    text, starts = doc.text, doc.line_starts
    table: Table | None = None
    in_head = in_body = False
    items: list[int] = []  # ends of the open list items, innermost last
    for index, token in enumerate(tokens):
        kind = token.type
        span = (
            (_at(starts, token.map[0], text), _at(starts, token.map[1], text))
            if token.map
            else None
        )
        if kind == "table_open":
            table = Table([])
        elif kind in {"thead_open", "thead_close", "tbody_open", "tbody_close"}:
            in_head = kind == "thead_open"
            in_body = kind == "tbody_open"
        elif kind == "heading_open" and span:
            heading = next(h for h in doc.headings if h.start == span[0])
            lead = _HEADING_NUMBER.match(doc.masked, span[0] + len(token.markup) + 1)
            _define_at(doc, lead.end() if lead else span[0], "heading", span[0], heading.end)
        elif kind == "list_item_open" and span:
            items.append(span[1])
            doc.blocks.append(span)
        elif kind == "list_item_close" and items:
            items.pop()
        elif kind == "paragraph_open" and span and not items:
            doc.blocks.append(span)
        elif kind == "tr_open" and span and in_body:
            doc.blocks.append(span)
            _define_row(doc, span[0], table)
        elif kind == "inline" and in_head and table is not None:
            table.header.append(token.content.strip().lower())
        elif kind == "inline" and token.map and not in_body and not in_head:
            if index and tokens[index - 1].type == "heading_open":
                continue
            first, last = token.map
            for line in range(first, last):
                line_start = _at(starts, line, text)
                lead = _LIST_LEAD.match(doc.masked, line_start) if line == first else None
                end = items[-1] if items and line == first else _paragraph_end(doc, line, last)
                _define_at(doc, lead.end() if lead else line_start, "item", line_start, end)


def _paragraph_end(doc: Document, line: int, last: int) -> int:
    """End of a line-headed definition: the next line that heads another ID, or the block end."""
    for following in range(line + 1, last):
        start = _at(doc.line_starts, following, doc.text)
        if _defining_id(doc, start) is not None:
            return start
    return _at(doc.line_starts, last, doc.text)


def _defining_id(doc: Document, head: int) -> IdMention | None:
    """The ID that starts right at ``head`` (after markup) and is followed like a label."""
    start = _MARKUP.match(doc.masked, head).end()  # type: ignore[union-attr]
    line_end = doc.masked.find("\n", start)
    ids = find_ids(doc.masked, start, len(doc.masked) if line_end < 0 else line_end)
    if not ids or ids[0].start != start or sum(m.start == start for m in ids) > 1:
        return None  # no ID first, or a range ("UC-03…05"), which defines nothing
    if not _AFTER_ID.match(doc.masked, ids[0].end):
        return None
    return ids[0]


def _define_at(doc: Document, head: int, kind: str, start: int, end: int) -> None:
    if doc.cites_only(start):
        return
    mention = _defining_id(doc, head)
    if mention is not None and not any(d.mention.start == mention.start for d in doc.definitions):
        doc.definitions.append(Definition(mention, kind, start, end, doc.line_of(mention.start)))


def _define_row(doc: Document, start: int, table: Table | None) -> None:
    """A row defines the ID alone in its first cell when another cell holds prose."""
    line_end = doc.text.find("\n", start)
    line_end = len(doc.text) if line_end < 0 else line_end
    row = doc.masked[start:line_end]
    if not row.strip().startswith("|") or doc.cites_only(start):
        return
    offset = start + row.index("|") + 1
    cells = row.strip().strip("|").split("|")
    ids = find_ids(doc.masked, offset, offset + len(cells[0]))
    if len(ids) != 1 or cells[0].strip(" *_`") != ids[0].text:
        return
    if not any(len(_PROSE.findall(c)) >= 3 and not find_ids(c) for c in cells[1:]):
        return  # a traceability matrix row ("| UC1 | FR-1, FR-2 |") refers, it does not define
    original = [c.strip() for c in doc.text[start:line_end].strip().strip("|").split("|")]
    doc.definitions.append(
        Definition(ids[0], "row", start, line_end, doc.line_of(ids[0].start), original, table)
    )
