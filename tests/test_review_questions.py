"""Open questions read from where they sit: answered, not the document asking, word sense,
and gaps that have no tell-tale word (issue 8). One class of error per test."""

from __future__ import annotations

import pytest

from prd_assistant.gate.catalog import all_rules
from prd_assistant.review import Finding, review


def _open(text: str) -> list[Finding]:
    return [f for f in review(text) if f.category == "open_question"]


def _matches(text: str) -> list[str]:
    return [f.match for f in _open(text)]


@pytest.mark.parametrize(
    "text",
    [
        "## Support\n\nQ: Can I export my data?\nA: Yes, as CSV from Settings.\n",
        "## Support\n\n**Q: Can I export my data?**\n\n**A:** Yes, as CSV from Settings.\n",
        "## Errors\n\n- What if the upload fails? → we retry three times, then alert.\n",
        "## Errors\n\n- What if the token expires? -> the client refreshes it once.\n",
        "## Launch\n\n**Question:** Do we launch in the EU first?\n\n**Decision:** Yes, in March.\n",
        "## Gates\n\n**Question:** Did the beta convert?\n- If YES: open paid plans\n"
        "- If NO: extend the beta by 4 weeks\n",
        "## Billing\n\nHow are refunds handled? Refunds go back to the card within 5 days.\n",
        "## Limits\n\nWhy not cap uploads at 1 GB? Video customers need 4 GB files.\n",
        "## Unresolved questions\n\n1. Should the flag default to on? Resolved: no, opt-in.\n",
        "## Unresolved questions\n\n- Should the cache be per tenant?\n  - Yes: per tenant.\n",
        # The answer names one of the two options asked about.
        "## Open Questions\n\n- **ASR:** Local vs. cloud? Default local, cloud opt-in.\n",
        "## Billing\n\n- Monthly or annual billing? Annual only at launch.\n",
    ],
)
def test_answered_questions_are_not_open(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "## Unresolved questions\n\n1. Should the flag default to on? Resolved: no.\n"
            "2. Who owns the cache?\n",
            ["Who owns the cache?"],
        ),
        (
            "## Billing\n\nShould we bill annually? We think so, but finance has not agreed.\n",
            ["Should we bill annually?", "not agreed"],
        ),
        (
            "## Design\n\nWhat is the best default view? I'm open to suggestions.\n",
            ["What is the best default view?", "open to suggestions"],
        ),
        # A "?" ending a line is not answered by the next line's statement.
        (
            "## Rollout\nShadow mode for 2 weeks.\nPager owner: ?\nRollback takes 5 minutes.\n",
            ["Pager owner: ?"],
        ),
    ],
)
def test_unanswered_questions_stay_open(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Example queries the product answers.
        "## Viewer\n\nThese are queries we aim to answer with the viewer:\n"
        "* Which objects hold the most memory?\n* What keeps this object alive?\n",
        "## Assistant\n\nUsers can ask questions such as:\n- What is my runway?\n"
        "- How much did I spend on food?\n",
        # Type notation and optional chaining.
        "## Data model\n\n- Settings: theme (string), autoLoad:boolean?, locale.\n",
        "## Data model\n\n- The client reads user?.profile when present.\n",
        # Rhetorical framing in motivation and background.
        "## Motivation\n\nWhy do teams abandon dashboards? Nobody trusts the numbers.\n",
        "## Background\n\nHow do people track runway today?\n\nMostly in spreadsheets.\n",
        # A table header cell.
        "## Scope\n\n| Feature | Required? |\n|---|---|\n| SSO | Yes |\n",
    ],
)
def test_questions_the_document_does_not_ask(text: str) -> None:
    assert _matches(text) == []


def test_an_open_lead_in_keeps_its_listed_questions_open() -> None:
    text = (
        "## Unresolved questions\n\nThe open questions are about the UI, for example:\n\n"
        "1. Should one example show by default?\n"
    )
    assert _matches(text) == ["Should one example show by default?"]


