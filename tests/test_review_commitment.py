"""The commitment gate: vague words count where the document commits, not where it explains."""

from __future__ import annotations

import pytest

from prd_assistant.review import nlp, review

pytestmark = pytest.mark.skipif(nlp.pipeline() is None, reason="language pipeline not loaded")


def _claims(markdown: str) -> list[str]:
    return [f.match for f in review(markdown) if f.category == "unquantified_claim"]


DESIGN_DOC = """# Proposal: Profile-guided inlining

## Abstract
Profiles are typically collected in production.

## Detailed design
Many functions are small, so inlining them is mostly cheap.
The compiler generally inlines hot call sites first.
Choosing a threshold will significantly influence binary size.
Note that some call sites are never hot.
For example, a large switch statement is rarely inlined.
With a profile, the linker could lay out hot code more efficiently.

## Requirements
The build must stay fast when no profile is given.
"""


def test_explanations_in_a_design_doc_are_not_claims() -> None:
    assert _claims(DESIGN_DOC) == ["fast"]


@pytest.mark.parametrize(
    "sentence",
    [
        "The system must respond quickly.",  # a requirement modal
        "The export shall be fast.",
        "We will keep the build stable.",
        "Keep the bundle small.",  # an instruction
        "Our goal is a seamless checkout.",  # a goal
        "The app syncs in near real time.",  # the product, present tense
        "Sellers can see the money in minutes.",  # people, through the product
    ],
)
def test_commitments_under_an_explaining_heading_are_still_claims(sentence: str) -> None:
    assert _claims(f"# Doc\n## Detailed design\n{sentence}\n")


@pytest.mark.parametrize(
    "sentence",
    [
        "It will generally increase heap sizes.",  # a prediction, not a promise
        "Most compilers are typically designed this way.",  # a description
        "A faster cache would help here.",  # a hypothetical
        "Note that some initialization code runs twice.",  # addressed to the reader
        "For example, many tests run in parallel.",  # an example
    ],
)
def test_explanations_under_an_explaining_heading_are_not_claims(sentence: str) -> None:
    assert _claims(f"# Doc\n## Detailed design\n{sentence}\n") == []


def test_what_a_person_in_a_story_wants_is_told_not_promised() -> None:
    # The sentence narrates ("is updating"): the clauses under it are the story, even with
    # "will" ("... that the registry will give it a higher score").
    story = (
        "# Doc\n## Scenarios\n"
        "A developer is updating their library and wants to make sure that the registry will "
        "give it a higher health score.\n"
    )
    assert _claims(story) == []
    # The requirement after the story still claims.
    assert _claims(story + "\nThe registry must compute the score quickly.\n") == ["quickly"]


@pytest.mark.parametrize("host", ["Simpler.Grants.gov", "nuget.org", "docs.example.com/setup"])
def test_a_host_name_is_still_the_subject_of_its_sentence(host: str) -> None:
    # The scan blanks the address, but the parser must not read "makes search fast" as a
    # sentence that leaves its subject out ("Reduces token usage ..."), which commits: with
    # the host as its subject, running prose under a design heading explains, as with a name.
    prose = "We compared portals last year. {} makes search fast for applicants. It is new.\n"
    assert _claims("# Doc\n## Detailed design\n" + prose.format("NuGet")) == []
    assert _claims("# Doc\n## Detailed design\n" + prose.format(host)) == []
    # A host in a requirement still leaves the claim to its sentence.
    assert _claims(f"# Doc\n## Requirements\n- {host} must load fast.\n") == ["fast"]


def test_a_paragraph_under_requirements_commits_whatever_its_grammar() -> None:
    doc = "# Doc\n## Requirements\nEvents are queryable in near real time.\n"
    assert _claims(doc) == ["near real time"]


def test_bullets_and_fragments_commit_under_any_heading() -> None:
    doc = (
        "# Doc\n## Implementation\n- Handle large folders efficiently\n"
        "| Task | Note |\n|---|---|\n| Comprehensive test coverage | planned |\n"
        "A modern, cutting-edge refunds platform.\n"
    )
    assert _claims(doc) == ["large", "efficiently", "Comprehensive", "modern", "cutting-edge"]


def test_the_nearest_heading_that_says_decides() -> None:
    doc = (
        "# Doc\n## Requirements\n### Design notes\nIndexing is slow.\n"
        "## Implementation\n### Performance\nIndexing is slow.\n"
    )
    # Under Requirements > Design notes the inner heading explains; under Implementation >
    # Performance, the quality attribute lists requirements.
    assert _claims(doc) == ["slow"]
    assert review(doc)[0].line == 7


