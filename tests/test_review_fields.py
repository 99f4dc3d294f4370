"""Fields classify an item; their vague words are not claims (prd_assistant.review.fields)."""

from __future__ import annotations

import pytest

from prd_assistant.review import review
from prd_assistant.review.fields import field_kind, is_value


def _claims(markdown: str, *, use_nlp: bool = True) -> list[str]:
    return [
        f.match for f in review(markdown, use_nlp=use_nlp) if f.category == "unquantified_claim"
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Request Type", "work"),
        ("**Complexity Estimate**", "work"),
        ("Priority", "work"),
        ("Risk level", "work"),
        ("Target release", "work"),
        ("Owner", "work"),
        ("Focus Areas", "naming"),
        ("Use case", "naming"),
        ("Topic", "naming"),
        ("Description", None),
        ("Acceptance criteria", None),
        ("Target", None),
        ("Why this priority", None),
        ("Status bar", None),
        ("The search page must load results in a short type", None),
    ],
)
def test_field_names(name: str, kind: str | None) -> None:
    assert field_kind(name) == kind


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("High", True),
        ("Large (touches billing, search and the mobile app)", True),
        ("Multiple teams — payments, ledger and support tooling", True),
        ("Users will notice much faster pages after the rollout", False),
        ("must be stable", False),
        ("", False),
    ],
)
def test_a_value_is_a_short_term_whatever_explains_it(value: str, expected: bool) -> None:
    assert is_value(value) is expected


METADATA = """# Saved carts PRD

## Summary
- **Ticket Type**: Enhancement (large, spans web and mobile).
- **Effort Estimate**: High (real-time pricing, new queue, several services).
- Priority: Medium — quick win for the spring campaign.
**Status:** Draft | **Impact:** High

## Requirements
- Saved carts must load quickly on mobile.
- **Priority**: the new checkout must be much simpler for returning shoppers.
"""


def test_metadata_values_are_not_claims_but_requirements_still_are() -> None:
    # The values classify the ticket; the requirement below and a field stated as a
    # sentence still claim.
    assert _claims(METADATA) == ["quickly", "simpler"]


def test_metadata_needs_no_language_model() -> None:
    assert "large" not in _claims(METADATA, use_nlp=False)
    assert "quickly" in _claims(METADATA, use_nlp=False)


TABLES = """# Sharing PRD

## Requirements

| # | Topic | Decision |
|---|---|---|
| D1 | Instant sync transport | **Server-sent events** chosen over polling |
| D2 | Export volume | Capped at 500 rows per export |

| Channel | Use Case | Requirement |
|---|---|---|
| Slack | Quick team updates | Posts must arrive promptly in the channel |
| Email | Weekly digest | Sent every Monday at 09:00 UTC |

| Release | Focus | Effort |
|---|---|---|
| **v2.0** | Speed & Robustness | Large (new cache, many call sites) |
| **v2.1** | Admin Tools | Small |

| Field | Value |
|---|---|
| Priority | High (blocks the easy onboarding work) |
| Goal | A seamless hand-off between devices |
"""


def test_naming_and_rating_columns_are_not_claims_but_requirement_columns_are() -> None:
    # Topic, Use Case and Focus cells name their row, Effort and the Priority value rate
    # it; the Requirement column and the Goal row still claim.
    assert _claims(TABLES) == ["promptly", "seamless"]


STORIES = """# Roster PRD

## User stories

| Priority | As a … | I want to … | So that I can … |
|---|---|---|---|
| High | coordinator | search volunteers by name | quickly find the person I need |
| Medium | coordinator | sort the roster | organise my week efficiently |
| High | volunteer | see my shifts | get reminders promptly |
"""


def test_a_so_that_column_completes_each_row_s_purpose() -> None:
    assert field_kind("So that I can…") == "purpose"
    assert _claims(STORIES) == []


