"""The traceability check: labelled gaps found, no false ones on well-formed drafts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from prd_assistant.traceability import check_traceability
from prd_assistant.traceability.criteria import is_checkable, mandatory
from prd_assistant.traceability.ids import find_ids

DATA = Path(__file__).parent / "data" / "traceability"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from traceability_quality import score  # noqa: E402


def _rules(text: str) -> list[tuple[str, str]]:
    return [(f.rule, f.match) for f in check_traceability(text)]


def test_labelled_set_every_planted_gap_found_and_nothing_else() -> None:
    tp, fp, fn, notes = score(DATA / "labels.json")
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    expected = sum(len(v) for k, v in labels.items() if k.endswith(".md"))
    assert sum(tp.values()) == expected, notes
    assert sum(fp.values()) == 0 and sum(fn.values()) == 0, notes


@pytest.mark.parametrize("name", ["wellformed_gwt.md", "wellformed_ears.md"])
def test_drafts_in_the_prompted_format_have_no_findings(name: str) -> None:
    assert check_traceability((DATA / name).read_text(encoding="utf-8")) == []


def test_findings_carry_rule_location_question_and_suggestion() -> None:
    text = "## Use cases\n- UC1: Shopper pays.\n- UC2: Shopper refunds.\n\n## Requirements\n- FR-1 (MUST, UC1): Pay within 3 s.\n"
    (finding,) = check_traceability(text)
    assert finding.rule == "use-case-not-covered" and finding.category == "traceability"
    assert (finding.line, finding.column, finding.section) == (3, 3, "Use cases")
    assert text[finding.start : finding.end] == finding.match == "UC2"
    assert "UC2" in finding.message and finding.question and finding.suggestion


def test_ranges_and_matrices_cover_use_cases_and_matrix_rows_define_nothing() -> None:
    text = (
        "## Use cases\n### UC-01 Sign up\n### UC-02 Sign in\n### UC-03 Reset\n\n"
        "## Requirements\n| ID | Requirement | Pri | Source |\n|---|---|---|---|\n"
        "| FR-001 | Accounts are created with a verified email within 60 s. | M | UC-01…02 |\n\n"
        "## Matrix\n| UC | FRs |\n|---|---|\n| UC-03 | FR-001 |\n"
    )
    assert check_traceability(text) == []


def test_code_and_comments_hold_no_ids() -> None:
    text = "- UC1: Pay.\n- FR-1 (MAY, UC1): Pay.\n\n```\nFR-9 UC9\n```\n<!-- see FR-8 -->\nUse `FR-7`.\n"
    assert check_traceability(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- FR-1 (MUST): Promo codes MUST be validated.\n",
            [("missing-acceptance-criteria", "FR-1")],
        ),
        ("- FR-1: The system shall export orders.\n", [("missing-acceptance-criteria", "FR-1")]),
        ("- FR-1 (SHOULD): Totals SHOULD update live.\n", []),
        ("- FR-1 (MUST): Search MUST answer within 300 ms at p95.\n", []),
        ("- FR-1: When a card is declined, the system shall show the reason.\n", []),
        (
            "| ID | Requirement | Priority |\n|---|---|---|\n| FR-1 | Export orders as a file | Could |\n",
            [],
        ),
        (
            "| ID | Requirement | Priority |\n|---|---|---|\n| FR-1 | Export orders as a file | Must have |\n",
            [("missing-acceptance-criteria", "FR-1")],
        ),
        (
            "### FR-1 Export\nPriority: MUST\n\nAcceptance criteria: the export is nice.\n",
            [("untestable-acceptance-criterion", "the export is nice.")],
        ),
    ],
)
def test_must_requirements_need_checkable_acceptance_criteria(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert _rules(text) == expected


def test_a_multi_line_given_when_then_scenario_and_a_separate_acceptance_section_count() -> None:
    text = (
        "- FR-1 (MUST): Guests MUST pay without an account.\n"
        "  - Acceptance criteria:\n    - Given a guest\n    - When they pay\n    - Then a receipt is emailed\n"
        "- FR-2 (MUST): Admins MUST export refunds.\n\n"
        "## Acceptance criteria\n- FR-2: Given an admin, when they export, then the CSV has one row per refund.\n"
    )
    assert check_traceability(text) == []


def test_undefined_and_duplicate_ids() -> None:
    text = "- FR-1 (MAY): Pay.\n- FR-1 (MAY): Refund.\n\nSee FR-2 and FR-1…3.\n"
    assert _rules(text) == [
        ("duplicate-id", "FR-1"),
        ("undefined-id", "FR-2"),
        ("undefined-id", "FR-1…3"),
        ("undefined-id", "FR-1…3"),
    ]
    messages = [f.message for f in check_traceability(text)]
    assert "first on line 1" in messages[0] and "FR-3" in messages[-1]


def test_id_spellings_compare_equal_and_ranges_expand() -> None:
    assert [m.key for m in find_ids("UC-01, UC1, FR-CUR-003…005, NFR-2.1, R1–R14")] == [
        "UC-1",
        "UC-1",
        "FR-CUR-3",
        "FR-CUR-4",
        "FR-CUR-5",
        "NFR-2.1",
    ]


@pytest.mark.parametrize(
    ("criterion", "checkable"),
    [
        ("Given a guest, when they pay, then a receipt is emailed.", True),
        ("When a patient cancels, the system shall free the slot.", True),
        ("If the receipt is missing, then the system shall reject it.", True),
        ("While offline, the app shall queue results.", True),
        ("The system shall list every free slot.", True),
        ("Search answers in under 300 ms at p95.", True),
        ("At most three retries are made.", True),
        ("Error messages are user-friendly.", False),
        ("The schedule looks clean and modern.", False),
        ("Works as expected.", False),
    ],
)
def test_checkable_criteria(criterion: str, checkable: bool) -> None:
    assert is_checkable(criterion) is checkable


@pytest.mark.parametrize(
    ("statement", "priority", "expected"),
    [
        ("The API MUST accept refunds.", None, True),
        ("The API SHOULD accept refunds; it MUST log them.", None, False),
        ("Refunds are accepted. Priority: Must", None, True),
        ("Refunds are accepted.", "M", True),
        ("Refunds are accepted.", "Should", False),
        ("The system shall accept refunds.", None, True),
        ("The system may accept refunds.", None, False),
    ],
)
def test_mandatory(statement: str, priority: str | None, expected: bool) -> None:
    assert mandatory(statement, priority) is expected


def test_a_group_heading_holds_only_its_own_text_and_field_criteria_are_located_exactly() -> None:
    text = (
        "## FR-100 Accounts\n\nThe account area.\n\n### FR-110 Sign up\n\n"
        "- **Priority:** Must\n- **Acceptance Criteria:** The page looks friendly and\n"
        "  welcoming to new users.\n- **Dependencies:** None.\n"
    )
    (finding,) = check_traceability(text)
    assert finding.rule == "untestable-acceptance-criterion" and "FR-110" in finding.message
    assert finding.match == "The page looks friendly and\n  welcoming to new users."
    assert text[finding.start : finding.end] == finding.match


def test_exact_values_are_checkable() -> None:
    assert is_checkable("From TITLE, a START press results in state = INTRO.")
    assert is_checkable("The current state is one of {TITLE, INTRO} and no other value.")
    assert is_checkable('The form shows the message "Card expired".')


def test_one_markdown_parse_serves_review_and_traceability(monkeypatch: pytest.MonkeyPatch) -> None:
    from markdown_it import MarkdownIt

    from prd_assistant import markdown_doc
    from prd_assistant.review import review
    from prd_assistant.traceability import model

    text = (
        "# PRD\n\n## Use cases\n- UC-1: Export a report\n- UC-2: Import a file\n\n"
        "## Requirements\n| ID | Requirement | Priority |\n|---|---|---|\n"
        "| FR-1 | Exports UC-1 as CSV | MUST |\n\n"
        "> **FR-2** (SHOULD): quoted *emphasis* and `code`\n\n<!-- FR-9 hidden -->\n"
        "```\nFR-8 in code\n```\n"
    )
    markdown_doc.block_tokens.cache_clear()
    markdown_doc.parse_markdown.cache_clear()
    parser = markdown_doc._parser()
    parses: list[str] = []

    def counted(source: str) -> list:
        parses.append(source)
        return MarkdownIt.parse(parser, source)

    monkeypatch.setattr(parser, "parse", counted)
    review(text)
    shared = check_traceability(text)
    assert parses == [text]
    # The shared parse skips the inline pass, which traceability never reads: a full parse
    # gives the same findings.
    full = MarkdownIt("commonmark", {"html": True}).enable("table")
    monkeypatch.setattr(model, "block_tokens", lambda source: full.parse(source))
    assert check_traceability(text) == shared
    assert [(f.rule, f.match) for f in shared] == [
        ("use-case-not-covered", "UC-1"),
        ("use-case-not-covered", "UC-2"),
        ("undefined-id", "FR-1"),
        ("undefined-id", "FR-2"),
    ]