def test_hypotheticals_under_risks_are_claims() -> None:
    doc = "# Doc\n## Risks\nThe vendor API may become slow under heavy load.\n"
    assert _claims(doc) == ["slow", "under heavy load"]


def test_a_condition_hedges_the_clause_it_hangs_from_but_a_loophole_does_not() -> None:
    doc = (
        "# Doc\n## Detailed design\nReassess the plan if the worker cannot stop safely.\n"
        "Keep the state library out unless complexity demands.\n"
    )
    assert _claims(doc) == ["unless complexity demands"]


def test_text_without_headings_commits() -> None:
    assert _claims("The import job syncs many accounts at once.") == ["many"]


def test_the_document_title_is_not_a_section_heading() -> None:
    # "metrics" in the title makes no Metrics section: the design prose stays explanation.
    doc = "# Proposal: an API for runtime metrics\n## Design\nMany metrics naturally group together.\n"
    assert _claims(doc) == []


def test_a_sentence_in_running_prose_explains_but_one_on_its_own_line_states() -> None:
    prose = "The index is rebuilt nightly. Stale entries are removed quickly after that.\n"
    lines = "**Freshness.** Stale entries are removed quickly.\n"
    assert _claims(f"# Doc\n## Requirements\n{prose}") == []
    assert _claims(f"# Doc\n## Requirements\n{lines}") == ["quickly"]
    # A note beside it ("Owner: TBD.") is no prose.
    noted = "Stale entries are removed quickly. Owner: TBD.\n"
    assert _claims(f"# Doc\n## Requirements\n{noted}") == ["quickly"]


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("Specific requirements are normally proposed via the issue tracker.", []),
        ("- _UI on the (typically) left hand side panel of the editor_", []),
        ("- Exports will typically finish within the hour.", ["typically"]),
    ],
)
def test_a_hedge_on_how_things_go_as_a_rule_needs_a_modal_to_promise(
    line: str, flagged: list[str]
) -> None:
    assert _claims(f"# Doc\n## Requirements\n{line}\n") == flagged


def test_generic_adverbs_describe_unless_a_modal_makes_them_promises() -> None:
    doc = (
        "# Doc\n## Goals\n- Reporting types often bundle context with errors.\n"
        "- The sync should usually finish overnight.\n"
        "- The model is retrained every so often.\n"
    )
    assert _claims(doc) == ["usually", "every so often"]


@pytest.mark.parametrize(
    "doc",
    [
        # A row label that another cell describes names the feature.
        "# D\n## Features\n| Feature | Description |\n|---|---|\n"
        "| Quick actions | Explorer context menu integration |\n",
        # A bold lead-in names what its body says, or heads the bullets under it.
        "# D\n## Features\n- **Extensible by design.** Plugins load from a folder.\n",
        "# D\n## Why us\n✅ **Simple onboarding**\n- 30 seconds to start\n",
        # Answers to questions and objections explain.
        "# D\n## Prep\n| Question | Answer |\n|---|---|\n"
        "| Rules change mid-build? | Versions are pinned, a better audit practice. |\n",
        "# D\n## Q & A\nThe build involves many components.\n",
        # Spec Kit's input line quotes the request.
        '# D\n**Input**: User description: "Build a fast, simple app"\n',
    ],
)
def test_labels_answers_and_quoted_requests_are_not_claims(doc: str) -> None:
    assert _claims(doc) == []


def test_a_row_label_with_no_description_beside_it_is_still_a_claim() -> None:
    doc = "# D\n## Tasks\n| Item | Status |\n|---|---|\n| Comprehensive test coverage | Partial |\n"
    assert _claims(doc) == ["Comprehensive"]


def test_efficiency_needs_a_budget_not_a_count() -> None:
    assert _claims("# D\n## Requirements\n- Handle 10,000+ file folders efficiently\n") == [
        "efficiently"
    ]
    assert _claims("# D\n## Requirements\n- Index folders efficiently (≤ 200 MB RAM)\n") == []


@pytest.mark.parametrize(
    ("sentence", "match"),
    [
        ("It must just work.", "must just work"),
        ("Configuration needs no mental overhead.", "no mental overhead"),
        ("The platform must be enterprise-ready.", "enterprise-ready"),
    ],
)
def test_experience_promises_without_a_lexicon_word_are_claims(sentence: str, match: str) -> None:
    assert _claims(f"# D\n## Requirements\n{sentence}\n") == [match]


