"""PRD text -> traceability findings: uncovered use cases, MUSTs without testable acceptance
criteria, dangling and duplicate IDs."""

from __future__ import annotations

from prd_assistant.review.findings import Finding
from prd_assistant.traceability import criteria
from prd_assistant.traceability.ids import FUNCTIONAL, USE_CASE
from prd_assistant.traceability.model import Definition, Document, parse
from prd_assistant.traceability.requirements import (
    ONLY_AC_IDS,
    Criterion,
    external_criteria,
    split,
)
from prd_assistant.traceability.rules import (
    DUPLICATE_ID,
    MISSING_ACCEPTANCE,
    UNDEFINED_ID,
    UNTESTABLE_CRITERION,
    USE_CASE_NOT_COVERED,
    TraceRule,
)


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
    external = external_criteria(doc)
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


def _acceptance(doc: Document, definition: Definition, external: list[Criterion]) -> list[Finding]:
    statement, priority, found = split(doc, definition)
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
        if criteria.skipped(text) or ONLY_AC_IDS.match(text):
            continue
        if not criteria.is_checkable(text, scenario):
            findings.append(
                _finding(
                    doc,
                    UNTESTABLE_CRITERION,
                    criterion.start,
                    criterion.end,
                    id=definition.mention.text,
                )
            )
    return findings


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
