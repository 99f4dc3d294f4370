"""Markdown -> ``##`` sections, and each line as clauses or table cells worth reading."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from prd_assistant.consistency import vocabulary as vocab


@dataclass(frozen=True)
class MarkdownSection:
    """A ``##`` section: its heading title, heading line and body lines (1-based numbers)."""

    title: str
    line: int
    lines: tuple[tuple[int, str], ...]


def split_sections(markdown_text: str) -> list[MarkdownSection]:
    """The document's ``##`` sections, ignoring headings inside code fences.

    Text before the first ``##`` heading is a section with the title "".
    """
    sections: list[MarkdownSection] = []
    title, start, body = "", 0, []
    in_fence = False
    for number, line in enumerate(markdown_text.splitlines(), 1):
        if vocab.FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else vocab.H2.match(line)
        if match:
            sections.append(MarkdownSection(title, start, tuple(body)))
            title, start, body = match.group(1).strip(), number, []
        else:
            body.append((number, line))
    sections.append(MarkdownSection(title, start, tuple(body)))
    return [s for s in sections if s.title or any(text.strip() for _n, text in s.lines)]


@dataclass
class Segment:
    """Text to extract from: ``text[value_from:]`` sits at ``line_offset`` in the line."""

    text: str
    value_from: int
    line_offset: int
    context: str  # extra words for keywords and qualifiers (table header, ### heading)


def segments(section: MarkdownSection) -> Iterator[tuple[int, str, Segment]]:
    """(line number, line, segment) for each clause or table cell worth reading."""
    subheading = ""
    header: list[str] = []
    in_fence = False
    skip_sub = False
    previous_was_table = False
    for index, (number, line) in enumerate(section.lines):
        if vocab.FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        sub = vocab.H3.match(line)
        if sub:
            subheading = sub.group(1)
            skip_sub = bool(vocab.SKIP_SUBSECTION.search(subheading))
            continue
        if skip_sub or not line.strip():
            previous_was_table = False
            continue
        if line.lstrip().startswith("|"):
            if vocab.TABLE_SEPARATOR.match(line):
                continue
            cells = table_cells(line)
            following = section.lines[index + 1][1] if index + 1 < len(section.lines) else ""
            if not previous_was_table and vocab.TABLE_SEPARATOR.match(following):
                header = [text for text, _pos in cells]
                previous_was_table = True
                continue
            previous_was_table = True
            yield from _table_segments(number, line, cells, header, subheading)
            continue
        previous_was_table = False
        for clause, offset in clauses(line):
            if not vocab.SKIP_CLAUSE.search(clause):
                yield number, line, Segment(clause, 0, offset, subheading)


def table_cells(line: str) -> list[tuple[str, int]]:
    """(cell text, position of the text in the line) for a Markdown table row."""
    cells = []
    for match in re.finditer(r"(?<=\|)([^|]*)(?=\|)|(?<=\|)([^|]+)$", line):
        raw = match.group(0)
        stripped = raw.strip()
        if stripped or raw:
            cells.append((stripped, match.start() + (len(raw) - len(raw.lstrip()))))
    return cells


def _table_segments(
    number: int, line: str, cells: list[tuple[str, int]], header: list[str], sub: str
) -> Iterator[tuple[int, str, Segment]]:
    if not cells:
        return
    label = cells[0][0]
    if vocab.SKIP_CLAUSE.search(label):
        return
    for position, (text, column) in enumerate(cells):
        if not text or vocab.SKIP_CLAUSE.search(text):
            continue
        column_name = header[position] if position < len(header) else ""
        if position == 0:
            yield number, line, Segment(text, 0, column, f"{column_name} {sub}")
            continue
        prefix = f"{label}: "
        yield number, line, Segment(prefix + text, len(prefix), column, f"{column_name} {sub}")


def clauses(line: str) -> list[tuple[str, int]]:
    """Splits a line at ``;`` and sentence ends, keeping each clause's position."""
    pieces = []
    start = 0
    for match in re.finditer(r";\s+|(?<=[\w)\]])\.\s+(?=[A-Z])", line):
        pieces.append((line[start : match.start()], start))
        start = match.end()
    pieces.append((line[start:], start))
    return [(text, pos) for text, pos in pieces if text.strip()]
