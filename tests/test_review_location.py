"""Where a finding is: an open question covers its whole sentence, its trigger stays the evidence."""

from __future__ import annotations

from prd_assistant.review import Finding, review

HEAD = "# Export spec\n\n## Requirements\n\n"


def _open(text: str, match: str) -> Finding:
    found = [f for f in review(text) if f.category == "open_question" and f.match == match]
    assert len(found) == 1, review(text)
    return found[0]


def _location(text: str, finding: Finding) -> str:
    return text[finding.location_start : finding.location_end]


def test_a_wrapped_open_question_in_a_paragraph_covers_its_whole_sentence() -> None:
    text = HEAD + (
        "The nightly export runs at midnight for every tenant and the\n"
        "retention period is TBD until legal signs off on the\n"
        "new policy. Exports are encrypted at rest.\n"
    )
    finding = _open(text, "TBD")
    # The evidence is the trigger, as before: the app highlights it and the message quotes it.
    assert text[finding.start : finding.end] == "TBD"
    assert (finding.line, finding.column) == (6, 21)
    # The location is the sentence, wrapped lines included, and not the next sentence.
    assert _location(text, finding) == (
        "The nightly export runs at midnight for every tenant and the\n"
        "retention period is TBD until legal signs off on the\n"
        "new policy."
    )
    assert (finding.first_line, finding.last_line) == (5, 7)


def test_a_wrapped_open_question_in_a_list_item_stops_at_the_item() -> None:
    text = HEAD + (
        "- The retention period for exported files is TBD and it\n"
        "  depends on the contract each tenant signs with us.\n"
        "- Exports are encrypted at rest.\n"
    )
    finding = _open(text, "TBD")
    assert _location(text, finding) == (
        "The retention period for exported files is TBD and it\n"
        "  depends on the contract each tenant signs with us."
    )
    assert (finding.line, finding.first_line, finding.last_line) == (5, 5, 6)


def test_a_sentence_that_ends_on_the_trigger_line_starts_where_the_sentence_does() -> None:
    text = HEAD + (
        "The format of the archive that tenants download from\n"
        "the portal is still to be decided.\n"
        "\n"
        "the next paragraph goes on in lower case.\n"
    )
    finding = _open(text, "to be decided")
    assert finding.line == 6
    assert (finding.first_line, finding.last_line) == (5, 6)
    # A blank line ends the paragraph, and the location with it.
    assert _location(text, finding).endswith("to be decided.")


def test_an_open_question_in_a_table_cell_stays_in_its_cell() -> None:
    text = HEAD + (
        "| Feature | Notes |\n"
        "|---|---|\n"
        "| Export | Format TBD. Ships in March. |\n"
        "| Import | Ships in v2. |\n"
    )
    finding = _open(text, "TBD")
    assert _location(text, finding) == "Format TBD."
    assert (finding.first_line, finding.last_line) == (7, 7)


def test_a_one_line_question_is_located_on_its_line() -> None:
    text = HEAD + "Should the export include deleted tenants?\n\n## Design\n\nIt runs nightly.\n"
    finding = _open(text, "Should the export include deleted tenants?")
    assert (finding.location_start, finding.location_end) == (finding.start, finding.end)
    assert finding.line == finding.first_line == finding.last_line == 5


def test_an_unquantified_claim_is_located_at_its_words() -> None:
    text = HEAD + "The export page must load fast for\nevery tenant.\n"
    (finding,) = [f for f in review(text) if f.category == "unquantified_claim"]
    assert (finding.location_start, finding.location_end) == (finding.start, finding.end)
    assert finding.first_line == finding.last_line == finding.line == 5


def test_a_finding_made_without_a_location_is_its_own_location() -> None:
    finding = Finding(
        rule="dangling-id",
        category="traceability",
        severity="warning",
        line=3,
        column=1,
        start=10,
        end=19,
        section="",
        match="FR-12\nFR-1",
        sentence="",
        message="",
        question="",
        suggestion="",
    )
    assert (finding.location_start, finding.location_end) == (10, 19)
    assert (finding.first_line, finding.last_line) == (3, 4)
    assert finding.to_dict()["last_line"] == 4
