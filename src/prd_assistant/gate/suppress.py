"""Inline suppressions: ``<!-- prd-review: disable=RULE[,RULE] -->`` comments in the PRD.

* ``<!-- prd-review: disable=vague-speed -->`` hides that rule's findings in the next block
  (the paragraph, list, table or heading that follows the comment); ``disable`` alone hides
  every rule there.
* ``<!-- prd-review: disable-file=placeholder,tbd -->`` hides them in the whole file;
  ``disable-file`` alone hides every rule.

A suppression that hides nothing (the text was fixed, or it names a rule that does not
exist) is reported as ``unused-suppression``, so stale ones do not pile up. Comments inside
code blocks are examples, not suppressions. Blocks come from the one document model
(:mod:`prd_assistant.markdown_doc`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from prd_assistant.markdown_doc import MarkdownDoc, parse_markdown
from prd_assistant.review.findings import SUPPRESSION, Finding

UNUSED_SUPPRESSION = "unused-suppression"

_DIRECTIVE = re.compile(r"<!--\s*prd-review\s*:(?P<body>.*?)-->", re.DOTALL | re.IGNORECASE)
_BODY = re.compile(
    r"\s*(?P<scope>disable-file|disable)\s*(?:=\s*(?P<rules>[\w.-]+(?:\s*,\s*[\w.-]+)*))?\s*",
    re.IGNORECASE,
)
_TEXTS = {
    "unused": (
        "This suppression hides no finding: the text it covered was fixed or moved.",
        "Is this suppression still needed?",
        "Delete the comment, or move it right above the block it should cover.",
    ),
    "unknown": (
        "This suppression names a rule that does not exist: {rules}.",
        "Which rule did you mean? `prd rules` lists them all.",
        "Use an id from `prd rules`, e.g. <!-- prd-review: disable=vague-speed -->.",
    ),
    "malformed": (
        "This prd-review comment is not understood, so it suppresses nothing.",
        "Which rules should it disable, and where?",
        "Write <!-- prd-review: disable=RULE[,RULE] --> above a block, or "
        "<!-- prd-review: disable-file=RULE --> anywhere.",
    ),
}


class Located(Protocol):
    """Anything with a rule id and an offset: review findings, contradictions, gaps."""

    @property
    def rule(self) -> str: ...

    @property
    def start(self) -> int: ...


T = TypeVar("T", bound=Located)


@dataclass(frozen=True)
class Suppression:
    """One ``prd-review`` comment.

    Attributes:
        start: Offset of ``<!--``.
        end: Offset just past ``-->``.
        file_wide: ``disable-file`` (whole file) rather than ``disable`` (next block).
        rules: Rule ids it disables; empty means every rule.
        span: Offsets of the block it covers (the whole text when ``file_wide``); ``None``
            when no block follows it.
        malformed: The comment could not be read.
        section: The ``##`` heading above it, as review findings name sections.
    """

    start: int
    end: int
    file_wide: bool
    rules: frozenset[str]
    span: tuple[int, int] | None
    malformed: bool = False
    section: str = ""

    def covers(self, rule: str, offset: int) -> bool:
        """True when this suppression hides a finding of ``rule`` at ``offset``."""
        if self.malformed or self.span is None:
            return False
        if self.rules and rule not in self.rules:
            return False
        return self.span[0] <= offset < self.span[1]


def parse_suppressions(markdown_text: str) -> list[Suppression]:
    """Every ``prd-review`` comment outside code, with the span of text it covers."""
    if "prd-review" not in markdown_text.lower():
        return []
    doc = parse_markdown(markdown_text)
    found: list[Suppression] = []
    for m in _DIRECTIVE.finditer(markdown_text):
        block = doc.block_at(m.start())
        if block is None or block.kind == "code":
            continue  # an example in a code block, or inside front matter
        heading = doc.enclosing(m.start(), 2)
        section = heading.title if heading else ""
        body = _BODY.fullmatch(m.group("body"))
        if body is None:
            found.append(Suppression(m.start(), m.end(), False, frozenset(), None, True, section))
            continue
        rules = frozenset(
            r.strip().lower() for r in (body.group("rules") or "").split(",") if r.strip()
        )
        file_wide = body.group("scope").lower() == "disable-file"
        if file_wide:
            span: tuple[int, int] | None = (0, len(markdown_text))
        elif block.kind == "html":
            span = _next_block(doc, m.end())
        else:
            span = None  # inside a paragraph: there is no "next block" to point at
        found.append(Suppression(m.start(), m.end(), file_wide, rules, span, False, section))
    return found


def _next_block(doc: MarkdownDoc, offset: int) -> tuple[int, int] | None:
    """The span of the block after ``offset``: a paragraph, heading or code block, a whole
    table, or a whole list (stacked suppression comments are skipped)."""
    block = doc.next_block(offset)
    while block is not None and block.kind == "html" and _DIRECTIVE.search(doc.content(block)):
        block = doc.next_block(block.end + 1)
    if block is None:
        return None
    if block.kind == "table_cell":
        cells = [b for b in doc.blocks if b.table == block.table]
        return cells[0].start, cells[-1].end
    end = block.end
    if block.kind == "list_item":
        index = doc.blocks.index(block)
        for following in doc.blocks[index + 1 :]:
            if following.kind != "list_item" or following.list_depth < block.list_depth:
                break
            end = following.end
    return block.start, end


def apply_suppressions(
    markdown_text: str,
    findings: Iterable[T],
    known_rules: Callable[[str], bool] | None = None,
) -> tuple[list[T], list[Finding]]:
    """Drops suppressed findings and reports suppressions that hide nothing.

    Args:
        markdown_text: The reviewed text (the findings' offsets point into it).
        findings: Findings of any kind that have ``rule`` and ``start``.
        known_rules: Tells whether a rule id exists; unknown ids are reported. ``None``
            accepts every id.

    Returns:
        The findings no suppression covers, in their order, and ``unused-suppression``
        findings for comments that hid nothing, named unknown rules or could not be read.
    """
    items = list(findings)
    suppressions = parse_suppressions(markdown_text)
    if not suppressions:
        return items, []
    used = [False] * len(suppressions)
    kept: list[T] = []
    for item in items:
        hit = [i for i, s in enumerate(suppressions) if s.covers(item.rule, item.start)]
        for i in hit:
            used[i] = True
        if not hit:
            kept.append(item)
    reports: list[Finding] = []
    for suppression, was_used in zip(suppressions, used, strict=True):
        unknown = sorted(r for r in suppression.rules if known_rules and not known_rules(r))
        if suppression.malformed:
            reports.append(_report(markdown_text, suppression, "malformed"))
        elif unknown:
            reports.append(_report(markdown_text, suppression, "unknown", ", ".join(unknown)))
        elif not was_used:
            reports.append(_report(markdown_text, suppression, "unused"))
    return kept, reports


def _report(text: str, suppression: Suppression, kind: str, rules: str = "") -> Finding:
    message, question, suggestion = _TEXTS[kind]
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    line = bisect_right(starts, suppression.start)
    match = text[suppression.start : suppression.end]
    return Finding(
        rule=UNUSED_SUPPRESSION,
        category=SUPPRESSION,
        severity="warning",
        line=line,
        column=suppression.start - starts[line - 1] + 1,
        start=suppression.start,
        end=suppression.end,
        section=suppression.section,
        match=match,
        sentence=match,
        message=message.replace("{rules}", rules),
        question=question,
        suggestion=suggestion,
    )
