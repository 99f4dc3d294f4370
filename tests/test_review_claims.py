"""Which vague words are claims: sections, sentence structure, fitting criteria, the lexicon."""

from __future__ import annotations

import pytest

from prd_assistant.review import lexicon, review


def _claims(markdown: str, *, use_nlp: bool = True) -> list[str]:
    return [
        f.match for f in review(markdown, use_nlp=use_nlp) if f.category == "unquantified_claim"
    ]


def _requirement(line: str) -> list[str]:
    return _claims(f"## Requirements\n- {line}\n")


@pytest.mark.parametrize(
    "title",
    [
        "## Problem Statement",
        "### Motivation",
        "#### Competitor analysis",
        "## 2. Background",
        "### User Personas",
        "## About this document",
        "### Meeting minutes (12 May)",
    ],
)
def test_context_sections_at_any_level_make_no_claims(title: str) -> None:
    doc = f"# PRD\n## Requirements\n- The export must be fast.\n{title}\nToday's tools are slow and clunky.\n"
    assert _claims(doc) == ["fast"]
    assert _claims(doc, use_nlp=False) == ["fast"]  # structure needs no language model


def test_a_context_subsection_ends_at_the_next_heading_of_its_level() -> None:
    doc = (
        "## Requirements\n### Motivation\nSearch is slow.\n### Functional\n- Search must be fast.\n"
    )
    assert _claims(doc) == ["fast"]


@pytest.mark.parametrize(
    ("title", "flagged"),
    [
        ("### Goals", ["small"]),
        ("### Objectives", ["small"]),
        ("### Non-Goals", []),
        ("### History", []),
    ],
)
def test_goals_under_motivation_are_commitments_again(title: str, flagged: list[str]) -> None:
    doc = (
        "# TEP\n## Motivation\nReleases today are slow to check.\n"
        f"{title}\n- Identify a small step we can take first.\n"
    )
    assert _claims(doc) == flagged


@pytest.mark.parametrize(
    "sentence",
    [
        "Users find today's tools slow.",
        "Customers complained that exports were slow.",
        "Competitors offer faster onboarding.",
        "Today's tools are slow and clunky.",
        "The problem is that reconciliation takes too long.",
    ],
)
def test_sentences_about_users_competitors_and_the_problem_are_context(sentence: str) -> None:
    assert _requirement(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Users can quickly export their reports.", "quickly"),
        ("Merchants receive notifications in real time.", "real time"),
        ("As a teacher, I want authoring to be fast.", "fast"),
        ("The system must be fast.", "fast"),
    ],
)
def test_requirements_stated_about_people_are_still_claims(sentence: str, flagged: str) -> None:
    assert _requirement(sentence) == [flagged]


@pytest.mark.parametrize(
    "sentence",
    [
        "Add CSV export so that setup feels lighter.",
        "Add CSV export in order to boost adoption.",
        "Add saved filters, to boost adoption.",
    ],
)
def test_purpose_clauses_are_not_judged(sentence: str) -> None:
    assert _requirement(sentence) == []


def test_the_claim_before_a_purpose_clause_is_still_judged() -> None:
    assert _requirement("The dashboard must load fast so that users feel productive.") == ["fast"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Smart Compose suggests replies.",
        "Connect the account to Instant Payouts.",
        "Shortly after launch, we add SSO.",
        "Export in common formats (e.g. CSV, JSON, etc.).",
    ],
)
def test_word_sense_names_ordering_adverbs_and_example_lists(sentence: str) -> None:
    assert _requirement(sentence) == []


def test_an_open_list_without_examples_is_still_open() -> None:
    assert _requirement("Export to CSV, JSON, etc.") == ["etc."]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Fast-loading pages for every report.", "Fast-loading"),
        ("A lightning-fast search box.", "lightning-fast"),
        ("Post to Slack, Teams and similar platforms.", "and similar platforms"),
        ("Resize images with no loss of quality.", "with no loss of quality"),
        ("The print view must closely match the screen layout.", "closely match"),
        ("Mobile spacing should match more closely.", "match more closely"),
        # A quality said to be untouched, with no budget for how much it may move.
        ("The new sync job does not affect battery life.", "not affect battery life"),
        (
            "Background indexing won't degrade the overall latency.",
            "won't degrade the overall latency",
        ),
        ("The plugin poses no significant privacy risks.", "no significant privacy"),
        (
            "Caching adds no new performance, power or availability concerns.",
            "no new performance, power or availability",
        ),
        ("The scheduler picks the optimal slot.", "picks the optimal"),
        ("The assistant recommends the best plan.", "recommends the best"),
        ("Onboarding should delight users.", "delight users"),
    ],
)
def test_phrase_shapes(sentence: str, flagged: str) -> None:
    assert _requirement(sentence) == [flagged]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # A number that does not measure the claim does not excuse it.
        ("Higher conversion within 90 days.", ["Higher"]),
        ("Search must be fast for 10,000 users.", ["fast"]),
        ("Reports refresh quickly for up to 50 accounts.", ["quickly"]),
        # One that does, does.
        ("Conversion 5% higher within 90 days.", []),
        ("Reduce checkout time to under 40 s.", []),
        ("Search must be fast (p95 under 300 ms).", []),
        ("Reports refresh quickly: within 5 minutes.", []),
        ("Iterate fast (weekly releases).", []),
        ("Threshold reduced from 80px → 40px.", []),
    ],
)
def test_a_measurable_criterion_must_fit_the_claim(sentence: str, flagged: list[str]) -> None:
    assert _requirement(sentence) == flagged


