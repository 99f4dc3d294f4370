"""Review findings -> proposed changes: templates pulled out of advice, blanks, answers."""

from __future__ import annotations

import pytest

from prd_assistant.document import Draft, SectionStatus
from prd_assistant.review import review
from prd_assistant.template import load_template
from prd_assistant.ui import highlight, proposals


@pytest.mark.parametrize(
    ("advice", "template"),
    [
        (
            "p95 latency ≤ __ ms for __ at __ requests/s",
            "p95 latency ≤ __ ms for __ at __ requests/s",
        ),
        (
            "state the condition: 'when __ (e.g. load > __ requests/s), the system __'; or drop it",
            "when __, the system __",
        ),
        ("every __ minutes (or: at most __ times per __)", "every __ minutes"),
        ("at most __ (unit), e.g. ≤ __ ms or ≤ $__ per month", "at most __ (unit)"),
        (
            "state the target: __ from __ to __ by <date>, measured by __",
            "__ from __ to __ by <date>, measured by __",
        ),
        ("replace 'many' with a number and unit: '≥ __ users', '≤ __ GB'", "≥ __ users"),
        ("name the practice or standard, e.g. 'OWASP ASVS 4.0 level 2'", "__"),
        ("list every item (__, __, __), or say 'only the items above'", "__"),
        ("Answer it here, or move it to Open Questions with an owner and a date.", "__"),
    ],
)
def test_the_fill_in_phrase_is_taken_out_of_the_advice(advice, template):
    assert proposals.rewrite_template(advice) == template


def located_in(text: str):
    draft = Draft.from_template(load_template(), "ParcelPing sends updates.", "ParcelPing")
    for section in draft.sections:
        section.set_text("Plain words here.", "draft")
        section.status = SectionStatus.DONE
    draft.section("overview").set_text(text, "draft")
    markdown = draft.to_markdown()
    return [i for i in highlight.locate(draft, markdown, review(markdown)) if i.key == "overview"]


def test_no_rule_advice_ever_reaches_the_text():
    text = "It scales as needed. It must be fast. Owner: TBD. Which SMS provider do we use?"
    for item in located_in(text):
        proposal = proposals.propose(item, text)
        assert proposal is not None
        values = [f"v{i}" for i in range(len(proposal.labels))]
        new = proposals.apply(text, proposal, values)
        for advice in (
            "state the",
            "or drop it",
            "Answer it",
            "write the decision",
            "Decide",
            "..",
        ):
            assert advice not in new, (item.finding.rule, new)


def test_an_unfilled_blank_or_a_moved_text_refuses_to_apply():
    text = "It must be fast."
    item = next(i for i in located_in(text) if i.finding.match == "fast")
    proposal = proposals.propose(item, text)
    with pytest.raises(ValueError, match="Fill in every blank"):
        proposals.apply(text, proposal, ["1", "", "3"])
    with pytest.raises(ValueError, match="changed since"):
        proposals.apply("Something else entirely.", proposal, ["1", "2", "3"])
    moved = "New first line.\nIt must be fast."
    assert proposals.apply(moved, proposal, ["1", "2", "3"]).endswith(
        "≤ 1 ms for 2 at 3 requests/s."
    )


def test_a_moved_question_takes_its_bullet_with_it():
    text = "Intro.\n\n- Open question: which SMS provider?\n- Kept item."
    item = next(i for i in located_in(text) if i.finding.rule == "open-question-line")
    proposal = proposals.propose(item, text)
    assert proposals.remove(text, proposal) == "Intro.\n\n- Kept item."


def test_repeats_in_one_sentence_are_one_card_with_a_field_for_each():
    text = "Latency stays ≤ __ ms at peak for __ users. Owner: TBD. Budget: TBD."
    items = [i for i in located_in(text) if i.finding.rule == "placeholder"]
    cards = proposals.same_cards(items)
    assert [len(card) for card in cards] == [2, 1, 1]  # the TBDs sit in two sentences
    proposal = proposals.propose_card(cards[0], text)
    assert proposal.template == "Latency stays ≤ __ ms at peak for __ users."
    assert proposal.labels == ["1. Latency stays ≤ …", "2. at peak for …"]
    new = proposals.apply(text, proposal, ["120", "2,000"])
    assert new.startswith("Latency stays ≤ 120 ms at peak for 2,000 users. Owner: TBD.")
    single = proposals.propose_card(cards[1], text)
    assert (single.kind, single.original) == (proposals.ANSWER, "TBD")