@pytest.mark.parametrize(
    "text",
    [
        "## Roadmap\n\n| Item | Status |\n|---|---|\n| Export | TODO |\n| Import | ❌ Pending |\n",
        "## Roadmap\n\n**Status:** Pending\n",
        "## Requirements\n\n- The system shall allow the export format to be specified.\n",
        "## Issues\n\nThe biggest issues customers face are the yet-to-be-built product gaps.\n",
        "## Requirements\n\n- The admin can choose the retention period.\n",
        "## Requirements\n\n- Settings let each team to decide its own theme.\n",
        "## Background\n\nThe old tool is out of sync, so we will perhaps rewrite it.\n",
        "## Rationale\n\nWe can probably build a better viewer without great effort.\n",
        "## Alternatives\n\nI'm not sure what a separate page would look like.\n",
        "## Guidance\n\n1. Use [NEEDS CLARIFICATION: question] for any guess you make.\n",
    ],
)
def test_word_sense_status_ability_hedge_and_mention(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Requirements\n\n- Export format: TODO\n", ["TODO"]),
        ("## Requirements\n\n- The export format is to be specified.\n", ["to be specified"]),
        ("## Requirements\n\n- Probably support CSV import.\n", ["Probably"]),
        (
            "## Requirements\n\n- FR-7: Retain data for [NEEDS CLARIFICATION: period].\n",
            ["NEEDS CLARIFICATION"],
        ),
        (
            "## Checklist\n\n- [ ] No [NEEDS CLARIFICATION] markers remain (pending answers)\n",
            ["pending answers"],
        ),
    ],
)
def test_the_same_words_stay_open_where_they_decide(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Pricing\n\nThe discount rule is to be settled later.\n", "is to be settled later"),
        ("## Scope\n\nOffline mode is left for a later release.\n", "left for a later release"),
        ("## Extensions\n\n- Plugin API (considering for v2.0)\n", "considering for v2.0"),
        (
            "## Format\n\nWe will weigh it more before making a decision.\n",
            "before making a decision",
        ),
        ("## Perf\n\n- Frame budgets to be codified before implementation.\n", "to be codified"),
        ("## Editor\n\nLong text wraps (truncation approach deferred).\n", "approach deferred"),
        ("## Scope\n\nTouch selection may be deferred.\n", "may be deferred"),
        ("## Design\n\nOne possible way would be a debug handler.\n", "One possible way"),
        (
            "## Delete\n\nThe node is removed (if a confirmation step is required).\n",
            "if a confirmation step is required",
        ),
        ("## Design\n\nThe proposal is open at this point.\n", "is open at this point"),
        ("## Plan\n\n- If churn stays high: Pivot or iterate\n", "Pivot or iterate"),
        ("## Plan\n\n- Build or buy\n", "Build or buy"),
        ("## Milestones\n\n_To be prioritized and posted_\n", "To be prioritized"),
        (
            "## Themes\n\n_All of these themes are yet-to-be-validated with user research._\n",
            "yet-to-be-validated",
        ),
    ],
)
def test_unresolved_choices_and_deferrals(text: str, expected: str) -> None:
    assert expected in _matches(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "## Later\n\n- Explore if we should let creators pick the subject line\n",
            ["Explore if"],
        ),
        ("## Later\n\n- Explore generating submission references\n", ["Explore generating"]),
        (
            "## Phase 3\n\n- Evaluate whether a thin CLI wrapper is worth its upkeep.\n",
            ["Evaluate whether"],
        ),
        ("## Later\n\n- Understand if there is any need for delivery metrics\n", ["Understand if"]),
        # Behaviour, a cause to find and a metric's purpose cell leave no decision open.
        ("## Browse\n\nUsers can explore the catalog by category.\n", []),
        ("## Personas\n\nFinance leads want to:\n\n- Understand how much each team spends\n", []),
        ("## Alerts\n\n- If the rate drops: Investigate why and follow up\n", []),
        (
            "## Metrics\n\n| Metric | Purpose |\n|---|---|\n"
            "| Exposed users | Understand how many people are notified |\n",
            [],
        ),
    ],
)
def test_research_the_team_still_has_to_do_opens_its_sentence(
    text: str, expected: list[str]
) -> None:
    assert _matches(text) == expected


def test_questions_a_lead_in_says_must_still_be_answered_stay_open() -> None:
    text = (
        "## Design\n\nThe design will need to answer the following questions:\n\n"
        "* Where does a defaulted filter sit in the list?\n"
    )
    assert _matches(text) == [
        "need to answer the following questions",
        "Where does a defaulted filter sit in the list?",
    ]
    lead = "Below are the questions that must be addressed during the implementation:"
    assert _matches(f"## Open\n\n{lead}\n\n1. Will we render it?\n") == [
        "questions that must be addressed",
        "Will we render it?",
    ]
    # Questions the product answers for its users are not the document asking.
    text = "## Home\n\nEvery screen should answer one of these:\n\n- What changed today?\n"
    assert _matches(text) == []


def test_content_the_document_promises_instead_of_giving_is_open() -> None:
    # A section whose only content is "coming soon" is a placeholder, and promises no speed.
    findings = review("## Rough-in designs\n\n*coming soon*\n\n## Goals\n\nShip it.\n")
    assert [(f.category, f.match) for f in findings] == [("open_question", "*coming soon*")]
    assert _matches("## Plan\n\nMore technical details will be available in the coming days.\n")
    assert _matches("## Repos\n\n- Pin repos (more on this in coming Repository work)\n")
    assert _matches("## New projects\n\nThere will be a separate doc on the new project flow.\n")
    # Naming what is coming, or pointing further into this document, leaves nothing open.
    assert _matches("## FAQ\n\n**Coming soon:** Native apps (Q3 2026)\n") == []
    assert _matches("## Goals\n\nWe want to be better together (more on this later).\n") == []


def test_channels_listed_with_or_are_not_a_choice() -> None:
    assert _matches("## Notify\n\n- Channels: email or SMS\n") == []


def test_items_under_an_open_issues_heading_are_open_at_info() -> None:
    text = (
        "## Open issues\n\nMuch of this is open, including:\n* the dump format\n"
        "* the backend packages\n\n## Next\n\n- ship the beta\n"
    )
    found = _open(text)
    assert [f.match for f in found] == ["the dump format", "the backend packages"]
    assert {f.severity for f in found} == {"info"}
    assert {f.rule for f in found} == {"open-question-line"}


def test_items_under_a_bold_open_questions_label_are_open_at_info() -> None:
    text = (
        "## Selection\n\n**Open Questions / Clarifications Needed**\n"
        "- Touch support scope now or later?\n- Performance target to formalise FR-16.\n\n"
        "**Assumptions**\n- Overlap counts as selected.\n"
    )
    found = _open(text)
    assert [f.match for f in found] == [
        "Touch support scope now or later?",
        "Performance target to formalise FR-16.",
    ]
    assert {f.severity for f in found} == {"info"}


@pytest.mark.parametrize(
    "text",
    [
        "## Open Questions\n\nNone.\n",
        "## Open Questions\n\n- ~~Who owns billing~~ (finance)\n",
        "## Open Questions (Resolved)\n\n1. **Recursion depth** — configurable, default 10\n",
        "## Open Questions\n\n1. **Undo scope** — ✅ single action\n",
        "## Open Questions\n\nNo questions remain open; see the decision log.\n",
    ],
)
def test_closed_items_under_open_questions_ask_nothing(text: str) -> None:
    assert _matches(text) == []