def test_success_metrics_without_a_target_are_unquantified() -> None:
    doc = (
        "## Requirements\n- Export to CSV.\n"
        "## Success Metrics\nWe will track:\n"
        "- Customers come back every week\n"
        "- Weekly active teams reach 500 by March\n"
        "### KPIs\n| Metric | Target |\n|---|---|\n| Activation rate | |\n| Churn | ≤ 2% monthly |\n"
    )
    found = [(f.rule, f.match) for f in review(doc) if f.rule == "metric-without-target"]
    assert found == [
        ("metric-without-target", "Customers come back every week"),
        ("metric-without-target", "Activation rate"),
    ]


@pytest.mark.parametrize(
    "title",
    [
        "Success: How do we know if we've solved this problem?",
        "How will we measure success?",
        "Proposed metrics",
        "What does success look like?",
        "Success criteria",
        "Measuring success",
        "Goals and metrics",
    ],
)
def test_a_success_section_is_found_by_any_title_a_template_gives_it(title: str) -> None:
    doc = (
        "## Why: How do we know this is a real problem worth solving?\n"
        "- Developers often install vulnerable versions\n"
        f"## {title}\n"
        "- We will measure update and uninstall rates for vulnerable packages\n"
        "- Conducting user studies with new developers\n"
        "- Uninstalls of vulnerable versions rise by 20% within 90 days\n"
        "## Acceptance criteria\n- The badge links to the vulnerability advisory\n"
    )
    found = [f for f in review(doc) if f.rule == "metric-without-target"]
    assert [f.match for f in found] == [
        "We will measure update and uninstall rates for vulnerable packages",
        "Conducting user studies with new developers",
    ]
    assert "is listed as a measure of success but sets no target" in found[1].message


def test_a_goal_whose_metric_states_a_condition_to_check_has_its_target() -> None:
    doc = (
        "## Goals & success metrics\n| Goal | Metric |\n|---|---|\n"
        "| Legal depth | Demo shows pathway gradations, not a binary |\n"
        "| Reach | Number of issuers listed in the registry |\n"
        "| Adoption by schools | |\n"
        "## Success metrics\n| Metric | Target |\n|---|---|\n"
        "| Search accuracy | Demo lists issuers by pathway |\n"
    )
    found = [f.match for f in review(doc) if f.rule == "metric-without-target"]
    # A pass/fail condition is a target; a quantity named with no value, an empty metric
    # and a condition written where a Target column wants a value are not.
    assert found == ["Reach", "Adoption by schools", "Search accuracy"]


def test_goals_beside_their_success_metrics_are_not_metrics() -> None:
    doc = (
        "## Goals & Success Metrics\n### Primary Goals\n"
        "- Users complete search tasks by voice\n"
        "### Success Metrics\n- Task completion rate for voice commands\n"
        "## Success stories\n- A pilot school adopted it for every class\n"
    )
    found = [f.match for f in review(doc) if f.rule == "metric-without-target"]
    assert found == ["Task completion rate for voice commands"]


def test_evaluative_words_from_the_lexicon_count_when_they_judge_the_product() -> None:
    assert _requirement("The app must be elegant and provide a stunning onboarding.") == [
        "elegant",
        "stunning",
    ]
    assert _requirement("The settings page should feel coherent.") == ["should feel coherent"]
    assert _requirement("The UI must look gorgeous.") == ["must look gorgeous"]
    assert _requirement("The dashboard is gorgeous.") == ["gorgeous"]


def test_evaluative_words_elsewhere_are_not_claims() -> None:
    # Describing people, data or the world is not judging the product.
    assert _requirement("Angry customers can open a ticket from the receipt.") == []
    assert _requirement("Flag transactions that look suspicious to the fraud team.") == [
        "suspicious"
    ]  # the word rule's own judgement, unchanged
    assert _claims("## Problem\nThe current editor is awful.\n") == []


def test_the_lexicon_is_read_from_the_shipped_file_and_filtered() -> None:
    words = lexicon.evaluative_adjectives()
    assert {"elegant", "stunning", "delightful", "coherent", "gorgeous"} <= words
    assert not words & {"able", "unique", "latest", "true", "mean"}  # technical senses
    assert len(words) > 400


