"""Review reads the one document model: Markdown structure bugs from issues 8 and 10."""

from __future__ import annotations

import re

from prd_assistant.review import review
from prd_assistant.review.markdown_scan import scan_markdown


def _flags(text: str, category: str | None = None) -> list[str]:
    return [f.match for f in review(text) if category is None or f.category == category]


def test_a_line_opening_with_inline_triple_backticks_does_not_hide_the_rest() -> None:
    text = "## Build\n```make test``` runs the suite.\n\n- The API must be fast.\n"
    assert _flags(text) == ["fast"]


def test_blockquotes_are_reviewed() -> None:
    text = "## Requirements\n> The system must be fast\n> and highly available.\n"
    assert _flags(text) == ["fast", "highly available"]
    finding = review(text)[1]
    assert finding.line == 3 and text[finding.start : finding.end] == "highly available"


def test_a_quoted_user_question_in_a_blockquote_is_not_an_open_question() -> None:
    assert _flags("## Research\n> Can I export this to Excel?\n") == []


def test_sections_are_tracked_at_every_level() -> None:
    text = (
        "# PRD\n## 4. Requirements\n### Motivation\nUsers find today's tools slow.\n"
        "### Out of scope\n- Several payment providers.\n#### Details\n- Many regions.\n"
        "### API\n- The API must be fast.\n"
    )
    scan = scan_markdown(text)
    area = scan.area(text.index("Users find"))
    assert area.path == ("PRD", "4. Requirements", "Motivation")
    assert area.section == "4. Requirements" and area.level == 3
    assert area.under(re.compile(r"\bmotivation\b"))
    assert not scan.area(text.index("The API")).under(re.compile(r"\bmotivation\b"))
    # Out of scope at any level (and below it) states what is not built: no claims there.
    findings = review(text)
    assert [f.match for f in findings if f.category == "unquantified_claim"][-1] == "fast"
    assert "Several" not in [f.match for f in findings]
    assert "Many" not in [f.match for f in findings]


def test_long_bracket_placeholders_are_found() -> None:
    text = (
        "- Owner: [Insert the name of the team that owns the escalation runbook and the "
        "on-call rotation for refunds]\n"
        "- Contact: <name of the finance partner who signs off the reconciliation report each "
        "month>\n"
    )
    found = _flags(text, "open_question")
    assert len(found) == 2
    assert found[0].startswith("[Insert") and found[0].endswith("refunds]")
    assert found[1].startswith("<name") and found[1].endswith("month>")


def test_a_table_header_cell_ending_in_a_question_mark_is_not_an_open_question() -> None:
    text = "| Feature | Required? | Notes |\n|---|---|---|\n| Export | Yes | CSV only |\n"
    assert _flags(text, "open_question") == []
    # A question in a body cell with no answer next to it is still open.
    assert _flags(text + "| Import | Who decides? | |\n", "open_question") == ["Who decides?"]


def test_a_question_in_a_table_row_answered_in_the_next_cell_is_not_open() -> None:
    text = "| Q | A |\n|---|---|\n| Can admins export the log? | Yes, as CSV. |\n"
    assert _flags(text, "open_question") == []


def test_open_question_headings_are_open_questions() -> None:
    text = "## 5. Billing\n### Open question: Who owns refunds above $500?\nSome text.\n"
    findings = [f for f in review(text) if f.category == "open_question"]
    assert [f.rule for f in findings] == ["open-question-line"]
    assert findings[0].severity == "warning" and findings[0].line == 2
    # Under an Open Questions heading it is expected, so it is listed as info.
    listed = review("## Open Questions\n### Open question: Who owns refunds above $500?\n")
    assert [(f.rule, f.severity) for f in listed] == [("open-question-line", "info")]


def test_crlf_documents_leave_no_carriage_return_in_section_names() -> None:
    text = "# PRD\r\n\r\n## 7. Non-Functional Requirements\r\n\r\n- The API must be fast.\r\n"
    finding = review(text)[0]
    assert finding.section == "7. Non-Functional Requirements"
    assert finding.sentence == "- The API must be fast."
    assert (finding.line, finding.column) == (5, 19)
    assert text[finding.start : finding.end] == "fast"


def test_a_runaway_line_quotes_only_the_words_around_each_finding() -> None:
    line = "the service must be fast and robust for many users and several teams, " * 600
    findings = review(line)
    assert len(findings) > 1000
    assert all(len(f.sentence) < 600 and f.match in f.sentence for f in findings)


def test_html_tags_and_their_attributes_are_markup_not_claims() -> None:
    text = (
        '## Notes\n\n<box type="info" seamless>\n\n**Note:** Read this first.\n\n</box>\n\n'
        'The sync must be<br>seamless for <span class="fast">users</span>.\n'
    )
    # The attribute "seamless" says nothing; the word between the tags still claims.
    found = review(text)
    assert [(f.match, f.line) for f in found] == [("seamless", 9)]
    # A word in angle brackets is still a blank to fill.
    assert _flags("Owner: <Owner>\n", "open_question") == ["<Owner>"]