def test_an_empty_template_table_row_is_an_error() -> None:
    text = (
        "## Revision history\n\n| Name | Date | Reason |\n|---|---|---|\n"
        "| Ana | 2024-01-01 | First draft |\n|   |   |   |\n"
    )
    (finding,) = _open(text)
    assert (finding.rule, finding.severity, finding.line) == ("empty-table-row", "error", 6)
    assert text[finding.start : finding.end] == finding.match == "|   |   |   |"
    assert "empty-table-row" in {rule.id for rule in all_rules()}


def test_a_problem_statement_frames_questions_but_product_decisions_stay_open() -> None:
    text = (
        "## Problem statement\n\nHow do shoppers track orders today? Mostly by email.\n"
        "Why do merchants churn?\n\nHow will merchants be billed?\n"
    )
    assert _matches(text) == ["How will merchants be billed?"]


def test_an_introduction_poses_the_questions_its_sections_answer() -> None:
    # Under an Overview heading, and under the title before the first section.
    text = (
        "# Reunion developer experience\n\nWhat does developer experience mean?\n\n"
        "## 1.0 Overview\n\n1. How does an existing UWP developer move forward?\n"
        "2. What should the default template be?\n\n## 2.0 Design\n\nWhich SDK do we pin?\n"
    )
    # A question about what the team should or will do stays open there; every question
    # outside the introduction too.
    assert _matches(text) == ["What should the default template be?", "Which SDK do we pin?"]
    # With several level-1 headings, each is a section, not a title.
    text = "# Goals\n\nShip it.\n\n# Storage\n\nWhich database is used for audit logs?\n"
    assert _matches(text) == ["Which database is used for audit logs?"]


def test_a_paragraph_under_open_questions_raises_an_issue_in_its_first_sentence() -> None:
    # The issue opens the paragraph; the sentences after it explain it.
    text = (
        "## Open Questions\n\nIt will be important to let extensions link their own docs. "
        "Operators asked for it.\n\n"
        "### Automated cleanup\n\nTools like docker offer an automated cleanup. "
        "The commands here do not cover it.\n"
    )
    assert _matches(text) == [
        "It will be important to let extensions link their own docs.",
        "Tools like docker offer an automated cleanup.",
    ]
    # Not when it discusses the question before it, names the questions, leads into a list,
    # answers, or is not under Open questions at all.
    text = (
        "## Open Questions\n\nWho owns the token store?\n\nThe platform team runs storage.\n\n"
        "None of these block the beta questions.\n\nNotes:\n\n"
        "## Design\n\nIt will be important to let extensions link their own docs.\n"
    )
    assert _matches(text) == ["Who owns the token store?"]


def test_a_section_lead_poses_the_questions_its_subsections_take_up() -> None:
    # "This design needs to cover:" above "### Flow file representation" and "#### Editing a
    # group": the subsections answer them, as a document's sections answer its introduction.
    text = (
        "# Grouping\n\n## Details\n\nThis design needs to cover:\n\n"
        "- How is a group represented in the flow file?\n- How are its properties edited?\n\n"
        "### Flow file representation\n\nA group is a node of type `group`.\n\n"
        "### Editing a group\n\nDouble-click opens the edit dialog.\n"
    )
    assert _matches(text) == []
    # Open: no subsection takes it up, it asks what the team should do, it has no
    # subsections below it, or it sits under Open questions.
    text = (
        "# Grouping\n\n## Details\n\n- Can a group be locked?\n"
        "- Which colour should a new group get?\n\n### Flow file representation\n\nJSON.\n\n"
        "## Editing\n\nHow are group properties edited?\n\n"
        "## Open questions\n\n- How is a group represented in the flow file?\n\n"
        "### Flow file representation\n\n```json\n{}\n```\n"
    )
    assert _matches(text) == [
        "Can a group be locked?",
        "Which colour should a new group get?",
        "How are group properties edited?",
        "How is a group represented in the flow file?",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "## Pricing\n\n**How does pricing work?**\n\nYou pay per seat, billed monthly.\n",
        "## Pricing\n\n**Can I pay yearly?**\nYes, with a 10% discount.\n",
        "## Offline\n\nQ: Does it work offline?\nThe app keeps the last 7 days on the device.\n",
        "## Pricing\n\n1. **Can I cancel?** You can cancel from Settings at any time.\n",
    ],
)
def test_faq_style_questions_head_their_answers(text: str) -> None:
    assert _matches(text) == []


def test_a_labelled_question_followed_by_context_stays_open() -> None:
    text = "## Pricing\n\n**Question:** Do we charge for exports?\n\nIt affects the deck.\n"
    assert _matches(text) == ["Question:** Do we charge for exports?"]


def test_template_guidance_in_brackets_is_a_placeholder() -> None:
    text = (
        "# Feature Specification: [FEATURE NAME]\n\n**Created**: [DATE]\n\n"
        "### User Story 1 - [Brief Title] (Priority: P1)\n\n"
        "[Describe this user journey in plain language]\n\n"
        "**Why this priority**: [Explain the value]\n\n"
        "1. **Given** [initial state], **When** [action], **Then** [expected outcome]\n"
        "- **FR-001**: System MUST [specific capability, e.g., export]\n"
    )
    found = _open(text)
    assert {f.rule for f in found} == {"placeholder"}
    assert {f.severity for f in found} == {"error"}
    assert sorted({f.line for f in found}) == [1, 3, 5, 7, 9, 11, 12]