def test_without_the_pipeline_word_rules_still_flag_claims() -> None:
    assert _claims("## Requirements\n- The export must be fast.\n", use_nlp=False) == ["fast"]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # "multiple" says more than one; it leaves a set open only for kinds to choose from.
        ("Support watching multiple folders at once.", []),
        ("Support debit cards from multiple networks.", ["multiple"]),
        # The load a measured requirement holds under is settled by its number.
        ("Memory stays under 150 MB during normal operation.", []),
        ("The service stays responsive under normal load.", ["responsive", "normal load"]),
        # A persisted thing is named, a promise is judged.
        ("Store durable command receipts.", []),
        ("Command receipts must be durable.", ["durable"]),
        ("Show loading states for long operations.", ["long"]),
        ("The meets PCI DSS scope reduction rules.", []),
    ],
)
def test_word_classes_read_in_context(sentence: str, flagged: list[str]) -> None:
    assert _requirement(sentence) == flagged


def test_immediately_in_an_acceptance_scenario_orders_the_next_step() -> None:
    scenario = "Given I create a map, When I confirm, Then the editor opens immediately."
    assert _requirement(scenario) == []
    assert _requirement("Given a member accepts, then they see the cart quickly.") == ["quickly"]
    assert _requirement("Switching theme must immediately re-render all nodes.") == ["immediately"]


@pytest.mark.parametrize(
    "line",
    [
        "- Likelihood: Medium (easy to build)",
        "**Likelihood:** Low (beta signals are good)",
        "- Trade-off: manual entry is less convenient",
        "- **Why:** users want a fast checkout",
    ],
)
def test_lines_opening_with_a_context_label_make_no_claims(line: str) -> None:
    assert _claims(f"## Risks\n{line}\n") == []


def test_a_requirement_line_is_not_a_context_label() -> None:
    assert _claims("## Requirements\n- Export: must be fast\n") == ["fast"]


def test_a_bullet_does_not_make_its_first_word_a_name() -> None:
    # After a bullet the first word is capitalised because it opens the item; a name needs
    # a capitalised word beside it ("Instant Payouts").
    doc = (
        "# D\n## Scope\n- Minimal audit logging\n- Instant Payouts for sellers\n"
        "- Improved Section 508 Refresh conformance\n"
    )
    found = [f.match for f in review(doc) if f.category == "unquantified_claim"]
    # A comparative before a name ("Improved Section 508 ...") still compares.
    assert found == ["Minimal", "Improved"]


@pytest.mark.parametrize(
    ("item", "flagged"),
    [
        (
            "- **Real-time Threat Intelligence**: integration with external threat feeds",
            ["Real-time"],
        ),
        ("- [ ] Better GitHub/GitLab integration", ["Better"]),
        ("- Quick Actions must open in one click.", []),
        ("- The toolbar must open the Quick Actions menu.", []),
    ],
)
def test_a_title_case_label_opening_an_item_is_its_promise_not_a_name(
    item: str, flagged: list[str]
) -> None:
    assert _claims(f"# D\n## Requirements\n{item}\n") == flagged


def test_etc_as_the_last_bullet_closes_the_examples_above_it() -> None:
    doc = "# D\n## Scope\nShortcuts open documents:\n- in a new tab\n- in a split view\n- Etc.\n"
    assert [f.match for f in review(doc) if f.category == "unquantified_claim"] == []


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("The importer MUST show clear messages for rejected rows.", ["clear"]),
        ("Clear audit trail for every export", ["Clear"]),
        ("Clear caching", ["Clear"]),  # a noun phrase, even where the parser sees a clause
        ("Pressing Escape MUST clear the current filter.", []),  # the verb
        ("A reset button clears all filters.", []),
    ],
)
def test_clear_is_a_quality_as_an_adjective_and_an_action_as_a_verb(
    line: str, flagged: list[str]
) -> None:
    assert _requirement(line) == flagged


def test_a_clarification_marker_asks_and_claims_nothing() -> None:
    line = "Saving keeps the selection. [NEEDS CLARIFICATION: should saving clear it quickly?]"
    assert _requirement(line) == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # Any adjective that "more" or "less" grades compares, not only the listed ones; a
        # "to" phrase names who it is for, not a baseline.
        ("Make the billing page more accessible to screen reader users.", ["more accessible"]),
        ("The settings page must be less cluttered.", ["less cluttered"]),
        ("Make the billing page more accessible than the 2023 form.", []),
        ("The export must show more information per row.", []),
        ("More importantly, the export must keep column order.", []),
    ],
)
def test_more_or_less_before_any_adjective_is_a_comparative(
    sentence: str, flagged: list[str]
) -> None:
    assert _requirement(sentence) == flagged


def test_without_the_parse_more_before_a_word_is_not_judged() -> None:
    # Only the parse tells "more accessible" from "more information".
    text = "## Requirements\n- Make the billing page more accessible to new readers.\n"
    assert [f.match for f in review(text, use_nlp=False)] == []
