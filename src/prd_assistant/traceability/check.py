"""PRD text -> traceability findings: uncovered use cases, MUSTs without testable acceptance
criteria, dangling and duplicate IDs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from prd_assistant.review.findings import Finding
from prd_assistant.traceability import criteria
from prd_assistant.traceability.ids import FUNCTIONAL, USE_CASE
from prd_assistant.traceability.model import Definition, Document, parse
from prd_assistant.traceability.rules import (
    DUPLICATE_ID,
    MISSING_ACCEPTANCE,
    UNDEFINED_ID,
    UNTESTABLE_CRITERION,
    USE_CASE_NOT_COVERED,
    TraceRule,
)

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
_ONLY_AC_IDS = re.compile(r"^(?:[A-Z]{1,5}-?\d+(?:\.\d+)*[ ,;]*)+$")


@dataclass
class _Criterion:
    text: str
    start: int


def check_traceability(markdown_text: str) -> list[Finding]:
    """Traceability gaps in a PRD, as review findings of category ``traceability``.

    * ``use-case-not-covered``: a use case (UC…) no functional requirement (FR…, REQ…) names;
    * ``missing-acceptance-criteria``: a MUST requirement with no acceptance criteria whose
      own statement is not a fit criterion either;
    * ``untestable-acceptance-criterion``: a criterion that is not Given/When/Then, EARS or
      measurable;
    * ``undefined-id``: an ID referenced but defined nowhere;
    * ``duplicate-id``: an ID defined twice.

    Args:
        markdown_text: The PRD as Markdown.

    Returns:
        Findings ordered by position.
    """
    if not markdown_text.strip():
        return []
    doc = parse(markdown_text)
    findings: list[Finding] = []
    first: dict[str, Definition] = {}
    for definition in doc.definitions:
        if definition.key in first:
            earlier = first[definition.key]
            findings.append(
                _finding(
                    doc,
                    DUPLICATE_ID,
                    definition.mention.start,
                    definition.mention.end,
                    id=definition.mention.text,
                    line=str(earlier.line),
                )
            )
        else:
            first[definition.key] = definition
    for reference in doc.references:
        if reference.key not in first:
            findings.append(
                _finding(
                    doc,
                    UNDEFINED_ID,
                    reference.start,
                    reference.end,
                    id=reference.key if reference.in_range else reference.text,
                )
            )
    covered = _covered_use_cases(doc, set(first))
    external = _external_criteria(doc)
    for key, definition in first.items():
        prefix = definition.mention.prefix
        if prefix == USE_CASE and key not in covered:
            findings.append(
                _finding(
                    doc,
                    USE_CASE_NOT_COVERED,
                    definition.mention.start,
                    definition.mention.end,
                    id=definition.mention.text,
                )
            )
        if prefix in FUNCTIONAL:
            findings.extend(_acceptance(doc, definition, external.get(key, [])))
    return sorted(findings, key=lambda f: (f.start, f.end, f.rule))


def _covered_use_cases(doc: Document, defined: set[str]) -> set[str]:
    """Use cases named in one block (row, item, paragraph, definition) with a defined FR."""
    covered: set[str] = set()
    spans = [*doc.blocks, *((d.start, d.end) for d in doc.definitions)]
    for start, end in spans:
        ids = doc.ids_in(start, end)
        if any(m.prefix in FUNCTIONAL and m.key in defined for m in ids):
            covered.update(m.key for m in ids if m.prefix == USE_CASE)
    return covered


def _external_criteria(doc: Document) -> dict[str, list[_Criterion]]:
    """Criteria written under an Acceptance Criteria heading, keyed by the one ID they name."""
    found: dict[str, list[_Criterion]] = {}
    for heading in doc.headings:
        if not _AC_HEADING.search(heading.title):
            continue
        for start, end in doc.blocks:
            if not heading.start <= start < heading.end:
                continue
            ids = {m.key for m in doc.ids_in(start, end) if m.prefix in FUNCTIONAL}
            if len(ids) == 1:
                text = doc.text[start:end]
                found.setdefault(ids.pop(), []).append(_Criterion(text, start))
    return found


def _acceptance(doc: Document, definition: Definition, external: list[_Criterion]) -> list[Finding]:
    statement, priority, found = _split(doc, definition)
    found = found + external
    if not found:
        if criteria.mandatory(statement, priority) and not criteria.states_its_own_test(statement):
            return [
                _finding(
                    doc,
                    MISSING_ACCEPTANCE,
                    definition.mention.start,
                    definition.mention.end,
                    id=definition.mention.text,
                )
            ]
        return []
    cleaned = [(criteria.clean(c.text), c) for c in found]
    scenario = criteria.is_scenario([text for text, _ in cleaned])
    findings = []
    for text, criterion in cleaned:
        if criteria.skipped(text) or _ONLY_AC_IDS.match(text):
            continue
        if not criteria.is_checkable(text, scenario):
            offset = doc.text.find(text, criterion.start)
            start = offset if offset >= 0 else criterion.start
            findings.append(
                _finding(
                    doc,
                    UNTESTABLE_CRITERION,
                    start,
                    start + len(text) if offset >= 0 else criterion.start + len(criterion.text),
                    id=definition.mention.text,
                )
            )
    return findings


def _split(doc: Document, definition: Definition) -> tuple[str, str | None, list[_Criterion]]:
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
            text = body[label.start("rest") : end.start() if end else len(body)]
            cut = re.search(r"\n[ \t]*\n", text)
            text = " ".join((text[: cut.start()] if cut else text).split())
            return statement, None, [_Criterion(text, definition.start + label.start("rest"))]
        return statement, None, _bullets(body, label.end(), definition.start)
    gwt = _GWT_BULLET.search(body, len(body.split("\n", 1)[0]))
    if gwt is not None:
        return body[: gwt.start()], None, _bullets(body, gwt.start(), definition.start)
    return body, None, []


def _bullets(body: str, after: int, base: int) -> list[_Criterion]:
    """Each list item after ``after`` in ``body`` (with its continuation lines)."""
    marks = [m for m in _BULLET.finditer(body) if m.start() >= after]
    found = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        text = body[mark.end() : end].strip()
        if text:
            found.append(_Criterion(" ".join(text.split()), base + mark.end()))
    return found


def _split_row(doc: Document, definition: Definition) -> tuple[str, str | None, list[_Criterion]]:
    cells = definition.cells
    table = definition.table
    if table is None or not table.header:
        return " ".join(cells[1:]), None, []
    ac = table.column(_AC_COLUMN)
    priority_at = table.column(_PRIORITY_COLUMN)
    skip = {0, ac, priority_at, table.column(_ID_COLUMN)}
    statement = " ".join(c for i, c in enumerate(cells) if i not in skip)
    priority = cells[priority_at] if priority_at is not None and priority_at < len(cells) else None
    found = []
    if ac is not None and ac < len(cells) and cells[ac].strip():
        row = doc.text[definition.start : definition.end]
        for part in re.split(r"<br\s*/?>", cells[ac]):
            if part.strip():
                found.append(_Criterion(part.strip(), definition.start + max(row.find(part), 0)))
    return statement, priority, found


def _finding(doc: Document, rule: TraceRule, start: int, end: int, **values: str) -> Finding:
    texts = rule.texts(**values)
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=rule.severity,
        line=doc.line_of(start),
        column=doc.column_of(start),
        start=start,
        end=end,
        section=doc.section(start),
        match=doc.text[start:end],
        sentence=doc.line_text(start).strip(),
        message=texts["message"],
        question=texts["question"],
        suggestion=texts["suggestion"],
    )