@pytest.mark.parametrize(
    "text",
    [
        "## Links\n\nSee [prior art notes] for details.\n\n[prior art notes]: https://e.com\n",
        "## Tasks\n\n- [ ] Write tests\n- [x] Ship it\n",
        "## Refs\n\nAs shown in [1] and [2].\n",
        "## Notes\n\nUse the [Save Draft] button or the [beta] flag.\n",
        "## Links\n\nRead the [design doc](https://example.com/doc).\n",
    ],
)
def test_links_checkboxes_citations_and_labels_are_not_placeholders(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "## Questions\n| Question | Outcome |\n|---|---|\n| Does it bond? | Yes, up to 4. |\n"
            "| Do we need Auto? | |\n",
            ["Do we need Auto?"],
        ),
        (
            "## Open Questions\n| Question | Owner | Due |\n|---|---|---|\n"
            "| Which region? | Ana | May 1 |\n",
            ["Which region?"],
        ),
        (
            "## Open Questions\n| # | Question | Status |\n|---|---|---|\n"
            "| 1 | Which region? | Resolved |\n| 2 | Which currency? | Open |\n",
            ["Which currency?"],
        ),
        (
            "## Risks\n| Risk | Mitigation |\n|---|---|\n"
            "| Will partners adopt it? | Pilot with 3 partners first |\n",
            [],
        ),
    ],
)
def test_a_table_row_answers_its_question_only_in_an_answer_column(
    text: str, expected: list[str]
) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "## Tooling\n\nOther tools parse the manifest to figure out what a dependency is.\n",
        "## Future\n\nA later proposal could add a way to choose the layout.\n",
        "## Keys\n\n* The `workspace` key (defined later in this proposal) is not allowed.\n",
        "## Keys\n\nThe version, if not specified, is inferred from the path.\n",
        "## Safety\n\nLittle can be done here (in the long run we could imagine a sanitizer).\n",
        "## Editions\n\n**What might an edition contain?** Three features are in progress.\n",
        "## Sizing\n\nWhy 16? Why not 15 or 14?\n\nThe append function doubles the slice each time.\n",
        "## Unresolved questions\n\nThis RFC does not depend on the question being resolved.\n",
    ],
)
def test_abilities_forward_references_conditions_and_explained_questions(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Pricing\n\nWe still need to decide between seats and usage.\n", "need to decide"),
        ("## Pricing\n\nThe tiers are yet to choose.\n", "yet to choose"),
        ("## Sync\n\nConflict handling will be defined later.\n", "will be defined later"),
    ],
)
def test_decisions_someone_owes_stay_open(text: str, expected: str) -> None:
    assert any(expected in match for match in _matches(text))


def test_a_bullet_holding_only_inline_code_is_not_empty() -> None:
    text = "## Storage\n\n- Buckets for:\n  - `entry-photos`\n  - <!-- none -->\n  -\n"
    found = _open(text)
    assert [(f.rule, f.line) for f in found] == [("empty-bullet", 6)]


def test_only_the_question_part_of_a_mixed_heading_asks() -> None:
    text = (
        "## 9. Open Questions & Future Considerations\n\n### 9.1 Open Questions\n"
        "- Which gestures erase?\n- Camera mirroring in the output\n\n"
        "### 9.2 Future Enhancements\n- Gesture calibration wizard.\n\n"
        "## Open Questions\n\n### Pricing\n- Seat or usage pricing\n"
    )
    assert _matches(text) == [
        "Which gestures erase?",
        "Camera mirroring in the output",
        "Seat or usage pricing",
    ]


def test_what_others_will_see_defers_nothing() -> None:
    text = "## Stories\n\n- As a caller, I want a preview so I can confirm what others will see.\n"
    assert _matches(text) == []
    assert _matches("## Launch\n\nPricing: we'll see after the beta.\n") == ["we'll see"]


def test_a_status_icon_marks_todo_and_pending_as_work_status() -> None:
    text = "## Progress\n\n- Export — ✅ Done\n- Import — ⏳ Pending\n- Sync: ❌ TODO\n"
    assert _matches(text) == []
    assert _matches("## Progress\n\n- Import format: TODO\n") == ["TODO"]


def test_spec_kit_clarifications_are_answered_and_markers_reported_once() -> None:
    clarified = (
        "## Clarifications\n\n### Session 2025-09-30\n\n"
        "- Q: Should deleted maps be recoverable? → A: No, deletion is permanent.\n"
    )
    assert _matches(clarified) == []
    marker = "## Requirements\n\n- FR-6: Sign in via [NEEDS CLARIFICATION: SSO or OAuth?]\n"
    assert [f.rule for f in _open(marker)] == ["deferred-decision"]


def test_a_struck_out_question_is_withdrawn() -> None:
    text = "## Open Questions\n\n- ~~Should we cache per tenant?~~ Yes.\n- Who owns billing?\n"
    assert _matches(text) == ["Who owns billing?"]
    # In body text too, where the scan blanks the struck words (the "?" with them), so no
    # question check has to look for the tildes; a question after the strike still asks.
    body = (
        "## Caching\n\nResults are cached for 10 minutes. ~~Should we cache per tenant?~~\n"
        "- ~~Do we cache per user?~~ Dropped.\n- Who owns the cache?\n"
    )
    assert _matches(body) == ["Who owns the cache?"]


def test_a_fill_me_in_note_is_a_placeholder() -> None:
    text = "- Start Date: (fill me in with today's date, YYYY-MM-DD)\n"
    assert _matches(text) == ["(fill me in with today's date, YYYY-MM-DD)"]


