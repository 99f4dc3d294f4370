"""Markdown text -> one document model: sections at every heading level and typed blocks.

Every stage that reads a PRD's structure (review, consistency, template parsing, model-reply
post-processing, suggestion dedup, export) reads this model, so they all agree on where a
section starts and ends and what a list item, table cell, quote or code block is::

    doc = parse_markdown(text)
    for section in doc.sections:          # every ATX and setext heading, in order
        print(section.level, section.path, text[section.body_start : section.end])
    for block in doc.blocks:              # paragraphs, list items, table cells, quotes, code ...
        print(block.kind, block.line, doc.content(block))

Parsing is CommonMark (markdown-it-py) plus GFM tables. Every offset is an exact index into the
text as given, CRLF and lone CR line ends included: ``text[block.start:block.end]`` is the
block's source. Titles and cell texts never hold ``\\r``. The cost is linear in the text size
(the inline parser is not run: only block structure is needed).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

BlockKind = Literal["paragraph", "list_item", "table_cell", "blockquote", "code", "heading", "html"]

_LINE_END = re.compile(r"\r\n|\r|\n")
_FRONT_MATTER_END = re.compile(r"(?:---|\.\.\.)[ \t]*")
_QUOTE_PREFIX = re.compile(r"(?:[ \t]*>)+[ \t]?")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_ATX_OPEN = re.compile(r"[ \t]*#{1,6}(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"(?:[ \t]+#+)?[ \t]*$|^#+[ \t]*$")


@dataclass(frozen=True)
class Block:
    """One block of the document with exact source offsets.

    Attributes:
        kind: ``"paragraph"``; ``"list_item"`` (a paragraph inside a list item, or an empty
            item); ``"table_cell"``; ``"blockquote"`` (a paragraph inside a blockquote);
            ``"code"`` (fenced or indented; ``start``..``end`` covers the fence lines too,
            ``lines`` only the code); ``"heading"``
            (ATX or setext; the span is the title text); ``"html"`` (an HTML block, comments
            included).
        start: Offset of the first content character (after list markers, ``>`` and
            indentation).
        end: Offset just past the last content character (trailing blanks excluded).
        lines: The content span on each source line, in order (container markers and
            indentation left out); ``"\\n".join`` of them is the clean content.
        line: 1-based line of ``start``.
        end_line: 1-based line of the block's last source line.
        section: Index into :attr:`MarkdownDoc.sections` of the innermost section holding the
            block, ``-1`` before the first heading.
        quote_depth: How many blockquotes hold the block (``0`` outside any).
        list_depth: How many list items hold the block (``0`` outside any).
        item: Id of the innermost list item holding the block (shared by that item's
            paragraphs), ``-1`` outside lists.
        marker_start: List items: offset of the bullet or number of the item's first
            paragraph; else ``-1``.
        level: Headings: 1-6.
        info: Fenced code: the info string (``"python"``); html: ``""``.
        row: Table cells: 0 for the header row, 1.. for body rows; else ``-1``.
        column: Table cells: 0-based column; else ``-1``.
        table: Table cells: id of the table (shared by its cells); else ``-1``.
        header: Table cells: the column's header text (stripped).
        row_label: Table cells: the first cell's text of the same row (stripped).
    """

    kind: BlockKind
    start: int
    end: int
    lines: tuple[tuple[int, int], ...]
    line: int
    end_line: int
    section: int = -1
    quote_depth: int = 0
    list_depth: int = 0
    item: int = -1
    marker_start: int = -1
    level: int = 0
    info: str = ""
    row: int = -1
    column: int = -1
    table: int = -1
    header: str = ""
    row_label: str = ""


@dataclass(frozen=True)
class Section:
    """A heading and everything up to the next heading of the same or a higher level.

    Only headings outside blockquotes and list items open sections.

    Attributes:
        index: Position in :attr:`MarkdownDoc.sections`.
        level: 1-6 (``#`` or setext ``===`` is 1, ``##`` or setext ``---`` is 2).
        title: Heading text without the ``#`` marks or underline, stripped; no ``\\r``.
        path: Titles from the outermost enclosing section down to this one.
        parent: Index of the enclosing section, ``-1`` for none.
        start: Offset of the heading's first line.
        end: Offset where the next heading of the same or a higher level starts (its line
            start), or the end of the text.
        body_start: Offset of the line after the heading (after a setext underline).
        title_start: Offset of the title text (``text[title_start:title_end]`` may hold
            several lines for a setext heading).
        title_end: Offset just past the title text.
        line: 1-based line of the heading.
        block: Index into :attr:`MarkdownDoc.blocks` of the heading block.
    """

    index: int
    level: int
    title: str
    path: tuple[str, ...]
    parent: int
    start: int
    end: int
    body_start: int
    title_start: int
    title_end: int
    line: int
    block: int


@dataclass
class MarkdownDoc:
    """A parsed document; build it with :func:`parse_markdown`.

    Attributes:
        text: The text as given.
        line_starts: Offset of each line (lines end at ``\\r\\n``, ``\\r`` or ``\\n``).
        line_ends: Offset of each line's end, before its line-end characters.
        sections: Every heading's section, in document order.
        blocks: Every block, in document order.
        front_matter: Span of a leading YAML front matter block, else None.
        unparsed: Spans of non-blank lines outside every block construct (link reference
            definitions).
        thematic_breaks: Spans of the ``---``/``***``/``___`` lines outside containers.
    """

    text: str
    line_starts: list[int]
    line_ends: list[int]
    sections: list[Section] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    front_matter: tuple[int, int] | None = None
    unparsed: list[tuple[int, int]] = field(default_factory=list)
    thematic_breaks: list[tuple[int, int]] = field(default_factory=list)
    _section_starts: list[int] = field(default_factory=list, repr=False)
    _block_starts: list[int] = field(default_factory=list, repr=False)

    def line_index(self, offset: int) -> int:
        """0-based line holding ``offset``."""
        return max(0, bisect_right(self.line_starts, offset) - 1)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``."""
        index = self.line_index(offset)
        return index + 1, offset - self.line_starts[index] + 1

    def line_span(self, offset: int) -> tuple[int, int]:
        """Start and end (before the line-end characters) of the line holding ``offset``."""
        index = self.line_index(offset)
        return self.line_starts[index], self.line_ends[index]

    def section_at(self, offset: int) -> Section | None:
        """The innermost section holding ``offset`` (its heading included), else None."""
        index = bisect_right(self._section_starts, offset) - 1
        return self.sections[index] if index >= 0 else None

    def block_at(self, offset: int) -> Block | None:
        """The block whose ``start``..``end`` holds ``offset``, else None.

        Blocks never overlap. A block's end is inclusive here, so the offset just past a
        cell's text still finds the cell.
        """
        index = bisect_right(self._block_starts, offset) - 1
        if index >= 0 and offset <= self.blocks[index].end:
            return self.blocks[index]
        return None

    def next_block(self, offset: int) -> Block | None:
        """The first block starting at or after ``offset`` (e.g. the block a comment precedes)."""
        index = bisect_right(self._block_starts, offset - 1)
        return self.blocks[index] if index < len(self.blocks) else None

    def section_blocks(self, section: Section, *, nested: bool = True) -> list[Block]:
        """Blocks in ``section``'s body; ``nested=False`` leaves out its subsections'."""
        first = bisect_right(self._block_starts, section.body_start - 1)
        out = []
        for block in self.blocks[first:]:
            if block.start >= section.end:
                break
            if nested or block.section == section.index:
                out.append(block)
        return out

    def content(self, block: Block) -> str:
        """The block's text without container markers, its lines joined with ``\\n``."""
        return "\n".join(self.text[start:end] for start, end in block.lines)

    def body(self, section: Section) -> str:
        """The source text under ``section``'s heading, up to the section's end."""
        return self.text[section.body_start : section.end]

    def top_sections(self, level: int = 2) -> list[Section]:
        """Sections of exactly ``level`` (``##`` by default), in order."""
        return [s for s in self.sections if s.level == level]

    def enclosing(self, offset: int, level: int) -> Section | None:
        """The section of exactly ``level`` that holds ``offset``, else None."""
        section = self.section_at(offset)
        while section is not None and section.level > level:
            section = self.sections[section.parent] if section.parent >= 0 else None
        return section if section is not None and section.level == level else None


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Only block structure is read; skipping the inline pass keeps parsing fast.
    return MarkdownIt("commonmark").enable("table").disable("inline")


@lru_cache(maxsize=4)
def block_tokens(text: str) -> tuple[Token, ...]:
    """markdown-it's block tokens for ``text`` (CommonMark with GFM tables, no inline pass).

    The last few results are remembered, so the document model and the traceability check
    of one ``prd review`` share one parse: treat the tokens as read-only.
    """
    return tuple(_parser().parse(text))


def line_bounds(text: str) -> tuple[list[int], list[int]]:
    """Line starts and line ends (before ``\\r\\n``, ``\\r`` or ``\\n``) of ``text``."""
    starts = [0]
    ends = []
    for match in _LINE_END.finditer(text):
        ends.append(match.start())
        starts.append(match.end())
    ends.append(len(text))
    return starts, ends


@lru_cache(maxsize=4)
def parse_markdown(text: str) -> MarkdownDoc:
    """Parses ``text`` into a :class:`MarkdownDoc` (see the module docstring).

    The last few results are remembered, so review, consistency and dedup reading the same
    text share one parse: treat the returned model as read-only.
    """
    starts, ends = line_bounds(text)
    doc = MarkdownDoc(text=text, line_starts=starts, line_ends=ends)
    source = text
    if text[:3] == "---" and text[: ends[0]].rstrip() == "---":
        # YAML front matter holds metadata; markdown-it would read it as a thematic break, a
        # paragraph and a setext heading.
        for index in range(1, min(len(starts), 200)):
            if _FRONT_MATTER_END.fullmatch(text, starts[index], ends[index]):
                doc.front_matter = (0, ends[index])
                source = _blank_keep_lines(text, ends[index])
                break
    _Builder(doc, source).run()
    return doc


def _blank_keep_lines(text: str, end: int) -> str:
    head = "".join(c if c in "\r\n" else " " for c in text[:end])
    return head + text[end:]


class _Builder:
    """Walks the token stream once and fills a :class:`MarkdownDoc`."""

    def __init__(self, doc: MarkdownDoc, source: str) -> None:
        self.doc = doc
        self.text = doc.text
        self.source = source
        self.covered = bytearray(len(doc.line_starts))
        self.quote_depth = 0
        self.items: list[tuple[int, bool]] = []  # (item id, first paragraph seen)
        self.item_count = 0
        self.table = -1
        self.table_header: list[str] = []
        self.row = -1
        self.row_cells: list[tuple[int, int]] = []
        self.row_line = 0
        self.column = 0
        self.heading_stack: list[Section] = []

    def run(self) -> None:
        tokens = block_tokens(self.source)
        for index, token in enumerate(tokens):
            self._token(tokens, index, token)
        self._close_sections(len(self.text))
        self._record_unparsed()
        self.doc._section_starts = [s.start for s in self.doc.sections]
        self.doc._block_starts = [b.start for b in self.doc.blocks]

    # -- tokens ---------------------------------------------------------------------------

    def _token(self, tokens: list[Token], index: int, token: Token) -> None:
        kind = token.type
        if token.map and token.level == 0:
            for line in range(token.map[0], min(token.map[1], len(self.covered))):
                self.covered[line] = 1
        if kind == "blockquote_open":
            self.quote_depth += 1
        elif kind == "blockquote_close":
            self.quote_depth -= 1
        elif kind == "list_item_open":
            self.items.append((self.item_count, False))
            self.item_count += 1
            if tokens[index + 1].type == "list_item_close" and token.map:
                self._empty_item(token.map[0])
        elif kind == "list_item_close":
            self.items.pop()
        elif kind == "heading_open" and token.map:
            self._heading(token, tokens[index + 1].content)
        elif kind == "paragraph_open" and token.map:
            self._paragraph(token.map, tokens[index + 1].content)
        elif kind in {"fence", "code_block"} and token.map:
            self._code(token)
        elif kind == "hr" and token.map and token.level == 0:
            line = token.map[0]
            self.doc.thematic_breaks.append((self.doc.line_starts[line], self.doc.line_ends[line]))
        elif kind == "html_block" and token.map:
            self._lines_block("html", token.map)
        elif kind == "table_open":
            self.table += 1
            self.row = -1
        elif kind == "tr_open" and token.map:
            self.row += 1
            self.column = 0
            self.row_line = token.map[0]
            self.row_cells = self._split_row(token.map[0])
            if self.row == 0:
                self.table_header = [self.text[s:e] for s, e in self.row_cells]
        elif kind in {"th_open", "td_open"}:
            self._cell(self.column)
            self.column += 1

    def _base(self, kind: BlockKind, lines: list[tuple[int, int]], first: int, last: int) -> dict:
        item = self.items[-1][0] if self.items else -1
        start = lines[0][0] if lines else self.doc.line_starts[first]
        end = lines[-1][1] if lines else start
        return {
            "kind": kind,
            "start": start,
            "end": max(start, end),
            "lines": tuple(lines),
            "line": first + 1,
            "end_line": last + 1,
            "section": self.heading_stack[-1].index if self.heading_stack else -1,
            "quote_depth": self.quote_depth,
            "list_depth": len(self.items),
            "item": item,
        }

    def _add(self, **fields: object) -> None:
        self.doc.blocks.append(Block(**fields))  # type: ignore[arg-type]

    def _content_lines(self, first: int, content: str) -> list[tuple[int, int]]:
        """Each content line's span in the source: markdown-it strips leading markers and
        blanks, so every content line is a suffix of its (right-trimmed) source line."""
        spans = []
        for number, piece in enumerate(content.split("\n")):
            line = first + number
            if line >= len(self.doc.line_starts):
                break
            start, end = self.doc.line_starts[line], self.doc.line_ends[line]
            raw = self.text[start:end].rstrip(" \t")
            wanted = piece.strip(" \t")
            end = start + len(raw)
            if wanted and raw.endswith(wanted):
                spans.append((end - len(wanted), end))
            else:
                spans.append((start + _lead_length(raw, self.quote_depth), end))
        return spans

    def _paragraph(self, line_map: list[int], content: str) -> None:
        lines = self._content_lines(line_map[0], content)
        fields = self._base(self._paragraph_kind(), lines, line_map[0], line_map[1] - 1)
        if self.items and not self.items[-1][1]:
            item_id = self.items[-1][0]
            self.items[-1] = (item_id, True)
            fields["marker_start"] = self._marker_start(line_map[0], fields["start"])
        self._add(**fields)

    def _paragraph_kind(self) -> BlockKind:
        if self.items:
            return "list_item"
        if self.quote_depth:
            return "blockquote"
        return "paragraph"

    def _marker_start(self, line: int, content_start: int) -> int:
        """Offset of the innermost list marker before ``content_start`` on ``line``."""
        start = self.doc.line_starts[line]
        row = self.text[start : max(start, content_start)]
        lead = _QUOTE_PREFIX.match(row) if self.quote_depth else None
        position = lead.end() if lead else 0
        found = -1
        while (marker := _LIST_MARKER.match(row, position)) is not None and marker.end() > position:
            found = start + len(row[: marker.end()].rstrip()) - _marker_width(row[: marker.end()])
            position = marker.end()
        return found

    def _empty_item(self, line: int) -> None:
        start = self.doc.line_starts[line]
        row = self.text[start : self.doc.line_ends[line]]
        at = start + len(row.rstrip())
        marker = self._marker_start(line, at)
        self.items[-1] = (self.items[-1][0], True)
        fields = self._base("list_item", [(at, at)], line, line)
        fields["marker_start"] = marker
        self._add(**fields)

    def _heading(self, token: Token, content: str) -> None:
        first, stop = token.map[0], token.map[1]
        level = int(token.tag[1])
        if token.markup in {"=", "-"}:
            lines = self._content_lines(first, content)
            last = stop - 1
        else:
            start, end = self.doc.line_starts[first], self.doc.line_ends[first]
            row = self.text[start:end]
            lead = _QUOTE_PREFIX.match(row) if self.quote_depth else None
            opener = _ATX_OPEN.match(row, lead.end() if lead else 0)
            at = opener.end() if opener else 0
            rest = row[at:]
            closer = _ATX_CLOSE.search(rest)
            title_end = at + (closer.start() if closer else len(rest.rstrip()))
            lines = [(start + at, start + max(at, title_end))]
            last = first
        fields = self._base("heading", lines, first, last)
        fields["level"] = level
        block_index = len(self.doc.blocks)
        self._add(**fields)
        if self.quote_depth or self.items:
            return
        start = self.doc.line_starts[first]
        self._close_sections(start, level)
        parent = self.heading_stack[-1] if self.heading_stack else None
        title = " ".join(content.split())
        section = Section(
            index=len(self.doc.sections),
            level=level,
            title=title,
            path=(*(parent.path if parent else ()), title),
            parent=parent.index if parent else -1,
            start=start,
            end=len(self.text),
            body_start=self.doc.line_starts[last + 1]
            if last + 1 < len(self.doc.line_starts)
            else len(self.text),
            title_start=fields["start"],
            title_end=fields["end"],
            line=first + 1,
            block=block_index,
        )
        self.doc.sections.append(section)
        self.heading_stack.append(section)
        # A heading block belongs to its own section.
        self.doc.blocks[block_index] = Block(**{**fields, "section": section.index})

    def _close_sections(self, at: int, level: int = 0) -> None:
        while self.heading_stack and self.heading_stack[-1].level >= level:
            done = self.heading_stack.pop()
            self.doc.sections[done.index] = replace(done, end=at)

    def _code(self, token: Token) -> None:
        first, stop = token.map
        last = min(stop, len(self.doc.line_starts)) - 1
        # A fence's content lines sit between its fence lines (the closing one may be missing).
        inner = range(first + 1, first + 1 + token.content.count("\n"))
        if token.type == "code_block":
            inner = range(first, last + 1)
        lines = []
        for line in inner:
            if line > last:
                break
            start, end = self.doc.line_starts[line], self.doc.line_ends[line]
            row = self.text[start:end]
            lead = len(row) - len(row.lstrip(" \t>")) if self.quote_depth else 0
            lines.append((start + lead, end))
        fields = self._base("code", lines, first, last)
        row = self.text[self.doc.line_starts[first] : self.doc.line_ends[first]]
        fields["start"] = self.doc.line_starts[first] + _lead_length(row, self.quote_depth)
        fields["end"] = max(fields["start"], self.doc.line_ends[last])
        fields["info"] = token.info.strip()
        self._add(**fields)

    def _lines_block(self, kind: BlockKind, line_map: list[int]) -> None:
        first, stop = line_map
        last = min(stop, len(self.doc.line_starts)) - 1
        lines = []
        for line in range(first, last + 1):
            start, end = self.doc.line_starts[line], self.doc.line_ends[line]
            row = self.text[start:end]
            lead = _lead_length(row, self.quote_depth)
            if row.strip():
                lines.append((start + lead, start + len(row.rstrip())))
        self._add(**self._base(kind, lines, first, last))

    # -- tables ---------------------------------------------------------------------------

    def _split_row(self, line: int) -> list[tuple[int, int]]:
        """Cell text spans of a table row, split the way markdown-it splits it."""
        start, end = self.doc.line_starts[line], self.doc.line_ends[line]
        row = self.text[start:end]
        lead = _QUOTE_PREFIX.match(row) if self.quote_depth else None
        begin = lead.end() if lead else 0
        if self.items:
            marker = _LIST_MARKER.match(row, begin)
            if marker and not row[begin:].lstrip().startswith("|"):
                begin = marker.end()
        while begin < len(row) and row[begin] in " \t":
            begin += 1
        stop = len(row.rstrip(" \t"))
        pieces: list[tuple[int, int]] = []
        piece_start = begin
        escaped = False
        for position in range(begin, stop):
            char = row[position]
            if char == "|" and not escaped:
                pieces.append((piece_start, position))
                piece_start = position + 1
            escaped = char == "\\"
        pieces.append((piece_start, stop))
        if pieces and pieces[0][0] == pieces[0][1]:
            pieces.pop(0)
        if pieces and pieces[-1][0] == pieces[-1][1]:
            pieces.pop()
        cells = []
        for a, b in pieces:
            while a < b and row[a] in " \t":
                a += 1
            while b > a and row[b - 1] in " \t":
                b -= 1
            cells.append((start + a, start + b))
        return cells

    def _cell(self, column: int) -> None:
        if column < len(self.row_cells):
            a, b = self.row_cells[column]
        else:
            a = b = self.doc.line_ends[self.row_line]
        label = self.text[slice(*self.row_cells[0])] if self.row_cells else ""
        fields = self._base("table_cell", [(a, b)], self.row_line, self.row_line)
        fields.update(
            row=self.row,
            column=column,
            table=self.table,
            header=self.table_header[column] if column < len(self.table_header) else "",
            row_label=label,
        )
        self._add(**fields)

    def _record_unparsed(self) -> None:
        doc = self.doc
        for line, covered in enumerate(self.covered):
            start, end = doc.line_starts[line], doc.line_ends[line]
            if not covered and self.source[start:end].strip():
                doc.unparsed.append((start, end))


def _lead_length(row: str, quote_depth: int) -> int:
    lead = _QUOTE_PREFIX.match(row) if quote_depth else None
    position = lead.end() if lead else 0
    return position + len(row[position:]) - len(row[position:].lstrip(" \t"))


def _marker_width(prefix: str) -> int:
    """Width of the list marker ending ``prefix`` (``"-"``, ``"12."``)."""
    stripped = prefix.rstrip()
    width = 1
    while width < len(stripped) and stripped[-width - 1].isdigit():
        width += 1
    return width
