"""Markdown text -> what the review rules may look at, with positions intact.

The rules run regular expressions over :attr:`Scan.scan`, a copy of the text that has exactly
the same length, so every offset found there is an offset into the original text. In it:

* letters are NFKC-normalised and lower-cased one character at a time (a character whose
  normal form is longer than one character, such as a ligature, is kept as it is) and curly
  quotes become straight ones, so matching is case- and Unicode-insensitive;
* fenced code blocks, inline code, HTML comments, URLs, link targets and YAML front matter are
  blanked with spaces (newlines kept), so nothing in them can be flagged.

The scan also records the line starts, the ``##`` section of every offset (and whether it is
an Open Questions or FAQ section), heading lines, quotations and sentence boundaries.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from prd_assistant.template import normalize_title

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])(?:[ \t]|$)")
_TABLE_ROW = re.compile(r"^[ \t]*\|")
_QUOTE_LINE = re.compile(r"^[ \t]{0,3}>")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)[^`\n](?:.*?[^`])??\1(?!`)")
# Patterns begin with a literal character where they can, so the regex engine skips ahead fast.
_URL = re.compile(
    r"<(?:https?|ftp|mailto):[^>\s]*>"
    r"|(?:https?|ftp)://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]"
    r"|www\.[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]"
    r"|\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)"
)
_LINK_DEFINITION = re.compile(r"[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+")
# Runs on the normalised text, where curly quotes are already straight.
_QUOTATION = re.compile(r"\"[^\"\n]{1,400}\"|'(?<![\w']')[^'\n]{1,400}'(?![\w'])")
# Sentence ends: ". A", a table cell border, a line break after a full stop, or a line break
# not followed by a lower-case letter (hard-wrapped prose continues in lower case; list-like
# lines do not, and "low.\np99 latency ..." is two lines, not one sentence).
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?])[\"”’')\]*_]*[ \t]+(?=[\"“‘'(\[*_]*[A-Z0-9])|[ \t]*\|[ \t]*"
    r"|(?<=[.!?])[ \t]*\r?\n[ \t]*|[ \t]*\r?\n[ \t]*(?![a-z])"
)
_OPEN_QUESTIONS_TITLE = re.compile(
    r"\b(?:open|outstanding|unresolved|pending)\s+(?:questions?|issues?|items?|decisions?|points?)\b"
    r"|^questions?$|^parking lot$"
)
_FAQ_TITLE = re.compile(r"\bfaqs?\b|frequently asked|\bquestions? (?:and )?answers?\b|^q a$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_QUOTE_MAP = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


@dataclass(frozen=True)
class Area:
    """Where a heading starts: its ``##`` section and what kind of area follows it."""

    start: int
    section: str
    open_questions: bool
    faq: bool


