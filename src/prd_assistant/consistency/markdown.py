"""The document model -> ``##`` sections, and each line as clauses or table cells worth reading.

Sections, blocks and table cells come from :mod:`prd_assistant.markdown_doc`; this module only
decides what the target extractor reads and with which context words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from prd_assistant.consistency import vocabulary as vocab
from prd_assistant.markdown_doc import Block, MarkdownDoc, parse_markdown


@dataclass(frozen=True)
class MarkdownSection:
    """A ``##`` section: its title, heading line and body lines (1-based numbers).

    ``start``..``end`` is the body's span in the document; ``path`` the headings above the
    ``##`` one (a ``#`` title), for callers that want them.
    """

    title: str
    line: int
    lines: tuple[tuple[int, str], ...]
    start: int = 0
    end: int = 0
    path: tuple[str, ...] = ()


def split_sections(markdown_text: str, doc: MarkdownDoc | None = None) -> list[MarkdownSection]:
    """The document's ``##`` sections (ATX or setext; never inside code or quotes).

    Text before the first ``##`` heading is a section with the title "". A ``#`` heading after
    a ``##`` section stays in that section's body, as it always has.
    """
    doc = doc if doc is not None else parse_markdown(markdown_text)
    text = doc.text
    heads = doc.top_sections(2)
    out: list[MarkdownSection] = []
    bounds = [(None, 0)] + [(s, s.body_start) for s in heads]
    # Like str.splitlines: no empty last line after a final line end.
    count = len(doc.line_starts) - (1 if text and text[-1] in "\r\n" else 0)
    for index, (section, body_start) in enumerate(bounds):
        end = heads[index].start if index < len(heads) else len(text)
        first = min(doc.line_index(body_start), count) if body_start < len(text) else count
        last = doc.line_index(end) if end < len(text) else count
        lines = tuple(
            (number + 1, text[doc.line_starts[number] : doc.line_ends[number]])
            for number in range(first, last)
        )
        title = section.title if section else ""
        if not title and not any(line.strip() for _n, line in lines):
            continue
        out.append(
            MarkdownSection(
                title=title,
                line=section.line if section else 0,
                lines=lines,
                start=body_start,
                end=end,
                path=section.path[:-1] if section else (),
            )
        )
    return out


@dataclass
class Segment:
    """Text to extract from: ``text[value_from:]`` starts at document offset ``offset``."""

    text: str
    value_from: int
    offset: int
    context: str  # extra words for keywords and qualifiers (table header, sub-headings)


def segments(doc: MarkdownDoc, section: MarkdownSection) -> Iterator[tuple[int, str, Segment]]:
    """(line number, line, segment) for each clause or table cell worth reading.

    Code, HTML, headings and table header rows are not read; nor is anything under a
    Non-goals or Out of scope heading at any level below the section.
    """
    depth = len(section.path) + (1 if section.title else 0)
    skipped_row: tuple[int, int] | None = None
    for block in _blocks_between(doc, section.start, section.end):
        if block.kind in {"code", "html", "heading"} or not block.lines:
            continue
        holder = doc.section_at(block.start)
        below = holder.path[depth:] if holder is not None else ()
        if any(vocab.SKIP_SUBSECTION.search(title) for title in below):
            continue
        context = " ".join(below)
        number = block.line
        line = doc.text[doc.line_starts[number - 1] : doc.line_ends[number - 1]]
        if block.kind == "table_cell":
            if block.row == 0 or (block.table, block.row) == skipped_row:
                continue
            if vocab.SKIP_CLAUSE.search(block.row_label):
                skipped_row = (block.table, block.row)
                continue
            yield from _cell_segment(doc, block, line, context)
            continue
        for start, end in block.lines:
            number = doc.line_index(start) + 1
            line = doc.text[doc.line_starts[number - 1] : doc.line_ends[number - 1]]
            for clause, position in clauses(doc.text[start:end]):
                if not vocab.SKIP_CLAUSE.search(clause):
                    yield number, line, Segment(clause, 0, start + position, context)


def _blocks_between(doc: MarkdownDoc, start: int, end: int) -> Iterator[Block]:
    for block in doc.blocks:
        if block.start >= end:
            return
        if block.start >= start:
            yield block


def _cell_segment(
    doc: MarkdownDoc, cell: Block, line: str, context: str
) -> Iterator[tuple[int, str, Segment]]:
    text = doc.text[cell.start : cell.end]
    if not text or vocab.SKIP_CLAUSE.search(text):
        return
    about = f"{cell.header} {context}"
    if cell.column == 0:
        yield cell.line, line, Segment(text, 0, cell.start, about)
        return
    prefix = f"{cell.row_label}: "
    yield cell.line, line, Segment(prefix + text, len(prefix), cell.start, about)


def clauses(line: str) -> list[tuple[str, int]]:
    """Splits a line at ``;`` and sentence ends, keeping each clause's position."""
    pieces = []
    start = 0
    for match in re.finditer(r";\s+|(?<=[\w)\]])\.\s+(?=[A-Z])", line):
        pieces.append((line[start : match.start()], start))
        start = match.end()
    pieces.append((line[start:], start))
    return [(text, pos) for text, pos in pieces if text.strip()]
