"""Clarifying questions before drafting: one short form of at most five questions.

Unanswered questions are not dropped: they become ``Assumption:`` lines (the recommended
answer), so the draft states what it assumed and the PM can see it.
"""

from __future__ import annotations

from collections.abc import Mapping

from langchain_core.language_models import BaseChatModel

from prd_assistant.assist.models import (
    MAX_CLARIFYING_QUESTIONS,
    ClarifyingQuestion,
    ClarifyingQuestions,
)
from prd_assistant.assist.prompt_files import load_prompt
from prd_assistant.assist.structured import ask_structured
from prd_assistant.document import Clarification
from prd_assistant.model_calls import DEFAULT_RETRIES

# What a skipped question without a recommended answer tells the drafting model.
NO_RECOMMENDATION = "not known yet; state a plausible value as an assumption"
# Five questions with options and a recommendation fit well within this.
CLARIFY_MAX_TOKENS = 1_500


def clarifying_questions(
    model: BaseChatModel,
    description: str,
    context: str = "",
    *,
    structured: bool | None = None,
    retries: int = DEFAULT_RETRIES,
) -> list[ClarifyingQuestion]:
    """Asks the model what it needs to know before drafting; at most five questions.

    Args:
        model: The chat model (the drafting model is fine).
        description: The PM's service description.
        context: Extra context already given; the model does not ask what it settles.
        structured: Passed to the structured-output call (False: JSON parsing only).
        retries: Further tries after a failure that may pass (``model_calls.whole_reply``).

    Returns:
        Up to five questions, most draft-changing first, each with options and a
        recommended answer that is one of the options. Duplicates are removed.

    Raises:
        AssistError: If the model cannot be reached or its reply cannot be read.
    """
    result, _outcome = ask_structured(
        model,
        load_prompt("assist_clarify"),
        {"description": description.strip(), "context": context.strip() or "(none)"},
        ClarifyingQuestions,
        name="clarifying_questions",
        what="clarifying questions",
        structured=structured,
        max_tokens=CLARIFY_MAX_TOKENS,
        retries=retries,
    )
    unique: dict[str, ClarifyingQuestion] = {}
    for question in result.questions:
        unique.setdefault(" ".join(question.question.casefold().split()), question)
    # The prompt asks for the most draft-changing first, so a longer list loses its tail.
    return list(unique.values())[:MAX_CLARIFYING_QUESTIONS]


def to_clarifications(
    questions: list[ClarifyingQuestion], answers: Mapping[int, str]
) -> list[Clarification]:
    """The PM's answers as clarifications, saved with the draft and given to every section.

    Args:
        questions: The questions as asked.
        answers: Answer text by question index; a missing or blank answer means "skipped".

    Returns:
        One clarification per question: the answer, or the recommended answer marked
        ``assumed=True`` (drafting renders those as ``Assumption:`` lines).
    """
    result = []
    for index, question in enumerate(questions):
        answer = (answers.get(index) or "").strip()
        if answer:
            result.append(Clarification(question.question, answer, assumed=False))
        else:
            assumed = question.recommended or NO_RECOMMENDATION
            result.append(Clarification(question.question, assumed, assumed=True))
    return result
