"""Vague words that sit where nothing is promised (later releases, degree questions, result
and purpose clauses, actions in a subject, fields, limitations, findings), and flags that sit on
the words that are the problem (prd_assistant.review.claims, commitment, rules_vague)."""

from __future__ import annotations

import pytest

from prd_assistant.review import review


def _claims(markdown: str) -> list[str]:
    return [f.match for f in review(markdown) if f.category == "unquantified_claim"]


@pytest.mark.parametrize(
    "title",
    ["## Future considerations", "### Future Enhancements", "## 9. Future (v2+)"],
)
def test_a_later_release_makes_no_claims_now(title: str) -> None:
    doc = (
        "# Tags PRD\n## Requirements\n- Tag search must be fast.\n"
        f"{title}\n- Ideally, tags will sync across workspaces.\n"
        "- Bulk editing will be improved.\n"
    )
    assert _claims(doc) == ["fast"]


def test_future_proof_is_no_future_section() -> None:
    doc = "# PRD\n## Future-proof storage\n- Storage must scale easily.\n"
    assert _claims(doc) == ["scale easily"]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Admins set how frequently reminders are sent.", []),
        ("The page shows how long the import will take.", []),
        ("Reminders are sent frequently.", ["frequently"]),
    ],
)
def test_how_asks_for_the_measure_it_does_not_promise_one(
    sentence: str, flagged: list[str]
) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # A participle clause after the comma says what the capability makes possible.
        ("Users can duplicate a board, enabling quick experiments with layouts.", []),
        ("Admins can export the audit log, letting auditors work efficiently offline.", []),
        # The requirement itself still claims.
        ("Users can duplicate a board quickly, enabling experiments.", ["quickly"]),
        # "ensuring" commits to what follows, it is not a result.
        ("Drafts are saved every minute, ensuring recovery is seamless.", ["seamless"]),
    ],
)
def test_a_result_clause_states_the_benefit_not_the_requirement(
    sentence: str, flagged: list[str]
) -> None:
    assert _claims(f"## Requirements\n{sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Rapidly switching tabs should not lose unsaved comments.", []),
        # The parser reads "opening" as an adjective of "boards": the adverb still marks
        # an action.
        ("Rapidly opening and closing boards should not reset the zoom level.", []),
        ("The board must load quickly.", ["quickly"]),
    ],
)
def test_an_adverb_on_the_action_in_the_subject_describes_input(
    sentence: str, flagged: list[str]
) -> None:
    assert _claims(f"## Edge cases\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("WHEN required fields are empty, THE form SHALL show an inline error.", []),
        ("When relevant records are missing, the import must stop with code 422.", []),
        ("Backups run when required by the retention policy.", []),
        ("The job should retry when required.", ["when required"]),
        ("Fall back to email where possible.", ["where possible"]),
        # Who decides is no condition: still a loophole.
        ("Refunds are issued as needed by the support team.", ["as needed"]),
    ],
)
def test_a_condition_that_names_its_terms_is_no_loophole(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


def test_a_reason_is_not_a_requirement_but_it_is_important_that_is() -> None:
    doc = (
        "## Requirements\n### Caching\n"
        "The build writes a manifest of its inputs. This is critical for the cache to work, "
        "and it can be greatly helpful when debugging.\n\n"
        "It is important that a stale manifest does not cause significant slowdowns.\n"
    )
    assert _claims(doc) == ["significant"]


def test_a_reported_finding_is_evidence_not_a_claim() -> None:
    doc = (
        "## Requirements\n### Profiles\n"
        "The pilot showed that the new search is surprisingly effective.\n\n"
        "The profile loader must be effective on monorepos.\n"
    )
    assert _claims(doc) == ["effective"]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Load tests should be run nightly to ensure smooth checkouts.", []),
        ("The CLI should offer aliases for admins to work quickly.", []),
        ("The CLI must respond quickly to every alias.", ["quickly"]),
        ("The wizard must be easy to use.", ["easy to use"]),
    ],
)
def test_an_adverbial_infinitive_is_a_purpose_even_without_a_comma(
    sentence: str, flagged: list[str]
) -> None:
    assert _claims(f"## Requirements\n{sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        (
            "The importer keeps the file's metadata, such as its dates, to accurately place "
            "photos on the timeline.",
            [],
        ),
        ("There must be a CI platform (to immediately test check-ins).", []),
        ("The CI platform must immediately test check-ins.", ["immediately"]),
    ],
)
def test_an_infinitive_set_off_by_a_comma_or_parenthesis_is_a_purpose(
    sentence: str, flagged: list[str]
) -> None:
    assert _claims(f"## Requirements\n{sentence}\n") == flagged