@pytest.mark.parametrize(
    "sentence",
    [
        "Some applications have icons.",  # a quantity on the subject: the world
        "Various compilers support instrumentation-based PGO.",
        "Profile stability is not a problem here.",  # a quality as the topic
        "Marcus is working on a small app.",  # a persona's scenario
        "With a group we will hopefully have an easier time recruiting.",  # a guess
    ],
)
def test_descriptions_scenarios_and_guesses_under_an_explaining_heading(sentence: str) -> None:
    assert _claims(f"# D\n## Discussion\n{sentence}\n") == []


def test_a_quantity_on_the_subject_of_a_requirement_or_a_risk_is_a_claim() -> None:
    assert _claims("# D\n## Requirements\nMany users must be able to edit at once.\n") == ["Many"]
    assert _claims("# D\n## Risks\nA small number of merchants may see duplicates.\n") == [
        "A small number of"
    ]


def test_an_adjective_the_document_keeps_putting_before_the_same_noun_is_a_term() -> None:
    doc = (
        "# D\n## Requirements\n- A stable release ships monthly.\n"
        "- The stable release keeps old flags.\n- Stable releases skip the beta channel.\n"
        "- The sync engine must be stable.\n"
    )
    # "stable release" is this document's name for a kind of release; "must be stable" is a
    # promise.
    assert [f.line for f in review(doc) if f.match.lower() == "stable"] == [6]


def test_a_speed_the_document_repeats_before_a_noun_is_still_a_promise() -> None:
    doc = (
        "# D\n## Requirements\n- The app must offer fast search across all notes.\n"
        "- Fast search covers titles and bodies.\n- Fast search results are ranked by date.\n"
    )
    assert [f.line for f in review(doc) if f.match.lower() == "fast"] == [3, 4, 5]


def test_a_word_the_document_uses_as_a_term_is_a_term_everywhere() -> None:
    doc = (
        "# D\n## Requirements\n- Portable applications install per user.\n"
        "- A portable application gets a symlink.\n- Upgrading a portable application keeps it.\n"
        "- Portable / standalone executables need a command value.\n"
    )
    assert _claims(doc) == []


@pytest.mark.parametrize(
    ("sentence", "match"),
    [
        (
            "The side panel API does not introduce any new security or privacy\nconsiderations.",
            "not introduce any new security or privacy",
        ),
        ("- ✅ Touch-friendly UI", "Touch-friendly"),
        ("- Optimize DynamoDB queries", "Optimize"),
        ("**As** a participant, **I want** to send text instantly.", "instantly"),
    ],
)
def test_claims_that_markup_names_and_line_wraps_used_to_hide(sentence: str, match: str) -> None:
    assert _claims(f"# D\n## Scope\n{sentence}\n") == [match]


def test_a_tagline_in_bold_is_not_a_claim() -> None:
    doc = "# D\n> **A programmable SEO engine for modern apps — not just tags.**\n"
    assert _claims(doc) == []


def test_a_clarification_marker_that_asks_for_a_number_is_an_unquantified_claim() -> None:
    doc = (
        "# D\n## Requirements\n"
        "- **FR-021**: Formatting applies within the latency threshold. "
        "[NEEDS CLARIFICATION: target latency]\n"
        "- **FR-019**: Shortcuts for bold. [NEEDS CLARIFICATION: required vs future]\n"
    )
    found = [f for f in review(doc) if f.rule == "clarification-needs-number"]
    assert [(f.line, f.match) for f in found] == [(3, "[NEEDS CLARIFICATION: target latency]")]
    assert found[0].category == "unquantified_claim"


def test_a_long_sentence_the_parser_misreads_as_a_fragment_still_explains() -> None:
    doc = (
        "# D\n## Design\nThese two constraints point to setting the property as early as "
        "possible during the evaluation of the targets of the base SDK for this reason.\n"
    )
    assert _claims(doc) == []


SCENARIOS = """# Spec: shared whiteboard

## User Story 2 - Sticky notes (Priority: P2)

1. **Given** a board shared with a colleague, **When** I pin a sticky note, **Then** my
   colleague sees the note instantly.
2. **Given** a very large board, **When** I zoom out, **Then** sticky notes keep a tidy
   layout.
3. **Given** two open tabs, **When** one tab pins a note, **Then** the other tab refreshes
   within 2 seconds.
- **Given** the board is offline,
  **When** I add several notes,
  **Then** the notes sync promptly after I reconnect.
"""


