"""``prompts/assist_*.md`` -> ChatPromptTemplate.

Each file holds a system message, a line ``=== human ===`` and the human message, both plain
f-string templates (literal braces doubled), so the product text can be edited without code.
"""

from __future__ import annotations

import functools

from langchain_core.prompts import ChatPromptTemplate

from prd_assistant.prompts import PromptError, prompts_dir, read_prompt_file

HUMAN_MARK = "=== human ==="
# Variables each prompt must use; a file edited without one fails loudly at load time.
PROMPT_VARIABLES: dict[str, frozenset[str]] = {
    "assist_clarify": frozenset({"description", "context"}),
    "assist_suggest": frozenset(
        {"part_note", "document", "known_questions", "known_risks", "claims"}
    ),
    "assist_repair": frozenset({"reply", "error", "schema"}),
}


def parse_prompt(text: str, name: str) -> ChatPromptTemplate:
    """Builds the chat prompt from one file's text; raises PromptError if malformed."""
    system, mark, human = text.partition(HUMAN_MARK)
    if not mark or not human.strip():
        raise PromptError(
            f"Prompt file {name} needs a line '{HUMAN_MARK}' before the human message."
        )
    prompt = ChatPromptTemplate.from_messages(
        [("system", system.strip()), ("human", human.strip())]
    )
    expected = PROMPT_VARIABLES.get(name.removesuffix(".md"))
    if expected is not None and set(prompt.input_variables) != expected:
        raise PromptError(
            f"Prompt file {name} uses the variables {sorted(prompt.input_variables)}; "
            f"it must use exactly {sorted(expected)} (write literal braces as {{{{ and }}}})."
        )
    return prompt


@functools.cache
def load_prompt(name: str) -> ChatPromptTemplate:
    """The prompt ``prompts/<name>.md``, loaded once per process."""
    path = prompts_dir() / f"{name}.md"
    return parse_prompt(read_prompt_file(path), path.name)