@pytest.mark.parametrize(
    "text",
    [
        # A run of questions that the next sentence answers.
        "## Alternatives\n\nWhat if the GC has no heap goal? Should the runtime expose GC ends? "
        "It suffices to say that we avoid relying on either.\n",
        # The one item nested under a question item answers it.
        "## Syntax\n\n- Why `abstype` rather than `type`?\n  - Two reasons: clarity and forward "
        "compatibility with bare trait syntax.\n",
        "## Impact\n\nFactors to weigh:\n\n- How many crates are affected?\n  - This is a general "
        "proxy for the overall impact, for example on the private crates that are not listed.\n"
        "- Does the change break code silently? Or only at compile time?\n  - Compilation "
        "failures are easier to diagnose.\n",
    ],
)
def test_questions_answered_after_a_run_or_in_a_nested_item_are_not_open(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A run with no answer after it stays open, every question of it.
        (
            "## Billing\n\nWho approves refunds? What is the limit?\n",
            ["Who approves refunds?", "What is the limit?"],
        ),
        # Options listed under a question item are no answer.
        ("## Storage\n\n- Which database?\n  - Postgres\n  - MySQL\n", ["Which database?"]),
        # A nested item that defers is no answer either.
        (
            "## Storage\n\n- Which database?\n  - To be decided with the platform team.\n",
            ["Which database?", "To be decided"],
        ),
    ],
)
def test_unanswered_runs_and_option_lists_stay_open(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # A possibility or a counterfactual, not an option weighed.
        "## Design\n\nWe may have missed some overflow cases.\n",
        "## Design\n\nIn this example we could just as well have used a plain function.\n",
        "## Design\n\nWith ELF cores we might be able to drop the custom dump format.\n",
        "## Design\n\nThe runtime could not possibly know about external memory.\n",
        # Put off to later: a scoping statement.
        "## Proposal\n\nIn the future we may also support `normal`, but it is rarely used.\n",
        # An example introduced, not a choice.
        "## Design\n\nFor a generic argument we might write:\n\n```rust\nfn f(x: impl T) {}\n```\n",
        "## Teaching\n\nWe could then add a fourth iterator like this:\n\n- `CellIter<T>`\n",
        # Sketches of what may come later, and hopes.
        "## Future possibilities\n\nWe could allow `final` on associated consts.\n",
        "## Detailed design\n\nHopefully the process will take about a year.\n",
        # Forward pointers and conditions.
        "## Motivation\n\nIt also opens the door to new locations, as we'll see.\n",
        "## Process\n\nThe RFC is closed if the team thinks it is not specified in enough detail.\n",
    ],
)
def test_possibilities_examples_and_pointers_leave_no_choice_open(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Rollout\n\nWe might launch in Canada first.\n", ["We might"]),
        ("## Storage\n\nMaybe we keep audit logs in S3 instead of Postgres.\n", ["Maybe"]),
        (
            "## Rollout\n\nWe may have to choose between the two vendors.\n",
            ["We may", "have to choose between"],
        ),
        # An open-ended alternative stays open even in a sketch of later work.
        (
            "## Future possibilities\n\nRank the examples by diversity (or something like that).\n",
            ["or something like that"],
        ),
        ("## Rollout\n\nAs a pilot, we'll see.\n", ["we'll see"]),
    ],
)
def test_choices_still_open(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Proposed for thought, not decided.
        (
            "## Design\n\nIn a v2 API, we should consider making `Failed` the default.\n",
            ["we should consider"],
        ),
        # Notes to self that open their sentence.
        (
            "## Submission\n\n*Confirm exact submission mechanics with the MDBA contact.*\n",
            ["Confirm exact submission mechanics with the MDBA contact"],
        ),
        (
            "## Metrics\n\n*Replace these with the official weights once MDBA supplies them.*\n",
            ["Replace these with the official weights once"],
        ),
        (
            "## Metrics\n\nThe weights are placeholders until the rubric arrives.\n",
            ["placeholders until"],
        ),
        # Facts nobody has been told yet.
        (
            "## Sponsors\n\nChainlink is a sponsor (per-sponsor terms unpublished — ask at kickoff).\n",
            ["unpublished"],
        ),
        # The sign-off itself, and each box not ticked under it.
        (
            "## Approval\n\nThis design document requires approval from:\n- [ ] Engineering Lead\n"
            "- [x] QA Lead\n",
            ["This design document requires approval", "Engineering Lead"],
        ),
        ("## Sign-off\n\n- [ ] Legal\n", ["Legal"]),
    ],
)
def test_deferred_decisions_without_a_question_mark(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


def test_an_unchecked_sign_off_has_its_own_rule() -> None:
    (finding,) = _open("## Approval\n\n- [ ] Security Team\n")
    assert (finding.rule, finding.severity, finding.line) == ("pending-sign-off", "warning", 3)
    assert "Security Team" in finding.message
    assert "pending-sign-off" in {rule.id for rule in all_rules()}


@pytest.mark.parametrize(
    "text",
    [
        # A task list is work status, not a sign-off.
        "## Tasks\n\n- [ ] Write the importer\n- [ ] Ship the beta\n",
        # A flow step, not a note to self.
        "## Support\n\nAgents verify the address with the customer before a refund.\n",
        # A person in a story is unsure; the document is not.
        "## Scenario\n\nMarcus sees new warnings. He's not sure about them, so he pins the level.\n",
        # The order of steps, and an input users give.
        "## Design\n\nSince the level will be defined earlier, targets can read it.\n",
        "## Validation\n\nManifests support zero or one command value to be specified.\n",
        # Approval as a product rule has no boxes to tick.
        "## Refunds\n\nRefunds over $500 require approval from a manager.\n",
    ],
)
def test_deferral_words_that_defer_nothing(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Goals\n\n- Potentially stabilize an error reporting type.\n", ["Potentially"]),
        ("## Timeline\n\nSix months to two years, I'd guess.\n", ["I'd guess"]),
        (
            "## Design\n\nThere are several possible approaches to detecting changes. Another "
            "possibility is to not detect them at all.\n",
            ["several possible approaches", "Another possibility is"],
        ),
        (
            "## Future work\n\nWe are also considering PGO for memory behaviour.\n",
            ["We are also considering"],
        ),
        (
            "## Packages\n\nDetails still need to be considered.\n",
            ["Details still need to be considered"],
        ),
        (
            "## Stability\n\nWe plan to tackle this on a case-by-case basis.\n",
            ["tackle this on a case-by-case"],
        ),
        # A hedged choice in a sketch of future work stays open.
        (
            "## Future work\n\nPerhaps it is better to leave the flag out.\n",
            ["Perhaps"],
        ),
    ],
)
def test_tentative_plans_and_unpicked_options_are_open(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "## Risks\n\nA malformed profile could potentially crash the build.\n",
        "## Libraries\n\nImplement `Error` on a possibly non-exhaustive enum.\n",
        "## Future work\n\nWe could also have a collect-a-profile API for PGO.\n",
    ],
)
def test_risks_attributes_and_listed_additions_are_not_open(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Questions the product answers for its users.
        ("## Home\n\nHome must answer:\n\n- What is my score?\n- Who is ahead?\n", []),
        (
            "## Screens\n\nEvery major screen should answer at least one of these:\n\n"
            "- How many proofs do I have left?\n",
            [],
        ),
        # Questions the team must answer are open.
        (
            "## Launch\n\nWe must answer these:\n\n- Who owns support?\n",
            ["Who owns support?"],
        ),
    ],
)
def test_questions_the_product_answers_are_not_open(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # A key named, and the titles of cited pages and issues.
        "## Bugs\n\n- Powershell: Ctrl-Alt-? does not work in the terminal [#3079]\n",
        "## Bugs\n\n- Something wrong with keyboard modifiers processing? [#1694]\n",
        "## Feedback\n\n- [How to create a gamepad event in JavaScript?](https://example.com/q/1)\n",
        # A pitch for what the document proposes.
        "## Abstract\n\nWhat if the user didn't have to duplicate this action? What if the user "
        "could name it once?\n",
    ],
)
def test_keys_citations_and_pitches_ask_nothing(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # A step in a walk-through, a stated default, a recommendation, an HTML element.
        "## Design\n\nWe could now split `B` in two horizontally, creating a third pane.\n",
        "## Parameters\n\nIf omitted, then the parameter will be left blank.\n",
        "## Audio\n\nThe recommendation for this proposal is to choose option 3.\n",
        "## Proposal\n\nCombined with local references in <link> tags, sheets can be shared.\n",
        # A doubt about an option that was considered and set aside.
        "## Options considered\n\nI'm not sure any client apps read this mode.\n",
    ],
)
def test_walkthroughs_defaults_recommendations_and_set_aside_options_are_not_open(
    text: str,
) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Export\n\nIf omitted, we lose the audit trail.\n", ["If omitted"]),
        ("## Pricing\n\nFinance is to decide the tiers.\n", ["is to decide"]),
    ],
)
def test_omissions_and_owed_decisions_stay_open(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # A file and an entry in it, not a placeholder.
        "## Introduction\n\nThis spec adds a provider (doc/TODO.md, Cloud section).\n",
        "## Introduction\n\nThe certificate provider the TODO entry named is out of scope.\n",
        # An EARS / RFC 2119 requirement that something is defined.
        "## Requirements\n\n1. A `client_config` struct SHALL be defined in the header.\n",
        # A deferral denied.
        "## Findings\n\nThe canonical form is not a paraphrase to be confirmed later; it is verified.\n",
    ],
)
def test_files_requirements_and_denied_deferrals_are_not_open(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Limits\n\nTODO.\n", ["TODO"]),
        ("## Limits\n\nThe retention period will be defined later.\n", ["will be defined later"]),
    ],
)
def test_placeholders_and_deferrals_still_found(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Spec Kit edge cases answered after a dash, or at length in the next sentence.
        "## Edge Cases\n\n- What happens when a user submits the form many times? — Rate limiting "
        "applies: after 10 failed attempts the account is locked for 15 minutes.\n",
        "## Edge Cases\n\n- What happens if two children share a first name? System requires "
        'unique first names; the parent adds an identifier (e.g., "Tommy J" vs "Tommy M").\n',
        # A number format shown by example.
        "## Requirements\n\n- **FR-002**: Balances use the local currency format (e.g., $XX.XX "
        "for USD).\n",
    ],
)
def test_edge_cases_answered_in_line_and_format_examples_are_not_open(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "## Edge Cases\n\n- What happens if the display name is only whitespace?\n",
            ["What happens if the display name is only whitespace?"],
        ),
        ("## Limits\n\n| PAY-7 | Daily limit per seller: $XX,XXX. | P0 |\n", ["XX", "XXX"]),
    ],
)
def test_unanswered_edge_cases_and_unfilled_amounts_stay_open(
    text: str, expected: list[str]
) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # A paragraph that only asks, and the paragraph after it that says how.
        "## Sync\n\nHow do reminders behave across time zones?\n\n"
        "They fire at the local time the user picked.\n",
        # The same, hard-wrapped into one paragraph.
        "## Sync\n\nWhat happens to a reminder whose list is deleted?\n"
        "It is deleted with the list within 60 seconds.\n",
        # A question item and the item's own next paragraph.
        "## Scope\n\n- How are foreign expenses converted?\n\n"
        "  At the card network's rate on the transaction date.\n\n- Who approves? The manager.\n",
    ],
)
def test_a_question_that_stands_alone_is_answered_by_the_statement_after_it(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # What follows asks again, hedges, comments on the question or leads into options.
        (
            "## Sync\n\nShould reminders sync to the watch?\n\nDo we show them on the lock "
            "screen? Yes, by default.\n",
            ["Should reminders sync to the watch?"],
        ),
        (
            "## Sync\n\nShould reminders sync to the watch?\n\nIt depends on the watch team.\n",
            ["Should reminders sync to the watch?"],
        ),
        (
            "## Migration\n\nHow will we migrate legacy accounts?\n\nThis matters for 40% "
            "of users.\n",
            ["How will we migrate legacy accounts?"],
        ),
        (
            "## Billing\n\nHow are partial uploads billed?\n\nOptions:\n\n- Per byte\n- Per object\n",
            ["How are partial uploads billed?"],
        ),
        # A question after a lead-in is asked of the team, whatever follows.
        (
            "## Payouts\n\nWe need to decide: do small balances roll over?\n\n"
            "Partners are paid monthly.\n",
            ["We need to decide: do small balances roll over?"],
        ),
        # Under an Open questions heading a statement after a question is no answer.
        (
            "## Open questions\n\nWho owns the token store?\n\nThe platform team runs storage.\n",
            ["Who owns the token store?"],
        ),
    ],
)
def test_a_question_followed_by_no_statement_of_its_answer_stays_open(
    text: str, expected: list[str]
) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Copy the product shows its user.
        "## UX\n\nOn close the editor shows a dialog: Do you want to save your changes?\n",
        "## UX\n\n- Confirmation dialog: **Discard this draft?** with two buttons.\n",
        "## UX\n\nThe empty state reads: Nothing here yet. Want to start from a template?\n",
        "## UX\n\n| Trigger | Prompt copy |\n|---|---|\n| Closing | Save changes first? |\n",
        # Questions a researcher asks participants.
        "## Research\n\nWe will ask five writers in each interview:\n\n"
        "1. How often do you lose work today?\n2. Would you trust autosave?\n",
        "## Survey\n\n- How likely are you to recommend us to a friend?\n",
        # Example queries the product understands.
        "## Assistant\n\nIt should understand questions like:\n\n- Where is my refund?\n",
    ],
)
def test_questions_put_to_the_user_or_a_participant_are_not_the_team_asking(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Options weighed for a UI element, and a decision about one, are the team's.
        ("## UX\n\n- Banner: top or bottom?\n", ["Banner: top or bottom?"]),
        (
            "## UX\n\nToast copy: should we show it on mobile?\n",
            ["Toast copy: should we show it on mobile?"],
        ),
        (
            "## UX\n\n| Trigger | Question | Owner |\n|---|---|---|\n| Closing | Autosave? | Ana |\n",
            ["Autosave?"],
        ),
    ],
)
def test_questions_about_copy_are_still_the_teams(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "## Design\n\n### How will this work with existing SDKs?\n\nExisting SDKs keep the "
        "single-shot call; resumable uploads are a new method.\n",
        # Subsections answer it.
        "## Pricing\n\n### How does pricing work?\n\n#### Free\n\n3 projects.\n\n#### Team\n\n"
        "$12 per seat.\n",
        # A list answers a question that asks for a list.
        "## Goals\n\n### What are the goals?\n\n- Faster setup\n- Fewer tickets\n",
        # Framing in a Background section.
        "## Background\n\n### Why do uploads fail?\n\n",
        # The answer opens the body of a question under Unresolved questions.
        "## Unresolved questions\n\n### Which region first?\n\nResolved: EU, in March.\n",
    ],
)
def test_a_question_heading_is_answered_by_its_section(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Nothing under it, or only the options.
        (
            "## Design\n\n### Who owns the token store?\n\n### Is it billed?\n\nYes, per byte.\n",
            ["Who owns the token store?"],
        ),
        (
            "## Design\n\n### How are partial uploads billed?\n\n- Per stored byte\n"
            "- Per completed object\n",
            ["How are partial uploads billed?"],
        ),
        # Under Unresolved questions the body discusses it; it is still open.
        (
            "## Unresolved questions\n\n### Should flags cascade?\n\nWe lean toward yes.\n",
            ["Should flags cascade?"],
        ),
    ],
)
def test_a_question_heading_with_no_answer_below_stays_open(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


def test_a_template_question_is_answered_by_the_list_of_statements_under_it() -> None:
    text = (
        "## Dependencies\n\nWhich services must be live before work starts?\n\n"
        "- **Auth:** single sign-on shipped in the Q2 release, for all staff accounts.\n"
        "- **Billing:** the invoice API, already in production.\n"
    )
    assert _matches(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Bare options under it.
        (
            "## Storage\n\nWhich database should back the queue?\n\n- Postgres\n- Redis\n",
            ["Which database should back the queue?"],
        ),
        # A question between alternatives, the pros and cons of each below.
        (
            "## Launch\n\nDo we launch in the EU or the US first?\n\n"
            "- EU: the largest waitlist, 40% of all sign-ups so far.\n"
            "- US: three resellers are ready to sell on day one.\n",
            ["Do we launch in the EU or the US first?"],
        ),
        # An item that defers.
        (
            "## Security\n\nWho reviews public translations?\n\n"
            "- To be decided with the content team once the process is drafted.\n",
            ["Who reviews public translations?", "To be decided"],
        ),
    ],
)
def test_a_question_over_options_or_a_deferral_stays_open(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The example under a question that stands alone shows the answer.
        ("## API\n\nWhat would the config look like?\n\n```yaml\nretries: 3\n```\n", []),
        # Unless it asks between alternatives.
        (
            "## API\n\nShould the config be YAML or JSON?\n\n```yaml\nretries: 3\n```\n",
            ["Should the config be YAML or JSON?"],
        ),
        # Reported speech is someone else asking; a question raised for the team is not.
        ("## Research\n\nOne admin told us: why can't I export the audit log?\n", []),
        (
            "## Research\n\nLegal asked: do we need consent for minors?\n",
            ["Legal asked: do we need consent for minors?"],
        ),
    ],
)
def test_an_example_answers_and_reported_speech_does_not_ask(
    text: str, expected: list[str]
) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        # A topic in bold and the decision stated after it: nothing left open.
        ("- **Data retention:** 30 days by default, 90 on Enterprise.", []),
        ("- **Telemetry:** Opt-in only, a minimal event set.", []),
        ("- **Success threshold:** Target 85% task completion.", []),
        # A topic with the question, the options or no decision after it stays open.
        ("- **Pricing:** whether to charge per seat", ["**Pricing:** whether to charge per seat"]),
        ("- **Storage:** Postgres only or DynamoDB", ["**Storage:** Postgres only or DynamoDB"]),
        (
            "- **Localization scope** for the first release",
            ["**Localization scope** for the first release"],
        ),
    ],
)
def test_an_open_questions_item_that_states_its_decision_is_closed(
    item: str, expected: list[str]
) -> None:
    assert _matches(f"## Open questions\n\n{item}\n") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A possibility put off to later, the time after the hedge: a scoping statement.
        ("## Scope\n\nWe may support SSO in a future release.\n", []),
        ("## Metrics\n\nNot in scope, but we may want to track accuracy in the future.\n", []),
        ("## Scope\n\nWe may support SSO for enterprise tenants.\n", ["We may"]),
        # A hedge in a checked item says how a done thing was done.
        ("## Done\n\n- [x] Services are live in PROD (maybe behind a flag)\n", []),
        ("## Done\n\n- [ ] Services are live in PROD (maybe behind a flag)\n", ["maybe"]),
        ("## Done\n\n- [x] Retention period: TBD\n", ["TBD"]),
    ],
)
def test_hedges_put_off_to_later_or_in_done_items_leave_nothing_open(
    text: str, expected: list[str]
) -> None:
    assert _matches(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An option turned down, with its reason, in the simple past.
        ("## Alternatives\n\nOther layouts were not chosen because they hide the toolbar.\n", []),
        ("## Alternatives\n\nThe vendor was not selected due to cost.\n", []),
        # Not chosen yet, whatever the reason, is still open.
        (
            "## Vendor\n\nThe vendor has not been chosen yet because legal is reviewing.\n",
            ["has not been chosen"],
        ),
    ],
)
def test_an_option_turned_down_for_a_reason_is_a_decision(text: str, expected: list[str]) -> None:
    assert _matches(text) == expected


