"""Whether a vague word is used in the sense its rule means: a quality the product promises.

Some vague words sit where they claim nothing: the text of a link names another page
("[Portable / Standalone Executables](...)"); in "- Unrecoverable error: An error that cannot
reasonably be ..." a term is being defined; "as accurate as your inputs" measures a quality
against a named standard. None of them is a promise that needs a number.

The sense is read from the structure around the words, never from the sentence's words, so
it holds without the language pipeline too:

* link text;
* a definition: the defining clause of a glossary entry "Term: A(n) noun that ...", beside
  another such entry;
* an equative with its standard: "as accurate as your inputs", "as fast as the current
  app" measure the quality against a named baseline, as "faster than the current app"
  does ("as fast as possible" is the unbounded-optimisation rule's).

Terms of art ("portable application") are :class:`claims.Terms`; labels (bold lead-ins, row
labels, header cells) are read by the commitment gate.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prd_assistant.review.markdown_scan import Scan

# "as accurate as your inputs": the standard after the second "as" (not "as possible").
_EQUATIVE_BEFORE = re.compile(r"\bas[ \t]+$")
_EQUATIVE_AFTER = re.compile(
    r"[ \t]+as[ \t]+(?!(?:possible|practical|practicable|feasible|needed|necessary|required"
    r"|reasonabl[ey]|we can|can be|appropriate|expected)\b)[a-z]"
)
_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\(")
_LINK_WINDOW = 320
# "Unrecoverable error: An error that ...": a term, a colon, then an indefinite noun phrase
# with a relative clause.
_DEFINITION = re.compile(
    r"(?:\*\*|__)?[A-Z][\w'/ -]{0,48}?(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]+(?:an?|one)[ \t]"
    r"[^.:;\n]{0,80}?\b(?:that|which|who|whose|where|in which|used)\b",
    re.IGNORECASE,
)


class Senses:
    """Reads the sense of vague words in one document; build one per review."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan

    def is_term(self, start: int, end: int) -> bool:
        """True when the words at ``start``..``end`` sit in link text, a definition or an
        equative with its standard rather than claiming a quality."""
        return (
            self._in_link_text(start, end)
            or self._in_definition(start)
            or self._equative(start, end)
        )

    def _in_link_text(self, start: int, end: int) -> bool:
        text = self.scan.text
        line_start, line_end = self.scan.line_span(start)
        low, high = max(line_start, start - _LINK_WINDOW), min(line_end, end + _LINK_WINDOW)
        return any(m.start(1) <= start and end <= m.end(1) for m in _LINK.finditer(text, low, high))

    def _in_definition(self, start: int) -> bool:
        """True inside the defining clause of a glossary entry ("Unrecoverable error: An
        error that cannot reasonably be ..."), in a run of two entries or more. A single
        "Search: A fast search that ..." describes a feature, and so does the part before the
        relative clause ("A fast search"), which stay claims."""
        entry = self._definition(start)
        if entry is None or start < entry[1]:
            return False
        starts = self.scan.line_starts
        line = bisect_right(starts, start) - 1
        # The last character of the line before and of the line after lies in their block.
        neighbours = [starts[n] - 2 for n in (line, line + 2) if 0 < n < len(starts)]
        return any(self._definition(offset) is not None for offset in neighbours)

    def _definition(self, offset: int) -> tuple[int, int] | None:
        """The span of the glossary entry holding ``offset`` and the end of its relative
        marker ("that", "which"), or None."""
        block = self.scan.block_at(offset)
        if block is None or block.kind not in ("list_item", "paragraph"):
            return None
        entry = _DEFINITION.match(self.scan.text, block.start, block.end)
        return None if entry is None else (block.start, entry.end())

    def _equative(self, start: int, end: int) -> bool:
        masked = self.scan.scan
        return (
            _EQUATIVE_BEFORE.search(masked, max(0, start - 8), start) is not None
            and _EQUATIVE_AFTER.match(masked, end) is not None
        )
