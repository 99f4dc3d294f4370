"""Template parsing, post-processing, consistency, dedup and export all read the one model."""

from __future__ import annotations

import io

import pytest
from docx import Document

from prd_assistant import export
from prd_assistant.assist.dedup import existing_questions, existing_risks
from prd_assistant.consistency import check_consistency, extract_targets, split_sections
from prd_assistant.document import Draft, SectionStatus
from prd_assistant.postprocess import EmptyReplyError, finalize_section_text
from prd_assistant.template import load_template, parse_template

TEMPLATE = load_template()
OVERVIEW = TEMPLATE.section("overview")
GOALS = TEMPLATE.section("goals-non-goals")


def test_template_reads_setext_headings_and_ignores_headings_in_code() -> None:
    text = (
        "Service PRD\r\n===========\r\n\r\nOverview\r\n--------\r\nSay what it does.\r\n"
        "```\r\n## Not a section\r\n```\r\n"
        "## Goals\r\n### Goals\r\n- g\r\n#### Detail\r\nkept as guidance\r\n"
        "### Non-Goals\r\n- n\r\n\r\n---\r\nFooter v2\r\n"
    )
    template = parse_template(text)
    assert template.title_line == "# Service PRD"
    assert [s.heading for s in template.sections] == ["## Overview", "## Goals"]
    assert "## Not a section" in template.sections[0].guidance
    goals = template.sections[1]
    assert [s.heading for s in goals.subsections] == ["### Goals", "### Non-Goals"]
    assert goals.subsections[0].guidance == "- g\n#### Detail\nkept as guidance"
    assert goals.subsections[1].guidance == "- n"
    assert template.footer == "---\nFooter v2"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Intro.\n\nDetails\n=======\nMore.", "Intro.\n\n### Details\nMore."),
        ("Intro.\n\nDetails\n-------\nMore.", "Intro.\n\n### Details\nMore."),
        ("Intro.\n  ## Details\nMore.", "Intro.\n### Details\nMore."),
        ("Intro.\n# Details #\nMore.", "Intro.\n### Details\nMore."),
    ],
)
def test_setext_and_indented_headings_in_a_reply_are_demoted(reply: str, expected: str) -> None:
    assert finalize_section_text(reply, OVERVIEW) == expected


def test_a_setext_repeated_section_heading_is_stripped() -> None:
    assert finalize_section_text("Overview\n--------\n\nText.", OVERVIEW) == "Text."


@pytest.mark.parametrize(
    "reply",
    ["", "   \n", "## Overview", "### Goals\n\n### Non-Goals\n", "Heading\n===\n", "<!-- x -->"],
)
def test_empty_or_headings_only_replies_are_empty(reply: str) -> None:
    with pytest.raises(EmptyReplyError):
        finalize_section_text(reply, GOALS)


def test_a_heading_inside_a_code_block_is_left_alone() -> None:
    reply = "Run:\n\n```\n## not a heading\n```"
    assert finalize_section_text(reply, OVERVIEW) == reply


def test_consistency_reads_setext_sections_and_background_at_any_level() -> None:
    text = (
        "Non-Functional Requirements\n---------------------------\n"
        "- Availability: 99.9% monthly.\n"
        "### Background\n- Availability today is 99.5%.\n\n"
        "Capacity\n--------\n| Metric | Target |\n|---|---|\n| Availability | 99.95% |\n"
    )
    assert [s.title for s in split_sections(text)] == ["Non-Functional Requirements", "Capacity"]
    targets = extract_targets(text)
    assert [(t.value, t.line) for t in targets] == [(99.9, 3), (99.5, 5), (99.95, 11)]
    assert "baseline" in targets[1].qualifiers
    (found,) = check_consistency(text)
    assert (found.other_line, found.line, found.match) == (3, 11, "99.95%")
    assert text[found.start : found.end] == "99.95%"


def test_consistency_offsets_stay_exact_on_crlf_text() -> None:
    text = "## NFR\r\n- Availability: 99.9%.\r\n\r\n## Capacity\r\n- Availability: 99.95%.\r\n"
    (found,) = check_consistency(text)
    assert text[found.start : found.end] == "99.95%"
    assert "\r" not in found.section + found.sentence


def test_dedup_reads_open_questions_and_risks_from_the_model() -> None:
    text = (
        "## 5. Billing\n### Open question: Who approves refunds above $500?\n"
        "```\nOpen question: not this one in code\n```\n"
        "## 18. Open Questions\n- Which carriers launch first?\n"
        "## 12. Risks\n| Risk | Mitigation |\n|---|---|\n| Carrier API rate limits | Queue calls |\n"
    )
    questions = [(i.text, i.line, i.source) for i in existing_questions(text, [])]
    assert questions == [
        ("Who approves refunds above $500?", 2, "open_question_line"),
        ("Which carriers launch first?", 7, "open_questions_section"),
    ]
    risks = [(i.text, i.line) for i in existing_risks(text)]
    assert risks == [("Carrier API rate limits Queue calls", 11)]


def test_docx_renders_setext_headings_wrapped_paragraphs_and_nested_lists() -> None:
    draft = Draft.from_template(TEMPLATE, "A service.", "Svc")
    section = draft.sections[0]
    section.set_text(
        "Wrapped paragraph that\ncontinues here.\n\n1. First\n   - nested bullet\n\n"
        "Sub part\n--------\n\n> Quoted\n> text.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n",
        "edit",
    )
    section.status = SectionStatus.DONE
    document = Document(io.BytesIO(export.to_docx(draft)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Normal", "Wrapped paragraph that continues here.") in paragraphs
    assert ("List Number", "First") in paragraphs
    assert ("List Bullet 2", "nested bullet") in paragraphs
    assert ("Heading 2", "Sub part") in paragraphs
    assert ("Quote", "Quoted text.") in paragraphs
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [
        ["A", "B"],
        ["1", "2"],
    ]