@dataclass
class Scan:
    """The text prepared for the rules; build it with :func:`scan_markdown`."""

    text: str
    scan: str
    line_starts: list[int]
    areas: list[Area]
    headings: list[tuple[int, int]]
    quotes: list[tuple[int, int]]
    sentence_starts: list[int] = field(default_factory=list)
    sentence_ends: list[int] = field(default_factory=list)
    area_starts: list[int] = field(default_factory=list)
    sentence_blocks: list[int] = field(default_factory=list)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``."""
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def line_span(self, offset: int) -> tuple[int, int]:
        """Start and end (without the newline) of the line holding ``offset``."""
        index = bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[index]
        end = (
            self.line_starts[index + 1] - 1 if index + 1 < len(self.line_starts) else len(self.text)
        )
        return start, end

    def area(self, offset: int) -> Area:
        """The section area holding ``offset``."""
        return self.areas[bisect_right(self.area_starts, offset) - 1]

    def in_heading(self, offset: int) -> bool:
        """True when ``offset`` is on a heading line."""
        return _inside(self.headings, offset)

    def in_quote(self, start: int, end: int) -> bool:
        """True when ``start``..``end`` lies inside a quotation or a blockquote line."""
        index = bisect_right(self.quotes, (start, len(self.text) + 1)) - 1
        return index >= 0 and self.quotes[index][0] <= start and end <= self.quotes[index][1]

    def next_sentence(self, offset: int) -> tuple[int, int] | None:
        """The next sentence in the same paragraph, list item or table row, else None."""
        index = bisect_right(self.sentence_starts, offset) - 1
        if index < 0 or index + 1 >= len(self.sentence_starts):
            return None
        if self.sentence_blocks[index + 1] != self.sentence_blocks[index]:
            return None
        return self.sentence_starts[index + 1], self.sentence_ends[index + 1]

    def sentence(self, offset: int) -> tuple[int, int]:
        """Start and end of the sentence, list item or table cell holding ``offset``."""
        index = bisect_right(self.sentence_starts, offset) - 1
        if index < 0 or offset >= self.sentence_ends[index]:
            return self.line_span(offset)
        return self.sentence_starts[index], self.sentence_ends[index]


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    index = bisect_right(spans, (offset, 1 << 62)) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def normalize_chars(text: str) -> str:
    """Same-length, NFKC-normalised, lower-cased copy of ``text`` with straight quotes."""
    lowered = text.lower()
    if text.isascii():
        return lowered
    cache: dict[str, str] = {}

    def one(char: str) -> str:
        mapped = cache.get(char)
        if mapped is None:
            mapped = unicodedata.normalize("NFKC", char).lower().translate(_QUOTE_MAP)
            if len(mapped) != 1:
                lowered_char = char.lower()
                mapped = lowered_char if len(lowered_char) == 1 else char
            cache[char] = mapped
        return mapped

    if len(lowered) != len(text):
        # A character lower-cases to two (e.g. "İ"): map one character at a time.
        return "".join(one(char) for char in text)
    return _NON_ASCII.sub(lambda m: "".join(one(c) for c in m.group()), lowered)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """Replaces every character but newlines in ``spans`` with a space."""
    if not spans:
        return text
    pieces = []
    last = 0
    for start, end in sorted(spans):
        if end <= last:
            continue
        start = max(start, last)
        pieces.append(text[last:start])
        chunk = text[start:end]
        pieces.append("\n".join(" " * len(part) for part in chunk.split("\n")))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def scan_markdown(text: str) -> Scan:
    """Splits ``text`` into what the rules may review; see the module docstring."""
    lines = text.split("\n")
    line_starts: list[int] = []
    offset = 0
    for line in lines:
        line_starts.append(offset)
        offset += len(line) + 1

    skipped: list[tuple[int, int]] = []
    headings: list[tuple[int, int]] = []
    quotes: list[tuple[int, int]] = []
    areas = [Area(0, "", False, False)]
    block_starts: list[int] = []
    block_ends: list[int] = []
    fence: str | None = None
    fence_start = 0
    section, h2_oq, sub_oq, h2_faq, sub_faq = "", False, False, False, False
    block_open = False
    first = 0
    if lines and lines[0].strip() == "---":
        # YAML front matter holds metadata, not requirements.
        for index in range(1, min(len(lines), 200)):
            if lines[index].strip() in {"---", "..."}:
                skipped.append((0, line_starts[index] + len(lines[index])))
                first = index + 1
                break

    def close_block(end: int) -> None:
        nonlocal block_open
        if block_open:
            block_ends.append(end)
            block_open = False

    for index in range(first, len(lines)):
        line = lines[index]
        start = line_starts[index]
        end = start + len(line)
        fence_match = _FENCE.match(line)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                skipped.append((fence_start, end))
                fence = None
            continue
        if fence_match:
            close_block(start)
            fence, fence_start = fence_match.group(1), start
            continue
        stripped = line.strip()
        if not stripped:
            close_block(start)
            continue
        heading = _HEADING.match(line)
        if heading:
            close_block(start)
            level, title = len(heading.group(1)), heading.group(2)
            normalized = normalize_title(title)
            is_oq = bool(_OPEN_QUESTIONS_TITLE.search(normalized))
            is_faq = bool(_FAQ_TITLE.search(normalized))
            if level <= 2:
                section = title if level == 2 else ""
                h2_oq, h2_faq, sub_oq, sub_faq = is_oq, is_faq, False, False
            else:
                sub_oq, sub_faq = is_oq, is_faq
            headings.append((start, end))
            areas.append(Area(start, section, h2_oq or sub_oq, h2_faq or sub_faq))
            block_starts.append(start)
            block_ends.append(end)
            continue
        if line[:1] in " [" and _LINK_DEFINITION.match(line):
            skipped.append((start, end))
            continue
        if _QUOTE_LINE.match(line):
            quotes.append((start, end))
        if _LIST_ITEM.match(line) or _TABLE_ROW.match(line) or not block_open:
            close_block(start)
            block_starts.append(start)
            block_open = True
    close_block(len(text))
    if fence is not None:
        skipped.append((fence_start, len(text)))

    normalized = normalize_chars(text)
    masked = _blank(normalized, skipped)
    extra = [m.span() for m in _HTML_COMMENT.finditer(masked)]
    masked = _blank(masked, extra)
    extra = [m.span() for m in _INLINE_CODE.finditer(masked)]
    extra += [m.span() for m in _URL.finditer(masked)]
    masked = _blank(masked, extra)
    quotes.extend(m.span() for m in _QUOTATION.finditer(masked))
    quotes.sort()

    sentence_starts: list[int] = []
    sentence_ends: list[int] = []
    sentence_blocks: list[int] = []
    for block, (block_start, block_end) in enumerate(zip(block_starts, block_ends, strict=True)):
        position = block_start
        for brk in _SENTENCE_BREAK.finditer(text, block_start, block_end):
            before = brk.start() - 1
            if text[before] in ".!?" and masked[before] == " ":
                continue  # a "." or "?" inside a URL or code span ends no sentence
            if brk.start() > position:
                sentence_starts.append(position)
                sentence_ends.append(brk.start())
                sentence_blocks.append(block)
            position = brk.end()
        if block_end > position:
            sentence_starts.append(position)
            sentence_ends.append(block_end)
            sentence_blocks.append(block)

    return Scan(
        text=text,
        scan=masked,
        line_starts=line_starts,
        areas=areas,
        headings=headings,
        quotes=_merge(quotes),
        sentence_starts=sentence_starts,
        sentence_ends=sentence_ends,
        area_starts=[area.start for area in areas],
        sentence_blocks=sentence_blocks,
    )


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
