"""Decisions a PRD leaves open without a question mark, read from sentence structure
(review.decisions): who decides, whether it has happened, and whether "or" leaves a choice to
the team or offers one to users. One class per test."""

from __future__ import annotations

import pytest

from prd_assistant.review import Finding, review


def _open(text: str) -> list[Finding]:
    return [f for f in review(text) if f.category == "open_question"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("## Keys\n\nTable prefixes (to finalize in design): `USR#`, `ORD#`.\n", "to finalize"),
        ("## Audit\n\nThe log format will be hashed out with the SRE team.\n", "hashed out"),
        ("## Search\n\nWe still have to pin down the ranking formula.\n", "pin down"),
        ("## Fees\n\nThe late fee is for finance to decide.\n", "to decide"),
        ("## Quotas\n\nPer-plan quotas are to be tuned during the beta.\n", "to be tuned"),
        ("## Identity\n\nWe haven't settled the password policy.\n", "settled"),
        ("## Reports\n\nThe export columns are still being debated.\n", "being debated"),
        ("## Retention\n\nWe need to align with legal on retention.\n", "align"),
        ("## Pricing\n\nWe still need to align on the discount ladder.\n", "align"),
        # A modal that lets the decision wait, work in progress, a wait for the decision.
        ("## Layout\n\nThe exact directory can be finalized during implementation.\n", "finalized"),
        ("## Data\n\nMetadata is being determined in the API deliverable.\n", "being determined"),
        ("## Flags\n\nThe page should be updated once that is finalized.\n", "finalized"),
        ("## Launch\n\nWe will publish the page once we agree on pricing.\n", "agree"),
    ],
)
def test_a_decision_still_owed_is_open(text: str, words: str) -> None:
    found = _open(text)
    assert [f.rule for f in found] == ["deferred-decision"], found
    assert words in found[0].match


@pytest.mark.parametrize(
    "text",
    [
        "## Routing\n\nThe router decides which region serves the request.\n",
        "## Plans\n\nCustomers decide whether to renew at the end of the trial.\n",
        "## Import\n\nThe importer must determine whether a row is a duplicate.\n",
        "## Checkout\n\nThe page shows a dialog to confirm the order.\n",
        "## Billing\n\nThe plan was finalized with finance on 2 May.\n",
        "## Jobs\n\nIf the owner does not confirm within 24 hours, the job is cancelled.\n",
        "## Rules\n\nWe will consider expired tokens to be invalid.\n",
        # Align in the sense of make consistent: the design to match is named.
        "## Journey\n\n- We will align the journey and the design with MoJ Forms.\n",
        "## UX\n\n- Minor changes to the deprecation UX to align with the vulnerability UX.\n",
        # A wait that is over, a step the user takes, a participle naming a thing.
        "## Terms\n\nOnce legal signed off in May, the terms were published.\n",
        "## Cart\n\nOnce the user confirms the order, the cart is cleared.\n",
        "## Builds\n\nThe packages being validated come from public and internal feeds.\n",
        "## Roles\n\nThe role can be selected by the admin in settings.\n",
    ],
)
def test_a_decision_made_at_run_time_or_already_made_is_not_open(text: str) -> None:
    assert _open(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "## Maps\n\nOffline maps will need more thought before v2.\n",
        "## Pricing\n\nThe discount ladder requires sign-off from the CFO.\n",
        "## Settings\n\nThe sync toggle will need careful consideration.\n",
    ],
)
def test_deliberation_still_needed_is_open(text: str) -> None:
    assert [f.rule for f in _open(text)] == ["deferred-decision"]


@pytest.mark.parametrize(
    "text",
    [
        "## Releases\n\nEvery release needs a security review before it ships.\n",
        "## Fraud\n\nThe model queues payments that need further review by an analyst.\n",
    ],
)
def test_a_review_as_a_process_step_is_not_open(text: str) -> None:
    assert _open(text) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "## Sync\n\nThe app SHALL show a toast or a banner when sync fails.\n",
            "a toast or a banner",
        ),
        ("## Layout\n\nThe toolbar SHALL shrink or disappear on phones.\n", "shrink or disappear"),
        ("## Drafts\n\nExpired drafts SHALL be archived or deleted.\n", "archived or deleted"),
        ("## Exports\n\nThe archive will be either ZIP or TAR.\n", "either ZIP or TAR"),
        ("## Storage\n\nWe will keep drafts in IndexedDB or in local storage.\n", "or in local"),
    ],
)
def test_two_alternatives_the_product_must_pick_between_are_open(text: str, words: str) -> None:
    found = _open(text)
    assert [f.rule for f in found] == ["unresolved-choice"], found
    assert words in found[0].match


