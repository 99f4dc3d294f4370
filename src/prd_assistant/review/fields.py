"""Text that names or classifies an item instead of claiming something about the product.

A PRD holds fields as well as claims: the metadata of the document or the work item
("Request Type: New Feature (large, cross-cutting)", "**Complexity:** Medium | **Impact:**
High", "Status: Draft") and table columns that name or rate their row (a Topic, Focus or Use
case column; a Priority or Effort column). A value in such a field says what kind of item
this is, how big or how urgent; nobody tests the product against it, so its vague words
("large", "real-time transport", "Quick sharing") are not claims.

Which text is a field comes from the document model, never from the vague word: the key of a
"Key: value" line or list item, the header of a table cell's column, or the row label of a
key/value table. The field names are the ones trackers and PRD templates use, in two kinds:
facts about the work (type, status, priority, owner, effort, complexity, estimate, impact
...), whose value is a short term ("Complex", "New Feature", "High") that an explanation in
parentheses or after a dash may follow; and headers that name, define or illustrate a row
(name, title, topic, theme, focus, category, use case, definition, examples ...). A column
headed by the opening of a purpose ("So that I can…", "In order to") completes each row's
purpose, which says why, not what. "Impact: users will see faster pages" states a value as
a sentence, and description, requirement, acceptance, target or notes columns are not
fields: they can still claim.

A field of the document's header left empty ("- Issue:" with nothing after it, "GitHub
Issue: () GitHub PR ()") is the opposite case: a value the template asks for was never
given, so it is an open question (:func:`empty_fields`). "N/A" is an answer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from prd_assistant.review.lexicon import word_set
from prd_assistant.template import normalize_title

if TYPE_CHECKING:
    from prd_assistant.markdown_doc import Block
    from prd_assistant.review.markdown_scan import Scan


# The last word of a field's name: what the field records about the work item or the
# document. "Request Type", "Complexity Estimate", "Risk level", "Story points".
_WORK_FIELDS = word_set(
    """type status priority priorities owner owners author authors assignee assignees
    reviewer reviewers approver approvers effort complexity impact severity likelihood
    probability confidence estimate estimates size tier stage phase version date created
    updated sprint milestone epic label labels tag tags points score rating moscow risk
    release quarter deadline eta"""
)
# Column headers that name, group, define or illustrate the row rather than require anything
# of it: a glossary's Definition, an Examples column of sample inputs.
_NAMING_FIELDS = word_set(
    "name title topic theme focus category categories kind definition meaning example examples"
)
_NAMING_PHRASES = ("use case", "use cases", "focus area", "focus areas")
_QUESTION_WORDS = word_set("why how what when who which where whether")
# A header that opens the purpose each cell completes: "So that I can…", "In order to". (A
# Rationale column is not one: the effect it claims for the product is a claim.)
_PURPOSE_HEADER = re.compile(r"(?:so that|so as to|in order to)\b")
# A field's name is short: "Complexity Estimate", not a sentence ending in a colon.
_KEY_WORDS = 4
# "- **Request Type**: ...", "**Status:** Draft", "Priority: High", "Owner (PM): ...": a key
# opening its line or list item, bold or not, then a colon.
_KEY_LINE = re.compile(
    r"^[ \t]*(?:>[ \t]*)*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:\*\*|__)?"
    r"(?P<key>[A-Za-z][A-Za-z /&-]{0,40})(?:\([^()\n]{1,30}\))?(?:\*\*|__)?[ \t]*:",
    re.MULTILINE,
)


# Where a field's value ends and its explanation starts: "Complex (real-time transport,
# ...)", "Multiple components — backend ...", "High; needs ...".
_EXPLANATION = re.compile(r"[(;:,.]|\s[-\u2013\u2014]\s")
# Words that make a value a sentence: modals and forms of "be".
_VERBS = word_set("must shall should will can may might need needs is are be was were")
# Words a value may have before its explanation.
_VALUE_WORDS = 4


def field_kind(name: str) -> str | None:
    """``"work"`` for a short name of a fact about the work item ("Request Type", "Effort",
    "Status"), ``"naming"`` for a header that names the row ("Topic", "Focus Areas", "Use
    case"), ``"purpose"`` for one that opens its purpose ("So that I can…"), None for
    anything else (a requirement, a description, a sentence)."""
    key = normalize_title(name)
    words = key.split()
    if not words or len(words) > _KEY_WORDS or words[0] in _QUESTION_WORDS:
        return None  # "Why this priority:" gives a reason, not a field
    if key.endswith(_NAMING_PHRASES) or words[-1] in _NAMING_FIELDS:
        return "naming"
    if _PURPOSE_HEADER.match(key):
        return "purpose"
    if words[-1] == "level" and len(words) > 1:
        words = words[:-1]  # "Risk level", "Confidence level"; not "Service level"
    return "work" if words[-1] in _WORK_FIELDS else None


def is_value(text: str) -> bool:
    """True for a field's value: a short term, whatever explanation follows it ("Large
    (new cache, many call sites)"); "must be stable" is a short sentence, not a term."""
    head = _EXPLANATION.split(text.strip(" \t*_`"), maxsplit=1)[0].casefold().split()
    return 0 < len(head) <= _VALUE_WORDS and not _VERBS.intersection(head)


def field_spans(scan: Scan) -> list[tuple[int, int]]:
    """Spans of the values of fields: "Key: value" lines (a whole list item when the key
    opens it) and table cells of a naming or rating column or of a key/value row."""
    spans = []
    for m in _KEY_LINE.finditer(scan.scan):
        if field_kind(m.group("key")) not in ("work", "naming") or scan.in_heading(m.start("key")):
            continue
        start, end = scan.line_span(m.start("key"))
        if not is_value(scan.scan[m.end() : end]):
            continue
        block = scan.block_at(m.start("key"))
        if block is not None and block.kind == "list_item" and block.start <= m.start("key"):
            end = max(end, block.end)
        spans.append((start, end))
    doc = scan.doc
    for block in doc.blocks if doc is not None else ():
        if block.kind == "table_cell" and _classifying_cell(
            block, scan.scan[block.start : block.end]
        ):
            spans.append((block.start, block.end))
    return sorted(spans)


def _classifying_cell(cell: Block, cell_text: str) -> bool:
    """A body cell under a field's header ("| Q2 | Real-time transport |" under Topic), or
    the value beside a field's name in a key/value table ("| Effort | Large |")."""
    if cell.row < 1:
        return False
    kind = field_kind(cell.header)
    if kind is None and cell.column >= 1:
        kind = field_kind(cell.row_label)
    return kind in ("naming", "purpose") or (kind == "work" and is_value(cell_text))


# An empty slot after a field's name: "GitHub Issue: () GitHub PR ()", "Design: []".
_EMPTY_SLOT = re.compile(r"(?<![\w)\]])(?:\(\s*\)|\[\s*\](?:\(\s*\))?)(?![\w(\[])")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
# Lines of the header read for fields: the title block is short.
_HEADER_LINES = 40


def empty_fields(scan: Scan) -> list[tuple[int, int]]:
    """Unfilled fields of the document's header: the text before its first section heading
    below the title, when it holds "Key: value" lines and at least one of them is filled.

    A key with nothing after it (the span of "Issue:") counts unless the lines below fill it
    (a nested list, a paragraph that continues the item); an empty slot "()" or "[]" after a
    key counts on its own (its span). A header with no filled field is not a field list:
    "**Expanded Vision:**" heads the text below it.
    """
    doc = scan.doc
    if doc is None:
        return []
    below_title = [section.start for section in doc.sections if section.level >= 2]
    end = below_title[0] if below_title else len(scan.text)
    if len(doc.line_starts) > _HEADER_LINES:
        end = min(end, doc.line_starts[_HEADER_LINES])
    masked = scan.scan
    empty: list[tuple[int, int]] = []
    filled = 0
    for m in _KEY_LINE.finditer(masked, 0, end):
        if scan.in_heading(m.start("key")):
            continue
        line_end = scan.line_span(m.start("key"))[1]
        # Read in the text as written: a value in code or a URL is blank in the scan.
        value = _COMMENT.sub("", scan.text[m.end() : line_end])
        slots = [slot.span() for slot in _EMPTY_SLOT.finditer(masked, m.end(), line_end)]
        if value.strip(" \t*_"):
            filled += 1
            empty += slots
        elif not _filled_below(scan, m.start("key")):
            empty.append((m.start("key"), m.end()))
    return sorted(empty) if filled else []


def _filled_below(scan: Scan, offset: int) -> bool:
    """True when the block after the field's line gives its value: a nested list or a
    continuation of the same list item."""
    doc = scan.doc
    block = scan.block_at(offset)
    if doc is None or block is None:
        return False
    following = doc.next_block(block.end + 1)
    if following is None or following.line > block.end_line + 2:
        return False
    if block.kind == "list_item":
        return following.item != block.item and following.list_depth > block.list_depth
    return following.kind == "list_item" or following.item == block.item
