"""``prd draft --clarify``: one short form of at most five questions on the terminal."""

from __future__ import annotations

import sys

from langchain_core.language_models import BaseChatModel

from prd_assistant import assist, llm
from prd_assistant.document import Clarification, Draft


def ask_clarifying_questions(model: BaseChatModel, draft: Draft) -> list[Clarification]:
    """Asks the model's clarifying questions and reads the answers from stdin.

    Enter (or a closed stdin) keeps the recommended answer as an ``Assumption:``; a number picks
    an option; anything else is a free-text answer.
    """
    try:
        questions = assist.clarifying_questions(model, draft.description, draft.context)
    except Exception as exc:
        print(f"prd: skipping clarifying questions: {llm.describe_error(exc)}", file=sys.stderr)
        return []
    if not questions:
        return []
    interactive = sys.stdin.isatty()
    answers: dict[int, str] = {}
    print(
        f"{len(questions)} clarifying question(s). Enter keeps the recommended answer as an assumption.",
        file=sys.stderr,
    )
    for index, question in enumerate(questions):
        print(f"\n{index + 1}. {question.question}", file=sys.stderr)
        for number, option in enumerate(question.options, 1):
            mark = "  (recommended)" if option == question.recommended else ""
            print(f"   {number}) {option}{mark}", file=sys.stderr)
        if not interactive:
            continue
        print("   answer> ", end="", file=sys.stderr, flush=True)
        reply = sys.stdin.readline().strip()
        if reply.isdigit() and 1 <= int(reply) <= len(question.options):
            answers[index] = question.options[int(reply) - 1]
        elif reply:
            answers[index] = reply
    return assist.to_clarifications(questions, answers)