@pytest.mark.parametrize(
    ("item", "flagged"),
    [
        ("- Implement polling for real-time updates", []),
        ("- Grid view for quick selection", []),
        ("- For easy port to mobile view", []),
        ("- Search results must appear in real time", ["real time"]),
        # Size and amount after "for" say which things are served: a scope, still a claim.
        ("- Performance optimisation for large repos", ["large"]),
        # "allow for" takes its object: the quick update is the capability itself.
        ("- The system should allow for quick updates", ["quick"]),
    ],
)
def test_a_speed_or_ease_word_after_for_names_what_a_thing_is_for(
    item: str, flagged: list[str]
) -> None:
    assert _claims(f"## Requirements\n{item}\n") == flagged


@pytest.mark.parametrize(
    ("item", "flagged"),
    [
        ("- Implement extensible analyzer registration", []),
        ("- File Explorer provides an extensible status column", []),
        ("- The codebase must be modular and extensible", ["modular"]),
    ],
)
def test_extensible_says_an_extension_point_exists(item: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n{item}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("JavaScript must not be required, since some people disable JavaScript.", []),
        ("Users prune the tree, as most of our APIs are too low level for it.", []),
        ("The export must be fast because the export runs on a schedule.", ["fast"]),
        ("The export must handle some formats as needed.", ["some", "as needed"]),
    ],
)
def test_a_reason_clause_argues_and_promises_nothing(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n{sentence}\n") == flagged


def test_a_persona_list_under_a_bold_label_is_context() -> None:
    doc = (
        "# Roster PRD\n## Scope\n\n**Target users**:\n\n"
        "* coordinates a large number of volunteers\n* can type fast\n\n"
        "**Must have**:\n\n* The roster page must load quickly.\n"
    )
    assert _claims(doc) == ["quickly"]


def test_who_is_this_for_is_a_persona_section() -> None:
    doc = (
        "# Budget app\n## Who is this for?\n- People facing big decisions\n"
        "## Requirements\n- Sync must be seamless.\n"
    )
    assert _claims(doc) == ["seamless"]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("There are several reasons the old importer cannot ship as is.", []),
        ("There must be several fallback mirrors.", ["several"]),
    ],
)
def test_what_there_is_is_the_topic_not_a_claim(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n{sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Include flags to select Stable, Preview, or LTS channels.", []),
        ("Include flags to select robust channels.", ["robust"]),
    ],
)
def test_capitals_across_a_list_name_options(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


def test_what_is_not_built_claims_nothing() -> None:
    doc = (
        "# Journal app\n## Scope\n"
        "- **Rejected — Streaks (most habit apps):** streaks make missed days feel bad.\n"
        "- Out of scope: a fast bulk importer.\n\n"
        "**Non-goals:**\n\n- Seamless calendar sync\n- Many themes\n\n"
        "## Requirements\n- The editor must open quickly.\n"
    )
    assert _claims(doc) == ["quickly"]


@pytest.mark.parametrize(
    "scoped_out",
    [
        "## What we're not working on & why\n- A fast, seamless offline sync.\n",
        "### Non-Requirements\n- A fast bulk importer for many formats.\n",
        "## Scope\n**Non-Requirements**\n- Bulk export\n  - Lots of formats, not easy to read\n",
        "## Scope\n- Non-requirement: a fast bulk importer.\n",
    ],
)
def test_non_requirements_and_what_we_are_not_working_on_claim_nothing(scoped_out: str) -> None:
    doc = f"# Export\n{scoped_out}\n## Requirements\n- The editor must open quickly.\n"
    assert _claims(doc) == ["quickly"]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Real-time collaboration", []),
        ("Real-time multiplayer editing", []),
        ("The board MUST sync arrows in real-time collaboration sessions.", []),
        ("Participants receive messages in real-time.", ["real-time"]),
        ("Real-time dashboards for on-call staff.", ["Real-time"]),
    ],
)
def test_real_time_collaboration_names_a_kind_of_feature_not_a_latency(
    sentence: str, flagged: list[str]
) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Ideally, allow members of the public to contribute translations.", []),
        ("Ideally, search results are fast.", ["fast"]),
        ("Translations are published where possible.", ["where possible"]),
    ],
)
def test_ideally_states_a_wish_not_a_loophole(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("These improvements build on the front-end work of the static site launch.", []),
        ("Feature improvements (listen to feedback)", []),
        ("The cache is an improvement for search.", ["improvement"]),
        ("Search latency improves.", ["improves"]),
    ],
)
def test_improvements_in_the_plural_name_changes_not_a_comparison(
    sentence: str, flagged: list[str]
) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Browser clients cannot send custom headers reliably, so the token goes in the URL.", []),
        ("The client must send custom headers reliably.", ["reliably"]),
    ],
)
def test_what_cannot_be_done_is_a_limitation_not_a_claim(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Resizing a panel must cause no noticeable lag.", ["no noticeable lag"]),
        ("Theme switches happen without visible flicker.", ["without visible flicker"]),
        ("Resizing a panel must finish within 16 ms per frame.", []),
    ],
)
def test_a_perceived_absolute_is_flagged_on_its_own_words(
    sentence: str, flagged: list[str]
) -> None:
    # The flag sits on the words that need a threshold, not on a neighbour.
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # "some" as an indefinite article leaves open which thing, not how much.
        ("The page shows some basic information about the submission.", []),
        ("Admins can configure a default policy for some set of routes.", []),
        ("Many proxies implement some method of configuring authentication.", []),
        # The amount of an effect the product claims stays an amount.
        ("The importer saves some time for reviewers.", ["some"]),
        ("The service will alleviate some burden from support staff.", ["some"]),
        ("The export must support some formats.", ["some"]),
    ],
)
def test_some_as_an_indefinite_article_is_no_amount(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


def test_a_loophole_hedges_prose_that_explains_as_well() -> None:
    doc = (
        "# Auth GEP\n## Background\n\nSome text.\n\n## Design details\n\n"
        "The proxy reads the policy at startup and caches it for the route. "
        "The method may also include authorization config if practical.\n"
    )
    assert _claims(doc) == ["if practical"]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # The person given the capability decides when to use it: that is the feature.
        ("Functionality can be hidden behind a feature flag, if desired.", []),
        ("Admins have the ability to disable auth for a route when needed.", []),
        # An equative comparison, not a loophole.
        ("Trimming is as relevant for libraries as for apps.", []),
        # A requirement's modal keeps the hedge.
        ("The client must retry the upload if needed.", ["if needed"]),
    ],
)
def test_a_loophole_on_a_capability_is_the_users_choice(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("lead_in", "following", "flagged"),
    [
        # The list right after the lead-in names the members of the set.
        ("The standard covers a number of considerations:", "- Availability\n- Latency\n", []),
        ("Exports come in several formats:", "| Format |\n|---|\n| CSV |\n", []),
        # No list follows: the amount is left open.
        ("The standard covers a number of considerations.", "More text here.\n", ["a number of"]),
        # A quality is not counted by a list.
        ("Search must be fast in these places:", "- Inbox\n- Archive\n", ["fast"]),
    ],
)
def test_an_amount_a_list_enumerates_is_not_left_open(
    lead_in: str, following: str, flagged: list[str]
) -> None:
    assert _claims(f"## Requirements\n\n{lead_in}\n\n{following}") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # What the authors want is the document's goal, even in an explaining paragraph.
        ("We want the new workflow to be familiar to existing users.", ["familiar"]),
        ("As setup runs, we want to optimize their experience where we can.", ["optimize"]),
        # What they think is a hypothesis; what they may want is a choice still open.
        ("We think developers will often watch a few videos in a row.", []),
        ("We must decide if we want the vendor viewer, which is an excellent viewer.", []),
    ],
)
def test_what_we_want_is_a_goal_not_context(sentence: str, flagged: list[str]) -> None:
    doc = (
        "# Spec\n## Design details\n\nThe tool reads the project file and writes the manifest. "
        f"{sentence} The old format keeps working.\n"
    )
    assert _claims(doc) == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        (
            "Response times must be measured as close to the data recipient as practicable.",
            ["as close to the data recipient as practicable"],
        ),
        (
            "The portal must show as many status milestones as reasonably possible.",
            ["as many status milestones as reasonably possible"],
        ),
        ("The export must be as fast as possible.", ["as fast as possible"]),
        # A comparison with a named baseline is no optimisation.
        ("The export must be as fast as the import.", []),
    ],
)
def test_as_much_of_a_thing_as_possible_is_unbounded(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("The validation tool must be easy to use: a single command the user invokes.", []),
        ("A single build property will let developers easily change the package type.", []),
        ("The validation tool must be easy to use.", ["easy to use"]),
    ],
)
def test_ease_counted_in_steps_is_measured(sentence: str, flagged: list[str]) -> None:
    assert _claims(f"## Requirements\n- {sentence}\n") == flagged
