"""Inline ``prd-review`` suppressions: next block, whole file, and stale ones reported."""

from __future__ import annotations

from prd_assistant.gate import apply_suppressions, parse_suppressions
from prd_assistant.gate.catalog import is_known
from prd_assistant.review import review


def _check(text: str) -> tuple[list[str], list[str]]:
    kept, reports = apply_suppressions(text, review(text), known_rules=is_known)
    return [f"{f.rule}:{f.match}" for f in kept], [r.message for r in reports]


def test_disable_hides_that_rule_in_the_next_paragraph_only() -> None:
    text = (
        "## Overview\n<!-- prd-review: disable=vague-speed -->\nSearch is fast.\n\n"
        "Export is fast.\n"
    )
    kept, reports = _check(text)
    assert kept == ["vague-speed:fast"]
    assert reports == []


def test_disable_covers_a_whole_list_or_table_and_leaves_other_rules() -> None:
    text = (
        "## NFRs\n\n<!-- prd-review: disable=vague-speed,vague-scalability -->\n"
        "- Login is fast.\n- The API is scalable.\n- Quota: TBD\n\n"
        "<!-- prd-review: disable=vague-speed -->\n"
        "| Area | Target |\n|---|---|\n| Search | fast |\n"
    )
    kept, reports = _check(text)
    assert kept == ["placeholder:TBD"]
    assert reports == []


def test_disable_without_rules_hides_everything_in_the_block() -> None:
    kept, _ = _check("<!-- prd-review: disable -->\nIt is fast, TBD and simple.\n\nIt is fast.\n")
    assert kept == ["vague-speed:fast"]


def test_stacked_comments_both_cover_the_block_below() -> None:
    text = (
        "<!-- prd-review: disable=vague-speed -->\n<!-- prd-review: disable=placeholder -->\n"
        "Fast, TBD.\n"
    )
    kept, reports = _check(text)
    assert kept == [] and reports == []


def test_disable_file_hides_a_rule_everywhere_and_bare_disable_file_hides_all() -> None:
    text = "Fast.\n\n## Later\nStill fast. Quota TBD.\n\n<!-- prd-review: disable-file=vague-speed -->\n"
    assert _check(text)[0] == ["placeholder:TBD"]
    assert _check("<!-- prd-review: disable-file -->\nFast. TBD.\n") == ([], [])


def test_a_suppression_that_hides_nothing_is_reported_with_its_position() -> None:
    text = "## Scope\n\n<!-- prd-review: disable=placeholder -->\nAll decided.\n"
    kept, reports = apply_suppressions(text, review(text), known_rules=is_known)
    assert kept == []
    (report,) = reports
    assert report.rule == "unused-suppression" and report.category == "suppression"
    assert (report.line, report.column, report.section) == (3, 1, "Scope")
    assert text[report.start : report.end] == report.match
    assert "hides no finding" in report.message


def test_unknown_rule_and_unreadable_comment_are_reported() -> None:
    text = (
        "<!-- prd-review: disable=vague-sped -->\nFast.\n\n"
        "<!-- prd-review: please ignore -->\nOk.\n"
    )
    kept, reports = _check(text)
    assert kept == ["vague-speed:Fast"]
    assert "vague-sped" in reports[0] and "not understood" in reports[1]


def test_comments_inside_code_are_examples_not_suppressions() -> None:
    text = "```md\n<!-- prd-review: disable-file -->\n```\n\nIt is fast.\n"
    assert parse_suppressions(text) == []
    assert _check(text)[0] == ["vague-speed:fast"]


def test_a_comment_with_no_block_after_it_is_unused() -> None:
    text = "It is fast.\n\n<!-- prd-review: disable=vague-speed -->\n"
    kept, reports = _check(text)
    assert kept == ["vague-speed:fast"] and len(reports) == 1