STATUS_STORIES = """# Food finder DG

## User stories

| Implemented? | Priority | As a … | I want to … | So that I can… | Remarks |
|---|---|---|---|---|---|
| ½ | `* *` | user | add a dining cost | pick a place that fits my budget | NoteCommand |
| ❌ | `*` | user | see cuisine statistics | know what cuisines I might like | |
| ⏳ | * * * | admin | bulk import places | maybe skip typing them in | |
| ✅ | * | user | export my list | share it | Maybe as CSV or JSON |
"""


def test_status_marks_ratings_and_purpose_cells_leave_no_choice_open() -> None:
    # Status marks and priority stars rate the row; a hedge in the So-that column is the
    # user's reason ("I might like"); a hedge in a Remarks cell is the team's and stays open.
    found = [(f.rule, f.match) for f in review(STATUS_STORIES) if f.category == "open_question"]
    assert found == [("unresolved-choice", "Maybe")]


GLOSSARY = """# Voice PRD

## Commands

| Intent | Example | Requirement |
|---|---|---|
| Search | show me fast blenders | Results must appear promptly |

| Term | Definition |
|---|---|
| Barge-in | A user interruption that the assistant handles quickly |
"""


def test_definition_and_example_columns_illustrate_the_row() -> None:
    # Sample inputs and definitions are not requirements; the Requirement column is.
    assert _claims(GLOSSARY) == ["promptly"]


OFFLINE = """# Offline mode PRD

**Owner:** Mobile team · **Priority:** P1 (blocks the large enterprise rollout) · **Effort:** Large

- Status: In review — several sections still need design input
- Target release: Q3 (after the real-time sync work)
- Confidence: Medium (a few customer interviews)

## Risks

| Risk | Likelihood | Impact | Mitigation |
|---|---|---|---|
| Sync conflicts | High | High (many users edit offline) | Last-writer-wins with a visible conflict log |

## Requirements

| ID | Requirement | Priority | Effort |
|---|---|---|---|
| R1 | Drafts must save quickly while offline | Must | Small (simple local store) |
| R2 | The conflict screen should be intuitive | Should | Medium |
"""


def test_ratings_and_metadata_around_requirements_claim_nothing() -> None:
    # Owner, priority, effort, status, target release, confidence and risk ratings classify
    # the work; the two requirements still claim.
    assert _claims(OFFLINE) == ["quickly", "intuitive"]


def test_an_empty_field_of_the_header_is_an_open_placeholder() -> None:
    text = (
        "# Show vulnerabilities in the package manager\n\n"
        "- Author(s): [Chris](https://example.com/chris)\n"
        "- Issue: \n"
        "- GitHub Issue: () GitHub PR ()\n"
        "- Spec: `docs/spec.md`\n"
        "- Reviewers:\n  - Dana\n"
        "- Status: Implemented\n\n"
        "## Description\n\nConditions:\n\n- The package is vulnerable\n"
    )
    found = [(f.rule, f.match, f.severity) for f in review(text) if f.category == "open_question"]
    # The key left empty and each empty slot; a value in code or a link, a nested list and a
    # lead-in below the header are no empty fields.
    assert found == [
        ("placeholder", "Issue:", "error"),
        ("placeholder", "()", "error"),
        ("placeholder", "()", "error"),
    ]


def test_a_header_with_no_filled_field_has_no_empty_fields() -> None:
    text = "# Vision\n\n**Expanded Vision:**\n\n- Search by voice\n"
    assert [f for f in review(text) if f.category == "open_question"] == []


def test_a_hedge_in_a_written_out_storys_purpose_is_the_users_reason() -> None:
    # The same purpose in prose: "in order to ..." or "so that ..." after "As a <role>,".
    text = (
        "## Stories\n\n"
        "(M) As a requester, in order to get a sense of when I might expect my request to be"
        " completed, I want to see how my request was classified.\n\n"
        "As an admin, I want exports so that I might share them.\n\n"
        "As a first step, we will ship exports. We might use CSV.\n"
    )
    found = [(f.rule, f.match) for f in review(text) if f.category == "open_question"]
    assert found == [("unresolved-choice", "We might")]