def test_character_references_are_not_words_and_end_no_sentence_early() -> None:
    text = "## Scope\n\n* A search page on the site&#x20;\n* The page must load&nbsp;fast.&#x20;\n"
    found = review(text)
    assert [f.match for f in found] == ["fast"]
    assert found[0].sentence == "* The page must load&nbsp;fast."


def test_a_reference_to_a_space_or_punctuation_reads_as_that_character() -> None:
    text = (
        "## Requirements\n\n- Backups run as&nbsp;needed.\n"
        "- Prices update in near&#x20;real&#160;time.\n"
        "- Admins export reports, and so&nbsp;on.\n"
    )
    found = review(text)
    assert [f.match for f in found] == [
        "as&nbsp;needed",
        "near&#x20;real&#160;time",
        "and so&nbsp;on",
    ]
    # The findings point at the references as written.
    for finding in found:
        assert text[finding.start : finding.end] == finding.match
        line = text.split("\n")[finding.line - 1]
        assert line[finding.column - 1 :].startswith(finding.match)
    # Quotation marks and a question mark written as references quote and ask as typed ones.
    assert _flags("- The label reads &ldquo;fast&rdquo; or &quot;quick&quot; in the UI.\n") == []
    assert _flags("## Billing\n\nWho owns refunds&#63;\n") == ["Who owns refunds&#63;"]
    # A match that ends with a reference's character takes the whole reference.
    assert _flags("- Export to CSV, PDF, etc&period;\n") == ["etc&period;"]


def test_struck_through_text_claims_nothing_and_asks_nothing() -> None:
    text = (
        "## Definition of done\n\n"
        "* [x] ~~All new services pass a security review (if necessary)~~\n"
        "* [x] ~~Which team signs off? TBD~~ Dropped: the platform team owns it.\n"
        "* [x] Search results load fast\n"
    )
    assert _flags(text) == ["fast"]
    # Text after the strike is still read; a single tilde is not a strike.
    assert _flags("* ~~Old~~ The export must be fast.\n* About ~5 minutes, maybe.\n") == [
        "fast",
        "maybe",
    ]


def test_a_question_in_a_details_summary_is_answered_by_its_body() -> None:
    answered = (
        "## Open questions\n\n<details>\n\n"
        "<summary><strong>Which services already translate content?</strong></summary>\n\n"
        "* The design system's language selector\n* The State Department's linguists\n\n"
        "</details>\n"
    )
    assert review(answered) == []
    # With nothing in its body it is still open, and the finding quotes the question only.
    empty = "## Open questions\n\n<details>\n<summary>Who owns billing?</summary>\n</details>\n"
    found = review(empty)
    assert [(f.match, f.sentence) for f in found] == [("Who owns billing?", "Who owns billing?")]
    # A summary that asks nothing heads open items: they stay open.
    items = (
        "## Open questions\n\n<details>\n<summary>Still to look into</summary>\n\n"
        "* Talk to the search team about ranking\n\n</details>\n"
    )
    assert _flags(items, "open_question") == ["Talk to the search team about ranking"]


def test_a_host_name_without_a_scheme_is_an_address_not_words() -> None:
    text = (
        "## Scope\n\n* A search page on simpler.grants.gov and Better.com/pricing\n"
        "* Packages move to dist.nuget.org, which must be fast.\n"
    )
    found = review(text)
    assert [f.match for f in found] == ["fast"]
    assert found[0].sentence == "* Packages move to dist.nuget.org, which must be fast."


def test_typed_double_spaces_and_tabs_between_words_read_as_one_space() -> None:
    text = (
        "## Requirements\n\n- Backups run as  needed.\n"
        "- The app works offline if\tpossible.\n"
        "- Prices update in near   real time.\n"
        "- Admins export reports, and  so on.\n"
    )
    found = review(text)
    assert [f.match for f in found] == [
        "as  needed",
        "if\tpossible",
        "near   real time",
        "and  so on",
    ]
    for finding in found:
        assert text[finding.start : finding.end] == finding.match
    # Blanks that stand in for inline code make no phrase: the words were not typed together.
    assert _flags("## Requirements\n\n- Backups run as `--fast` needed.\n") == []


