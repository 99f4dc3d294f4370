"""``prd draft --clarify``: one short form of at most five questions, answered on the terminal,
from piped stdin, or from a file (``--answers``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from langchain_core.language_models import BaseChatModel

from prd_assistant import assist, llm
from prd_assistant.document import Clarification, Draft
from prd_assistant.textfile import read_text_file, read_text_stream

MAX_ANSWERS_BYTES = 256 * 1024
# One answer line; longer input is a pasted document, not an answer.
MAX_ANSWER_CHARS = 2_000


def read_answers(name: str) -> list[str]:
    """Answers from a file (or ``-`` for stdin): a JSON list of strings, or one per line.

    A JSON object ``{"1": "...", "3": "..."}`` answers questions by number. Blank entries keep
    the recommended answer.

    Raises:
        ValueError: The file cannot be read or its JSON is not a list or an object.
    """
    if name == "-":
        text = read_text_stream(sys.stdin.buffer, "stdin", max_bytes=MAX_ANSWERS_BYTES)
    else:
        text = read_text_file(name, max_bytes=MAX_ANSWERS_BYTES)
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--answers {name}: not valid JSON (line {exc.lineno}).") from None
        if isinstance(data, list):
            return ["" if item is None else str(item) for item in data]
        if isinstance(data, dict):
            numbered = {int(k): str(v) for k, v in data.items() if str(k).strip().isdigit()}
            return [numbered.get(i, "") for i in range(1, max(numbered, default=0) + 1)]
        raise ValueError(f"--answers {name}: expected a JSON list of answers.")
    return text.splitlines()


def ask_clarifying_questions(
    model: BaseChatModel, draft: Draft, answers: list[str] | None = None, retries: int = 3
) -> list[Clarification]:
    """Asks the model's clarifying questions and takes the answers.

    Answers come from ``answers`` when given (``--answers``), else from stdin, one line per
    question, whether it is a terminal or a pipe. Enter (a blank line or a closed stdin) keeps the
    recommended answer as an ``Assumption:``; a number picks an option; anything else is a
    free-text answer. The model call is retried ``retries`` times, as a drafted section is.
    """
    try:
        questions = assist.clarifying_questions(
            model, draft.description, draft.context, retries=retries
        )
    except Exception as exc:
        from prd_assistant.cli.common import cli_message

        message = cli_message(llm.describe_error(exc))
        print(f"prd: skipping clarifying questions: {message}", file=sys.stderr)
        return []
    if not questions:
        return []
    next_answer = _from_list(answers) if answers is not None else _from_stdin()
    chosen: dict[int, str] = {}
    print(
        f"{len(questions)} clarifying question(s). Enter keeps the recommended answer as an assumption.",
        file=sys.stderr,
    )
    for index, question in enumerate(questions):
        print(f"\n{index + 1}. {question.question}", file=sys.stderr)
        for number, option in enumerate(question.options, 1):
            mark = "  (recommended)" if option == question.recommended else ""
            print(f"   {number}) {option}{mark}", file=sys.stderr)
        print("   answer> ", end="", file=sys.stderr, flush=True)
        reply = next_answer().strip()[:MAX_ANSWER_CHARS]
        if not sys.stdin.isatty() or answers is not None:
            print(reply or "(recommended)", file=sys.stderr)
        if reply.isdigit() and 1 <= int(reply) <= len(question.options):
            chosen[index] = question.options[int(reply) - 1]
        elif reply:
            chosen[index] = reply
    return assist.to_clarifications(questions, chosen)


def _from_list(answers: list[str]) -> Callable[[], str]:
    remaining = iter(answers)
    return lambda: next(remaining, "")


def _from_stdin() -> Callable[[], str]:
    def read() -> str:
        try:
            return sys.stdin.readline(MAX_ANSWER_CHARS * 4)
        except (OSError, ValueError):  # closed or unreadable stdin: keep the recommendation
            return ""

    return read
