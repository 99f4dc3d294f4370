"""A parsed PRD -> what the review rules may look at, with positions intact.

The structure comes from the one document model (:mod:`prd_assistant.markdown_doc`); this
module only prepares it for regular expressions. The rules run over :attr:`Scan.scan`, a copy
of the text that has exactly the same length, so every offset found there is an offset into
the original text. In it:

* letters are NFKC-normalised and lower-cased one character at a time (a character whose
  normal form is longer than one character, such as a ligature, is kept as it is) and curly
  quotes become straight ones, so matching is case- and Unicode-insensitive;
* code blocks, inline code, HTML comments, URLs, link reference definitions and YAML front
  matter are blanked with spaces (line ends kept), so nothing in them can be flagged; so are
  HTML tags, character references, struck-through text and host names written without a
  scheme (:mod:`~prd_assistant.review.markup`: text between tags is still read);
* a character reference to a space or a punctuation mark reads as that character, followed by
  spaces to the reference's end (``&rsquo;`` is ``'`` and five spaces). :attr:`Scan.squeezed`
  leaves those spaces out, and reduces a run of typed spaces or tabs between two words to one
  space, so a phrase pattern finds "as&nbsp;needed" and "as  needed" as "as needed" and
  :meth:`Squeezed.span` maps the match back to the text; :meth:`Scan.reading` gives any
  check that reads phrases the same view of a span.

Blockquotes are reviewed like any other text; quotations ("...") are not. :attr:`Scan.hosts`
keeps the blanked host names written in the prose, for the parser to read as names.

The scan also records sentence boundaries (once, so every lookup is a bisect), the heading
path of every offset and whether it lies under an Open Questions or FAQ heading at any level.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from prd_assistant.markdown_doc import Block, MarkdownDoc, parse_markdown
from prd_assistant.review import markup
from prd_assistant.template import FAQ_TITLE, OPEN_QUESTIONS_TITLE, normalize_title

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_BACKTICKS = re.compile(r"`+")
# Patterns begin with a literal character where they can, so the regex engine skips ahead fast.
_URL = re.compile(
    r"<(?:https?|ftp|mailto):[^>\s]*>"
    r"|(?:https?|ftp)://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]"
    r"|www\.[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]"
    r"|\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)"
)
# Runs on the normalised text, where curly quotes are already straight.
_QUOTATION = re.compile(r"\"[^\"\n]{1,400}\"|'(?<![\w']')[^'\n]{1,400}'(?![\w'])")
# A sentence ends at ". A" inside a line; line ends and pipes are handled in code, so no
# pattern here starts with an unbounded run of blanks (80k spaces stay linear). The next one
# may open with a strike ("Who approves? ~~Finance~~ The platform team does."); a "?" inside
# struck text ends nothing (the scan blanks it, see _sentences).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]*_]*[ \t]+(?=[\"“‘'(\[*_~]*[A-Z0-9])|\|")
# What opens a hard-wrapped line before its first letter: blanked inline code, a link's
# bracket, quotes and emphasis (bounded, so a long blank line stays linear).
_LINE_LEAD = re.compile(r"[ \t\[(\"'*_]{0,200}")
# A line that ends on an article, a preposition or a conjunction has not ended its sentence,
# whatever the next line opens with ("We could consider something like / [SketchFab's
# search results](...)", "hosted on / GitHub").
_OPEN_ENDED_LINE = re.compile(
    r"(?<![\w-])(?:a|an|the|of|to|in|on|at|by|for|with|from|into|onto|via|like|as|than|and|or"
    r"|but|nor)$",
    re.IGNORECASE,
)
# "### Open question: Who owns billing?" asks one question; it does not head a list of them.
_SINGLE_QUESTION_TITLE = re.compile(r"^\W*open questions?\W*:\s*\S", re.IGNORECASE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_QUOTE_MAP = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_LONG_SENTENCE = 1_000  # longer "sentences" (a runaway line) are quoted around the match only
_WINDOW = 240


@dataclass(frozen=True)
class Area:
    """Where a heading starts and what kind of area follows it.

    Attributes:
        start: Offset of the heading line (0 for the text before the first heading).
        section: Title of the enclosing ``##`` heading, ``""`` when there is none.
        open_questions: Under an Open Questions (or similar) heading at any level.
        faq: Under an FAQ heading at any level.
        path: Heading titles from the outermost down to this heading (``()`` before the
            first heading), so a rule can ask "under a Motivation heading at any level?".
        level: This heading's level (0 before the first heading).
    """

    start: int
    section: str
    open_questions: bool
    faq: bool
    path: tuple[str, ...] = ()
    level: int = 0

    def under(self, pattern: re.Pattern[str]) -> bool:
        """True when any heading on the path matches ``pattern`` (normalised titles)."""
        return any(pattern.search(normalize_title(title)) for title in self.path)


@dataclass(frozen=True)
class Squeezed:
    """The scan text without the spaces that pad character references out to their length,
    and with each run of typed blanks between two words reduced to one space.

    Attributes:
        text: The scan text, each reference reduced to its reading ("as&nbsp;needed" is "as
            needed") and each typed run of blanks to one space ("as  needed").
        origin: ``origin[i]`` is the scan offset of ``text[i]``; one more entry maps the end.
        ends: Reference start -> reference end, for the references read as a character.
        opens: First letter of a word in emphasis ("_could_") -> start of its opening mark.
        closes: Last letter of a word in emphasis -> end of its closing mark.
    """

    text: str
    origin: list[int]
    ends: dict[int, int]
    opens: dict[int, int] = field(default_factory=dict)
    closes: dict[int, int] = field(default_factory=dict)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The scan (and text) span of ``text[start:end]``; a span that ends with a
        reference's reading ends after the reference ("etc&period;")."""
        if end <= start:
            return self.origin[start], self.origin[start]
        first, last = self.origin[start], self.origin[end - 1]
        # A match that starts or ends with a word in emphasis takes its marks ("We _could_").
        end_at = self.closes.get(last) or self.ends.get(last, last + 1)
        return self.opens.get(first, first), end_at

    def at(self, offset: int) -> int:
        """The offset in :attr:`text` of scan offset ``offset`` (inside a reference's
        padding: the character after its reading)."""
        return bisect_left(self.origin, offset)


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
    doc: MarkdownDoc | None = None
    disclosures: list[markup.Disclosure] = field(default_factory=list)
    squeezed: Squeezed | None = None
    hosts: list[tuple[int, int]] = field(default_factory=list)
    _breaks: dict[tuple[str, int, int, bool], tuple[list[int], list[int]]] = field(
        default_factory=dict, repr=False
    )
    _found: dict[tuple[str, int, int], bool] = field(default_factory=dict, repr=False)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``."""
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def char_end(self, offset: int) -> int:
        """End of the character the scan shows at ``offset``: past the whole reference when
        the character is a reference's reading (the "?" of "&#63;"), else ``offset + 1``."""
        ends = self.squeezed.ends if self.squeezed is not None else {}
        return ends.get(offset, offset + 1)

    def reading(self, start: int, end: int) -> tuple[str, int, int]:
        """The text the rules read ``start``..``end`` in, and the span there: the scan
        with each character reference reduced to its reading (:attr:`squeezed`), so a
        pattern finds "open&nbsp;question" as "open question". Match with
        ``pattern.search(text, a, b)``; :meth:`Squeezed.span` maps a match back."""
        if self.squeezed is None:
            return self.scan, start, end
        return self.squeezed.text, self.squeezed.at(start), self.squeezed.at(end)

    def read(self, start: int, end: int) -> str:
        """``start``..``end`` as the rules read it (see :meth:`reading`): "to be&nbsp;decided"
        is "to be decided"."""
        text, first, last = self.reading(start, end)
        return text[first:last]

    def read_spans(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        """Scan spans of ``pattern``'s matches in the text as read (see :meth:`reading`)."""
        text, _, _ = self.reading(0, 0)
        spans = [m.span() for m in pattern.finditer(text)]
        if self.squeezed is None:
            return spans
        return [self.squeezed.span(a, b) for a, b in spans]

    def line_span(self, offset: int) -> tuple[int, int]:
        """Start and end (before the line end) of the line holding ``offset``."""
        if self.doc is not None:
            return self.doc.line_span(offset)
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
        """True when ``offset`` is on a heading line (setext underline included)."""
        return _inside(self.headings, offset)

    def in_quote(self, start: int, end: int) -> bool:
        """True when ``start``..``end`` lies inside a quotation ("...")."""
        index = bisect_right(self.quotes, (start, len(self.text) + 1)) - 1
        return index >= 0 and self.quotes[index][0] <= start and end <= self.quotes[index][1]

    def block_at(self, offset: int) -> Block | None:
        """The document-model block holding ``offset`` (see :class:`~prd_assistant.markdown_doc.Block`)."""
        return self.doc.block_at(offset) if self.doc is not None else None

    def cell(self, offset: int) -> Block | None:
        """The table cell holding ``offset``, else None."""
        block = self.block_at(offset)
        return block if block is not None and block.kind == "table_cell" else None

    def in_answered_summary(self, offset: int) -> bool:
        """True in the ``<summary>`` of a ``<details>`` element whose body holds text: like
        an FAQ entry, the body answers the summary's question."""
        return any(d.filled and d.summary[0] <= offset < d.summary[1] for d in self.disclosures)

    def in_answer_body(self, offset: int) -> bool:
        """True in the body of a ``<details>`` element whose ``<summary>`` asks a question:
        the body is the answer, not more questions."""
        return any(
            d.body[0] <= offset < d.body[1] and "?" in self.scan[d.summary[0] : d.summary[1]]
            for d in self.disclosures
        )

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

    def sentence_text(self, start: int, end: int) -> str:
        """The sentence around ``start``..``end``, verbatim and stripped, for a finding.

        A runaway sentence (a long line with no full stop) is quoted only around the match,
        so a thousand findings on one line do not each copy the whole line.
        """
        s_start, s_end = self.sentence(start)
        s_start, s_end = min(s_start, start), max(s_end, end)
        if s_end - s_start > _LONG_SENTENCE:
            s_start = max(s_start, start - _WINDOW)
            s_end = min(s_end, end + _WINDOW)
        return self.text[s_start:s_end].strip()

    def marks_in_sentence(
        self, pattern: re.Pattern[str], offset: int
    ) -> tuple[list[int], list[int]]:
        """Starts and ends (both sorted) of ``pattern``'s matches in the scan text of the
        sentence holding ``offset``; found once per sentence and pattern, so a rule that
        asks for every match on a long sentence stays linear (bisect the lists)."""
        return self._marks(pattern, self.sentence(offset))

    def marks_in_line(self, pattern: re.Pattern[str], offset: int) -> tuple[list[int], list[int]]:
        """The same for the line holding ``offset``."""
        return self._marks(pattern, self.line_span(offset))

    def marks_in_block(self, pattern: re.Pattern[str], block: Block) -> tuple[list[int], list[int]]:
        """The same for a block, matched in the original text: for patterns whose case
        matters (the capitalised keywords of a scenario)."""
        return self._marks(pattern, (block.start, block.end), original=True)

    def _marks(
        self, pattern: re.Pattern[str], span: tuple[int, int], *, original: bool = False
    ) -> tuple[list[int], list[int]]:
        key = (pattern.pattern, *span, original)
        found = self._breaks.get(key)
        if found is None:
            matches = list(pattern.finditer(self.text if original else self.scan, *span))
            found = ([m.start() for m in matches], [m.end() for m in matches])
            self._breaks[key] = found
        return found

    def clause(self, pattern: re.Pattern[str], start: int, end: int) -> tuple[int, int]:
        """The span between the ``pattern`` matches (clause breaks) around ``start``..``end``,
        inside the sentence holding ``start``."""
        s_start, s_end = self.sentence(start)
        starts, ends = self.marks_in_sentence(pattern, start)
        # The last break ending at or before ``start`` opens the clause, the first starting
        # at or after ``end`` closes it.
        before = bisect_right(ends, start) - 1
        c_start = ends[before] if before >= 0 else s_start
        after = bisect_left(starts, end)
        c_end = starts[after] if after < len(starts) else s_end
        return max(c_start, s_start), max(min(c_end, s_end), c_start)

    def search(self, pattern: re.Pattern[str], start: int, end: int) -> bool:
        """``pattern.search(scan, start, end) is not None``, remembered per span."""
        key = (pattern.pattern, start, end)
        found = self._found.get(key)
        if found is None:
            found = pattern.search(self.scan, start, end) is not None
            self._found[key] = found
        return found


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
    """Replaces every character but line ends in ``spans`` with a space."""
    if not spans:
        return text
    pieces = []
    last = 0
    for start, end in sorted(spans):
        if end <= last:
            continue
        start = max(start, last)
        pieces.append(text[last:start])
        pieces.append(re.sub(r"[^\r\n]", " ", text[start:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inline code spans in ``text[start:end]``: a backtick run up to the next run of the
    same length (CommonMark), found in one pass plus a bisect per run."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text, start, end)]
    if len(runs) < 2:
        return []
    by_length: dict[int, list[int]] = {}
    for index, (a, b) in enumerate(runs):
        by_length.setdefault(b - a, []).append(index)
    spans = []
    index = 0
    while index < len(runs):
        a, b = runs[index]
        same = by_length[b - a]
        after = bisect_right(same, index)
        if after < len(same):
            closer = same[after]
            spans.append((a, runs[closer][1]))
            index = closer + 1
        else:
            index += 1
    return spans


def _areas(doc: MarkdownDoc) -> list[Area]:
    areas = [Area(0, "", False, False)]
    for section in doc.sections:
        h2 = doc.enclosing(section.start, 2)
        titles = [normalize_title(title) for title in section.path]
        oq = _open_questions_area(titles, section.path)
        faq = any(FAQ_TITLE.search(title) for title in titles)
        areas.append(
            Area(section.start, h2.title if h2 else "", oq, faq, section.path, section.level)
        )
    return areas


def _open_questions_area(titles: list[str], raw_titles: tuple[str, ...]) -> bool:
    """True when the nearest Open Questions heading on the path covers this section.

    A subsection of "Open Questions & Future Considerations" that is not itself about
    questions ("Future Enhancements") lists plans, not questions; a subsection of a plain
    "Open Questions" heading ("Pricing") still asks.
    """
    for depth in range(len(titles) - 1, -1, -1):
        title = titles[depth]
        found = OPEN_QUESTIONS_TITLE.search(title)
        if found is None or _SINGLE_QUESTION_TITLE.match(raw_titles[depth]):
            continue
        if depth == len(titles) - 1:
            return True
        rest = (title[: found.start()] + title[found.end() :]).split()
        return not [word for word in rest if not word.isdigit() and word not in _JOINERS]
    return False


_JOINERS = {"and", "or", "the", "list", "of", "log", "register", "current", "known"}


def _sentences(
    doc: MarkdownDoc, masked: str, markup_spans: list[tuple[int, int]]
) -> tuple[list[int], list[int], list[int]]:
    """Sentence starts, ends and group ids (a paragraph, list item, heading or table row).

    A sentence starts after the HTML tags and character references that open it
    (``<summary><strong>Who ...``); one that closes a line ("needs.&#x20;") hides no full stop.
    """
    text = doc.text
    tag_end = dict(markup_spans)
    tag_start = {b: a for a, b in markup_spans}
    starts: list[int] = []
    ends: list[int] = []
    groups: list[int] = []
    group = -1
    row_key: tuple[int, int] | None = None

    def emit(a: int, b: int) -> None:
        while a in tag_end:
            a = tag_end[a]
            while a < b and text[a] in " \t":
                a += 1
        while b in tag_start and tag_start[b] >= a:
            b = tag_start[b]
            while b > a and text[b - 1] in " \t":
                b -= 1
        if b > a:
            starts.append(a)
            ends.append(b)
            groups.append(group)

    for block in doc.blocks:
        if block.kind == "code" or not block.lines:
            continue
        key = (block.table, block.row) if block.kind == "table_cell" else None
        if key is None or key != row_key:
            group += 1
        row_key = key
        # A list item's first sentence keeps its bullet, as the PM wrote it.
        position = block.marker_start if block.marker_start >= 0 else block.lines[0][0]
        previous_end = -1
        for line_start, line_end in block.lines:
            if previous_end >= 0:
                stop = previous_end
                while stop in tag_start:
                    stop = tag_start[stop]
                last = text[stop - 1] if stop > 0 else ""
                # Hard-wrapped prose continues in lower case; a full stop or a capital after a
                # line break starts a new sentence. The first letter is read past inline code
                # and link brackets ("`AudioSets` for these cases?" continues).
                lead = _LINE_LEAD.match(masked, line_start, line_end)
                first = text[lead.end() : lead.end() + 1] if lead else ""
                if (last in ".!?" and masked[stop - 1] != " ") or (
                    not first.islower()
                    and not _OPEN_ENDED_LINE.search(text, max(position, stop - 20), stop)
                ):
                    emit(position, previous_end)
                    position = line_start
            for brk in _SENTENCE_END.finditer(text, line_start, line_end):
                a, b = brk.span()
                if text[a] == "|":
                    while a > position and text[a - 1] in " \t":
                        a -= 1
                    while b < line_end and text[b] in " \t":
                        b += 1
                elif masked[a - 1] == " ":
                    continue  # a "." or "?" inside a URL or code span ends no sentence
                emit(position, a)
                position = max(position, b)
            previous_end = line_end
        emit(position, previous_end)
    return starts, ends, groups


def scan_markdown(text: str, doc: MarkdownDoc | None = None) -> Scan:
    """Prepares ``text`` for the rules; see the module docstring.

    Args:
        text: The PRD as Markdown.
        doc: Its parsed model, when the caller already has it (parsed from ``text``).
    """
    doc = doc if doc is not None else parse_markdown(text)
    skipped: list[tuple[int, int]] = list(doc.unparsed)
    if doc.front_matter:
        skipped.append(doc.front_matter)
    headings: list[tuple[int, int]] = []
    for block in doc.blocks:
        if block.kind == "code":
            skipped.append((block.start, block.end))
        elif block.kind == "heading":
            headings.append((doc.line_starts[block.line - 1], doc.line_ends[block.end_line - 1]))

    normalized = normalize_chars(text)
    masked = _blank(normalized, skipped)
    masked = _blank(masked, [m.span() for m in _HTML_COMMENT.finditer(masked)])
    extra: list[tuple[int, int]] = []
    for block in doc.blocks:
        if block.kind != "code":
            extra += _code_spans(masked, block.start, block.end)
    extra += [m.span() for m in _URL.finditer(masked)]
    hosts = markup.host_spans(masked)
    masked = _blank(masked, extra + hosts)
    # Markup found where code and URLs are already blank: a "<" or "~~" in code is no markup.
    tags = markup.tag_spans(text, masked)
    references = markup.reference_spans(masked)
    readings = _readings(masked, references)
    # A strike stays inside its block (a list item, a table cell).
    struck = [
        (a, b)
        for a, b in markup.struck_spans(masked)
        if (block := doc.block_at(a)) is not None and b <= block.end
    ]
    masked = _read(masked, references, readings)
    masked = _blank(masked, tags + struck)
    # Markup a sentence does not start or end with: tags, and references that read as nothing
    # or a space ("needs.&#x20;" ends after the full stop).
    inline_markup = tags + [(a, b) for a, b in references if readings.get(a, (b, " "))[1] == " "]
    quotes = _merge(sorted(m.span() for m in _QUOTATION.finditer(masked)))

    ends = {start: end for start, (end, _) in readings.items()}
    # Host names written in the prose, not in code, a URL, a tag or struck text.
    hosts = _outside(hosts, extra + tags + struck) if hosts else []
    areas = _areas(doc)
    sentence_starts, sentence_ends, sentence_blocks = _sentences(doc, masked, inline_markup)
    return Scan(
        text=text,
        scan=masked,
        line_starts=doc.line_starts,
        areas=areas,
        headings=headings,
        quotes=quotes,
        sentence_starts=sentence_starts,
        sentence_ends=sentence_ends,
        area_starts=[area.start for area in areas],
        sentence_blocks=sentence_blocks,
        doc=doc,
        disclosures=markup.disclosures(text, masked, tags) if tags else [],
        squeezed=_squeeze(masked, ends, text),
        hosts=hosts,
    )


def _outside(spans: list[tuple[int, int]], covers: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sorted ``spans`` that overlap none of ``covers``."""
    merged = _merge(sorted(covers))
    starts = [a for a, _ in merged]
    kept = []
    for start, end in sorted(spans):
        index = bisect_right(starts, start) - 1
        if index >= 0 and merged[index][1] > start:
            continue
        if index + 1 < len(merged) and merged[index + 1][0] < end:
            continue
        kept.append((start, end))
    return kept


def _readings(masked: str, references: list[tuple[int, int]]) -> dict[int, tuple[int, str]]:
    """Reference start -> (end, the character it reads as, normalised like the scan), for the
    references to a space or a punctuation mark (:func:`markup.reference_reading`)."""
    found = {}
    for start, end in references:
        char = markup.reference_reading(masked[start:end])
        if char is not None:
            found[start] = (end, normalize_chars(char))
    return found


def _read(
    masked: str, references: list[tuple[int, int]], readings: dict[int, tuple[int, str]]
) -> str:
    """Writes each reference's reading over its first character and blanks the rest; a
    reference with no reading is blanked whole."""
    if not references:
        return masked
    pieces = []
    last = 0
    for start, end in references:
        reading = readings.get(start)
        pieces.append(masked[last:start])
        pieces.append((reading[1] if reading else " ").ljust(end - start))
        last = end
    pieces.append(masked[last:])
    return "".join(pieces)


# Two or more blanks, or a tab, between two characters of one line: "as  needed", "if\tpossible".
_BLANK_RUN = re.compile(r"(?<=\S)(?:[ \t]{2,}|\t)(?=\S)")
# One word in emphasis after a word of its line: "we _could_ consider", "as **needed**.".
_EMPHASIZED_WORD = re.compile(r"(?<=[a-z] )(\*{1,2}|_{1,2})([a-z][a-z'-]*)(\1)(?=[ \t.,;:!?)]|$)")


def _squeeze(masked: str, ends: dict[int, int], text: str | None = None) -> Squeezed | None:
    """The :class:`Squeezed` view of ``masked`` (``ends``: reference start -> end, for the
    references read as a character); None when there is nothing to leave out. With ``text``
    (the original), a run of blanks typed there between two words keeps only its first blank;
    blanks that stand in for code or markup in the scan are kept, so no phrase is made across
    blanked code."""
    # (first offset left out, offset where the text resumes), in order.
    cuts = [(start + 1, end) for start, end in ends.items()]
    # An emphasised word's first and last letter -> where its opening and closing marks are.
    opens: dict[int, int] = {}
    closes: dict[int, int] = {}
    if text is not None:
        for m in _BLANK_RUN.finditer(masked):
            if text[m.start() : m.end()].strip(" \t") == "":
                cuts.append((m.start() + 1, m.end()))
        # "we _could_ consider", "we *may* adopt": emphasis around one word inside a phrase.
        # A match that ends with the word ends after the closing mark ("We _could_").
        for m in _EMPHASIZED_WORD.finditer(masked):
            cuts.append((m.start(1), m.end(1)))
            cuts.append((m.start(3), m.end(3)))
            opens[m.start(2)] = m.start(1)
            closes[m.end(2) - 1] = m.end(3)
    if not cuts:
        return None
    cuts.sort()
    pieces = []
    origin: list[int] = []
    last = 0
    for cut, resume in cuts:
        if cut < last:
            continue  # a run inside a reference's padding: already left out
        pieces.append(masked[last:cut])
        if masked[cut - 1] == "\t":
            pieces[-1] = pieces[-1][:-1] + " "  # a phrase reads a tab typed there as a space
        origin.extend(range(last, cut))
        last = resume
    pieces.append(masked[last:])
    origin.extend(range(last, len(masked) + 1))
    return Squeezed("".join(pieces), origin, ends, opens, closes)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