def test_open_question_checks_read_a_reference_between_words_as_the_character() -> None:
    # The claims side reads "as&nbsp;needed" as "as needed"; the open-question checks must too.
    assert _flags("## Billing\n\nOpen&nbsp;question: who owns refunds\n", "open_question") == [
        "Open&nbsp;question: who owns refunds"
    ]
    # An answer that defers is no answer, written with a reference or not.
    for answer in ("To be decided.", "To be&nbsp;decided.", "Not&#32;sure yet."):
        text = f"## Billing\n\nWho signs off on refunds? {answer}\n"
        assert "Who signs off on refunds?" in _flags(text, "open_question"), answer
    # A framing question answered at once stays answered.
    assert _flags("## Launch\n\nWhy&nbsp;now? Two rivals shipped in May.\n", "open_question") == []
    # Hedges and deferrals that their context excuses stay excused with a reference in it.
    for line in (
        "In the&nbsp;future we may also support PDF.",
        "It is not&nbsp;a figure to be confirmed later; it is measured.",
    ):
        assert _flags(f"## Export\n\n- {line}\n", "open_question") == [], line


def test_a_question_mark_in_struck_text_ends_no_sentence() -> None:
    # "~~Maybe finance?~~" is withdrawn: the statement after it answers the question.
    text = "## Billing\n\n- Who approves refunds? ~~Maybe finance?~~ The platform team does.\n"
    assert _flags(text, "open_question") == []
    assert _sentences("We ship ~~in May? Or~~ in June. Who approves?\n") == [
        "We ship ~~in May? Or~~ in June.",
        "Who approves?",
    ]
    # A strike that opens a sentence after a question starts the next sentence.
    assert _sentences("Who approves? ~~Finance~~ The platform team does.\n") == [
        "Who approves?",
        "~~Finance~~ The platform team does.",
    ]


def _sentences(text: str) -> list[str]:
    scan = scan_markdown(text)
    return [text[a:b] for a, b in zip(scan.sentence_starts, scan.sentence_ends, strict=True)]


def test_a_word_in_emphasis_inside_a_phrase_is_read_as_the_word() -> None:
    # "we _could_ consider" hedges like "we could consider"; the finding takes the marks.
    text = "## Plan\n\n- We _could_ consider rendering previews on hover.\n"
    assert _flags(text, "open_question") == ["We _could_"]
    assert _flags("## Plan\n\n- Later we *may* adopt a hosted glossary.\n", "open_question") == [
        "we *may*"
    ]
    assert _flags("## Plan\n\n- Backups run as **needed**.\n", "unquantified_claim") == [
        "as **needed**"
    ]
    # Emphasis that is not one word inside a phrase stays as written.
    assert _flags("## Plan\n\n- **Maybe later:** a hosted glossary.\n", "open_question") == [
        "Maybe"
    ]


def test_a_wrapped_line_that_opens_with_code_a_link_or_a_parenthesis_continues_its_sentence() -> (
    None
):
    text = (
        "- Some vendors group their assets, should we keep a table like\n"
        "  `AssetGroups` for them?\n"
        "- The report links to\n  [the usage page](https://example.com/usage) for details.\n"
        "- The key is written with the seller's id\n  (never the buyer's) as prefix.\n"
    )
    assert _sentences(text) == [
        "- Some vendors group their assets, should we keep a table like\n  `AssetGroups` for them?",
        "- The report links to\n  [the usage page](https://example.com/usage) for details.",
        "- The key is written with the seller's id\n  (never the buyer's) as prefix.",
    ]
    # The question is found from its start, on the first line.
    found = review("## Open questions\n\n" + text.split("- The report")[0])
    assert [f.line for f in found if f.category == "open_question"] == [3]
    # A capital after the break still starts a new sentence, unless the line before ends
    # on an article, a preposition or a conjunction: then a name continues it.
    assert _sentences("Owner: the platform team\n`Status`: Draft\n") == [
        "Owner: the platform team",
        "`Status`: Draft",
    ]
    assert _sentences(
        "We could consider something like\n[SketchFab's results](https://example.com),\n"
        "where models render on hover. The repo is hosted on\nGitHub for now.\n"
    ) == [
        "We could consider something like\n[SketchFab's results](https://example.com),\n"
        "where models render on hover.",
        "The repo is hosted on\nGitHub for now.",
    ]


def test_a_phrase_in_underscore_emphasis_is_read_and_a_thematic_break_is_no_blank() -> None:
    # Underscores that open or close emphasis stand outside the word they mark.
    text = "## Product vision\n\n_TBD - once we synthesize initial research_\n"
    assert _flags(text, "open_question") == ["TBD"]
    assert _flags("## Product vision\n\n_TBD_\n", "open_question") == ["TBD"]
    # An identifier joined by underscores is still one word.
    assert _flags("## Fields\n\nThe tbd_notes field holds free text.\n", "open_question") == []
    # "___" on a line of its own is a thematic break; "Owner: ___" is a blank to fill.
    assert _flags("## A\n\nText.\n\n___\n\n## B\n\nMore text.\n", "open_question") == []
    assert _flags("## Plan\n\nOwner: ___\n", "open_question") == ["___"]