def test_framing_questions_that_the_document_answers_are_not_open() -> None:
    # A prompt under its heading, answered by a lead-in and the list it introduces.
    prompt = (
        "## Goals\n\n*What do we want from the first release? How do we know it worked?*\n\n"
        "Objectives:\n"
        "* Sellers publish a listing from a phone in under 3 minutes\n"
        "* The catalogue can be updated without a new app release\n"
    )
    assert _matches(prompt) == []
    # The questions a document says it answers, listed in its introduction.
    intro = (
        "## Introduction\n\nThis document answers the questions of:\n"
        "* Which markets do we open first?\n* How will sellers be paid?\n\n"
        "## Markets\n\nWe open in Portugal and Ireland in May.\n"
    )
    assert _matches(intro) == []
    # "What does success look like?" as a heading over a list of measures.
    success = (
        "## What does success look like?\n\n- Weekly active sellers\n- Listings per seller\n"
        "- Repeat buyers\n"
    )
    assert _matches(success) == []


def test_a_question_over_a_lead_in_that_does_not_answer_stays_open() -> None:
    # The lead-in hedges, the list only asks, or the questions are options to choose from.
    for text in (
        "## Goals\n\nWhat do we want from the first release?\n\nMaybe one of these:\n"
        "* Sellers publish a listing from a phone in under 3 minutes\n"
        "* The catalogue can be updated without a new app release\n",
        "## Goals\n\nWhat do we want from the first release?\n\nWe still need to answer:\n"
        "* Which sellers do we invite first?\n* Which markets open first?\n",
        "## Storage\n\nWhich database do we use?\n\nCandidates:\n* Postgres\n* MySQL\n",
    ):
        assert "?" in "".join(_matches(text)), text
    # A heading that asks for a choice between short options stays open, as before.
    assert _matches("## How do we bill?\n\n- Per seat\n- Per workspace\n") == ["How do we bill?"]


def test_a_decision_recorded_under_a_listed_question_closes_it() -> None:
    decided = (
        "## Open questions\n\n"
        "- Do we launch on iOS or Android first?\n"
        "    - I'd lean towards iOS\n"
        "    - **We've decided to launch on iOS first**\n"
        "- **[Beta decision] Invites:** Invite-only until 500 sellers\n"
    )
    assert _matches(decided) == []
    # Without the decision the question stays open; the items under it discuss it and are
    # not open questions of their own.
    undecided = (
        "## Open questions\n\n"
        "- Do we launch on iOS or Android first?\n"
        "    - I'd lean towards iOS\n"
        "    - Android has more sellers in Brazil\n"
        "- Payout schedule for sellers\n"
    )
    assert _matches(undecided) == [
        "Do we launch on iOS or Android first?",
        "Payout schedule for sellers",
    ]
