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
        "# Doc\n## Requirements\n### Design notes\nIndexing is generally slow.\n"
        "## Implementation\n### Performance\nIndexing is generally slow.\n"
    )
    # Under Requirements > Design notes the inner heading explains; under Implementation >
    # Performance, the quality attribute lists requirements.
    assert _claims(doc) == ["generally", "slow"]
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