@pytest.mark.parametrize(
    "text",
    [
        "## Uploads\n\nThe service shall accept PNG or JPEG images.\n",
        "## Plans\n\nUsers can pick a monthly or an annual plan.\n",
        "## Offers\n\nDrivers may accept or decline an offer.\n",
        "## Ads\n\nThe app SHALL NOT show a banner or a popup to paid users.\n",
        "## Alerts\n\nThe app shall show a warning or an error, according to the severity.\n",
        "## Alerts\n\nThe alert fires when CPU or memory exceeds 90% for 5 minutes.\n",
        "## Records\n\nThe system shall update or create the listing.\n",
        "## Theme\n\nThe panel MUST separate the groups using a divider, heading, or label.\n",
        "## Viewport\n\nThe view SHOULD restore the last zoom (if stored) or default to 100%.\n",
        "## Events\n\nThe system shall display Events or Activities.\n",
    ],
)
def test_alternatives_offered_supported_or_ruled_out_are_not_open(text: str) -> None:
    assert _open(text) == []


def test_a_wish_is_open_unless_the_firm_requirement_is_beside_it() -> None:
    assert [f.match for f in _open("## Sync\n\nIdeally, edits merge without conflicts.\n")] == [
        "Ideally"
    ]
    assert _open("## Speed\n\nIdeally pages load in 1 s; they must load in under 2 s.\n") == []


def test_the_writers_reasoning_is_not_an_open_choice() -> None:
    text = (
        "## F-12 Trend alerts\n\n**Rationale:** Scores are stored. We could compute a rolling "
        "average and alert when it drops.\n"
    )
    assert _open(text) == []


def test_out_of_scope_and_questions_are_left_to_their_own_rules() -> None:
    assert _open("## Out of scope\n\n- Reports will be either PDF or HTML.\n") == []
    found = _open("## Export\n\nShould the export be either CSV or JSON?\n")
    assert [f.rule for f in found] == ["question-in-body"]


def test_an_open_label_and_an_unowned_decision_are_open_but_opening_hours_are_not() -> None:
    assert [f.rule for f in _open("## Refunds\n\n- Open: who approves partial refunds.\n")] == [
        "deferred-decision"
    ]
    assert [f.rule for f in _open("## Ops\n\nOwnership of the on-call rota is unassigned.\n")] == [
        "deferred-decision"
    ]
    assert _open("## Store\n\nOpen: Monday to Friday, 9:00 to 17:00.\n") == []
    assert _open("## Sync\n\nUnresolved conflicts are shown in red.\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "## Copy\n\nTooltip copy for the import screen: UX to write.\n",
        "## SSO\n\nThe decision on the identity provider rests with the security team.\n",
        "## Limits\n\nThe quota figures are with the finance team for approval.\n",
        "## Runbook\n\nPaging policy: an owner is to be appointed.\n",
        "## Ranking\n\nThe boost factors will be tuned once we have click data.\n",
    ],
)
def test_a_decision_waiting_with_another_team_or_for_information_is_open(text: str) -> None:
    assert [f.rule for f in _open(text)] == ["deferred-decision"]


def test_a_bold_line_heading_a_list_of_questions_is_not_itself_one() -> None:
    text = "## Notes\n\n**Decisions needed**\n\n- Which regions launch first?\n"
    assert [f.line for f in _open(text)] == [5]


def test_a_step_narrated_in_a_flow_is_no_choice() -> None:
    text = "## Flow\n\n1. Mira opens the library.\n2. Scrolls or searches.\n3. Opens an entry.\n"
    assert _open(text) == []
    assert [f.match for f in _open("## Next\n\n- Pivot or iterate\n")] == ["Pivot or iterate"]


def test_quoted_words_are_no_decision_of_this_document() -> None:
    assert _open('## Rules\n\nDeferrals ("legal to confirm", "UX to write") are open.\n') == []