def test_the_then_clause_of_a_scenario_is_a_requirement_whoever_its_subject() -> None:
    # The outcome is what the product must do, even when a person "sees" it; the Given and
    # When parts set the scene ("a very large board", "several notes" are not claims).
    assert _claims(SCENARIOS) == ["instantly", "tidy", "promptly"]


BENEFITS = """# Roadmap proposals

## Proposed features

### P-7 · Parse cache

**Rationale:** Big monorepos take a long time to index today. Caching parsed files between
runs would make repeat reviews much faster.

**Rationale:** Reviewers juggle several dashboards. The app would pick the best dashboard
for each alert. A plugin could also offer several layouts.

**Rationale:** Large teams often review the same files twice.

#### Description

Skips vendored folders before parsing. Reduces memory use and improves triage accuracy.

The sidebar lists most recent files first.
"""


def test_the_effect_a_proposal_claims_is_a_claim_even_in_a_rationale_or_with_would() -> None:
    # What the rationale says of the world ("Big monorepos take a long time", "Large teams
    # often ...") is context; the effect the change claims for the product is a claim, with
    # "would" and when the subject is left out ("Reduces memory use ..."); "could" is a
    # possibility.
    assert _claims(BENEFITS) == ["faster", "pick the best", "Reduces", "improves"]


EARS = """# Requirements

## Requirement 4: Uploads

#### Acceptance Criteria

1. WHEN a member uploads a large video, THE Upload_Service SHALL show progress within 1 second.
2. WHILE several uploads run THE Upload_Service SHALL keep the page responsive.
3. WHEN optional metadata fields are empty, THE Upload_Service SHALL fill them where possible.
4. WHEN required fields are empty, THE Upload_Form SHALL name each missing field.
"""


def test_an_ears_trigger_sets_the_scene_and_its_response_is_the_requirement() -> None:
    # "a large video" and "several uploads" describe when the rule applies; "required fields"
    # is an adjective on a noun, not the loophole "when required".
    assert _claims(EARS) == ["responsive", "where possible"]


def test_a_user_story_heading_announces_requirements() -> None:
    # "User Story 3", "Primary User Story": the section states what users need, like "User
    # stories"; "user" alone in a title (User research, Users) still explains.
    doc = (
        "# Spec\n## User Story 3 - Export (Priority: P2)\n"
        "As an analyst I need exports of every board, generated quickly.\n"
        "## User research\nAnalysts export boards quickly today.\n"
    )
    assert _claims(doc) == ["quickly"]


def test_a_scenario_written_one_step_per_bullet_keeps_its_scene_apart() -> None:
    doc = (
        "# Spec\n## Scenarios\n"
        "- **Given** a shopper with several saved cards\n- **When** they open the payment step\n"
        "- **Then** the newest card is preselected\n- **And** the card list loads promptly\n"
    )
    assert _claims(doc) == ["promptly"]


def test_would_in_a_design_section_claims_only_the_effect_of_the_product() -> None:
    doc = (
        "# RFC: Batch API\n## Detailed design\n"
        "The batch API would make imports much faster.\n"
        "A simpler design would drop partial failures; we keep them.\n"
        "Clients could send several batches in parallel.\n"
    )
    # The alternative named in a subject and what clients could do are no promise.
    assert _claims(doc) == ["faster"]


def test_a_benefit_the_change_claims_is_a_claim_with_can_or_could_and_in_a_why_line() -> None:
    doc = (
        "# Venue check-in\n## Why is this important?\n"
        "* Introducing venue codes can increase sign-ups among new users.\n"
        "* The service could reduce some manual tracing work.\n"
        "* **Why:** Translating the help pages makes them more accessible to new readers.\n"
        "* A plugin could offer several layouts.\n"
        "* Tracers could spend less time on calls if they had more staff.\n"
    )
    # An effect verb (increase, reduce, make ...) with the product or the change as subject
    # claims a benefit; "could offer" is a possibility, and people's effort is context.
    assert _claims(doc) == ["increase", "reduce", "some", "more accessible"]


def test_an_adverb_of_speed_or_frequency_on_a_thing_in_the_present_tense_commits() -> None:
    doc = (
        "# Offline maps\n## How it works\n"
        "Maps are stored on the device. The tablet regularly fetches the tile index and "
        "keeps the newest copy.\n"
        "We keep a demo workspace which is periodically rebuilt from the seed data.\n"
        "Field crews regularly ask for bigger tiles before a long trip.\n"
        "We quickly reviewed the tile formats last spring.\n"
    )
    # How the tablet or the workspace behaves is specified; what people do is context.
    assert _claims(doc) == ["regularly", "periodically"]
