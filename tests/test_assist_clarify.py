"""Clarifying questions before drafting: at most five, skippable, answers reach every section."""

from __future__ import annotations

import json

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from prd_assistant.assist import (
    MAX_CLARIFYING_QUESTIONS,
    ClarifyingQuestion,
    clarifying_questions,
    to_clarifications,
)
from prd_assistant.document import Draft
from prd_assistant.drafting import Drafter, render_context
from prd_assistant.template import load_template
from tests.support.fake_models import SectionModel

DESCRIPTION = "A ledger service that records balance movements for the payments platform."


def _question(n: int, topic: str = "users_scale") -> dict:
    return {
        "question": f"Question {n}: how many transfers per second at peak?",
        "topic": topic,
        "options": ["100/s", "1,000/s", "10,000/s"],
        "recommended": "1,000/s",
    }


def _questions_reply(count: int) -> str:
    return json.dumps({"questions": [_question(n) for n in range(1, count + 1)]})


def test_at_most_five_questions_even_if_the_model_asks_more() -> None:
    model = FakeListChatModel(responses=[_questions_reply(8)])
    questions = clarifying_questions(model, DESCRIPTION)
    assert len(questions) == MAX_CLARIFYING_QUESTIONS == 5
    # The prompt asks for the most draft-changing first, so the first five are kept.
    assert [q.question.split(":")[0] for q in questions] == [f"Question {n}" for n in range(1, 6)]


def test_questions_are_multiple_choice_with_a_recommended_option() -> None:
    reply = json.dumps(
        [  # a bare list, as some models answer
            {
                "question": "Which regulation applies?",
                "topic": "Compliance",
                "options": ["None", "GDPR", "PCI DSS"],
                "recommended": "PCI DSS",
            },
            {
                "question": "What is the success metric?",
                "topic": "metric",
                "options": ["Reconciliation time", "Balance mismatches"],
                "recommended": "",
            },
            {"question": "Which regulation applies?", "options": ["GDPR"]},  # a repeat
        ]
    )
    questions = clarifying_questions(FakeListChatModel(responses=[reply]), DESCRIPTION)
    assert len(questions) == 2
    assert questions[0].topic == "compliance" and questions[0].recommended == "PCI DSS"
    assert questions[1].topic == "success_metric"
    assert questions[1].recommended == "Reconciliation time"  # first option when none given
    assert all(q.recommended in q.options for q in questions)


def test_the_prompt_carries_description_and_context() -> None:
    model = SectionModel(reply=lambda _h, _p: _questions_reply(1))
    clarifying_questions(model, DESCRIPTION, "Must run in eu-west-1 only.")
    prompt = model.prompts[0][1]
    assert DESCRIPTION in prompt and "Must run in eu-west-1 only." in prompt
    assert "at most 5" in prompt


def test_skipping_turns_every_question_into_an_assumption() -> None:
    questions = [ClarifyingQuestion.model_validate(_question(n)) for n in (1, 2)]
    clarifications = to_clarifications(questions, {})
    assert [(c.answer, c.assumed) for c in clarifications] == [("1,000/s", True), ("1,000/s", True)]


def test_partial_answers_keep_the_rest_as_assumptions() -> None:
    questions = [
        ClarifyingQuestion.model_validate(_question(1)),
        ClarifyingQuestion.model_validate(
            _question(2, "compliance") | {"options": ["GDPR", "None"], "recommended": "GDPR"}
        ),
        ClarifyingQuestion(question="Which systems must it integrate with?", topic="integrations"),
    ]
    clarifications = to_clarifications(questions, {0: "  5,000/s burst  ", 1: "   "})
    assert clarifications[0].answer == "5,000/s burst" and not clarifications[0].assumed
    assert clarifications[1].answer == "GDPR" and clarifications[1].assumed  # blank = skipped
    assert clarifications[2].assumed and "assumption" in clarifications[2].answer


def test_answers_and_assumptions_reach_every_section_prompt() -> None:
    questions = clarifying_questions(
        FakeListChatModel(
            responses=[
                json.dumps(
                    {
                        "questions": [
                            _question(1),
                            {
                                "question": "Which regulation applies?",
                                "topic": "compliance",
                                "options": ["None", "PCI DSS"],
                                "recommended": "PCI DSS",
                            },
                        ]
                    }
                )
            ]
        ),
        DESCRIPTION,
    )
    template = load_template()
    draft = Draft.from_template(template, DESCRIPTION, "Ledger")
    draft.clarifications = to_clarifications(questions, {0: "2,000 transfers/s at peak"})
    restored = Draft.from_dict(json.loads(json.dumps(draft.to_dict())))  # saved with the draft
    assert restored.clarifications == draft.clarifications

    model = SectionModel()
    events = list(Drafter(template, model, model_name="test-model").stream(restored))
    assert len(model.prompts) == len(template.sections)
    assert all(type(e).__name__ != "SectionFailed" for e in events)
    for heading, prompt in model.prompts:
        assert (
            "Question 1: how many transfers per second at peak? Answer: 2,000 transfers/s" in prompt
        ), heading
        assert "Assumption: Which regulation applies? -> PCI DSS" in prompt, heading
    assert "Assumption: Which regulation applies?" in render_context(restored)