@pytest.mark.parametrize(
    "text",
    [
        "## Codes\n\n- Reason codes: finance still has to sign off on the list.\n",
        "## SMS\n\nReceipts go out by SMS or WhatsApp; we have not picked one.\n",
        "## Tenants\n\nIt remains to be seen whether we need a tenant per customer.\n",
        "## Login\n\nWe support a PIN or a passkey, not both; which one is open.\n",
    ],
)
def test_a_choice_denied_or_still_to_be_seen_is_open(text: str) -> None:
    assert _open(text) != []


def test_states_listed_between_commas_are_not_pending_decisions() -> None:
    assert _open("## Orders\n\nAn order is draft, pending, paid or shipped.\n") == []
    assert _open("## Launch\n\nLaunch in March, pending.\n") != []


def test_an_answer_that_picks_an_option_but_hedges_leaves_the_question_open() -> None:
    text = "## Billing\n\n- Monthly or annual? Monthly is simpler, but not decided.\n"
    assert "question-in-body" in [f.rule for f in _open(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # People in general deciding, in text that describes the world: the problem today.
        ("## Motivation\n\nToday teams have to decide whose credentials the bot uses.\n", []),
        # We, a named team, or the same words outside a framing section still owe it.
        (
            "## Motivation\n\nWe have to decide whose credentials the bot uses.\n",
            ["We have to decide"],
        ),
        (
            "## Requirements\n\nTeams have to decide whose credentials the bot uses.\n",
            ["have to decide"],
        ),
        # A product named Flux is not "in flux".
        ("## Motivation\n\nThese problems are not due to flaws in Flux.\n", []),
        ("## Scope\n\nThe design is still in flux.\n", ["still in flux"]),
    ],
)
def test_people_in_general_deciding_in_a_motivation_is_the_problem_not_a_decision_owed(
    text: str, expected: list[str]
) -> None:
    assert [f.match for f in review(text) if f.category == "open_question"] == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "## Reports\n\nThe usage report may live as a page in the handbook or a board in the BI tool.\n",
            "or a",
        ),
        (
            "## Hints\n\nThe linter might show its hints in the editor gutter or in the review pane.\n",
            "gutter",
        ),
    ],
)
def test_alternatives_after_a_hedging_may_are_an_open_choice(text: str, words: str) -> None:
    found = _open(text)
    assert [f.rule for f in found] == ["unresolved-choice"], found
    assert words in found[0].match


@pytest.mark.parametrize(
    "text",
    [
        # A passive "may" permits both; a relative clause describes a kind of thing; a person
        # may choose; "can" gives an ability.
        "## Hosting\n\nThe cache may be deployed on the web host or on a separate server.\n",
        "## Errors\n\n- Wrap errors that may need to be logged or be shown to an operator.\n",
        "## Checkout\n\nBuyers may pay by card or by bank transfer.\n",
        "## Reports\n\nThe report can live as a page in the handbook or a board in the BI tool.\n",
    ],
)
def test_a_may_that_permits_describes_or_offers_is_no_open_choice(text: str) -> None:
    assert _open(text) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "## Setup\n\n- This could be bundled into one installer later.\n",
            "This could be bundled",
        ),
        (
            "## Sources\n\nThis might be a blend of partner feeds and our own crawl.\n",
            "This might be",
        ),
        (
            "## Offline\n\nSome options for this could be:\n\n- Cache the last report\n"
            "- Queue edits until the device is online\n",
            "options for this could be",
        ),
    ],
)
def test_a_possibility_offered_for_the_design_is_an_open_choice(text: str, words: str) -> None:
    found = _open(text)
    assert [f.rule for f in found] == ["unresolved-choice"], found
    assert found[0].match == words


@pytest.mark.parametrize(
    "text",
    [
        # An assessment, a relative clause, and "it" in an answer propose nothing.
        "## Risks\n\nThis could be confusing for first-time sellers.\n",
        "## Design\n\nThe CLI serves a local web page that could be opened in any browser.\n",
        "## FAQ\n\n### Can it be one plugin?\n\nYes, it could be a single plugin.\n",
    ],
)
def test_an_assessment_or_a_description_with_could_be_is_no_open_choice(text: str) -> None:
    assert _open(text) == []
