"""Token budgeting: a draft larger than the model's context is split, never cut.

Parts follow ``##`` section boundaries; a section too large on its own is split at blank
lines, then lines, then words. Joined, the parts hold every line of the draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from prd_assistant import tokens
from prd_assistant.assist.models import AssistError
from prd_assistant.consistency import split_sections

RESERVED_COMPLETION_TOKENS = 4_096
DEFAULT_CONTEXT_TOKENS = 16_384
MIN_CONTEXT_TOKENS = 2_048  # below this a PRD review is not useful
# Context windows of common models (prefix match, longest first). Unknown models, typically
# local ones, get DEFAULT_CONTEXT_TOKENS: small enough for most, and parts are the safe side.
CONTEXT_TOKENS: dict[str, int] = {
    "gpt-4.1": 1_000_000,
    "gpt-5": 400_000,
    "gpt-4o": 128_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4": 200_000,
    "gpt-4-turbo": 128_000,
    "gpt-3.5-turbo": 16_385,
    "gpt-4": 8_192,
}


def context_tokens(model_name: str) -> int:
    """The context window of ``model_name`` as far as we know it."""
    name = model_name.casefold()
    for prefix in sorted(CONTEXT_TOKENS, key=len, reverse=True):
        if name.startswith(prefix):
            return CONTEXT_TOKENS[prefix]
    return DEFAULT_CONTEXT_TOKENS


def split_for_budget(markdown_text: str, budget: int, model_name: str = "") -> list[str]:
    """The draft in as few parts as fit ``budget`` tokens each, split at section boundaries.

    A section larger than the budget is split at blank lines, then at lines; text is never
    dropped, so the parts joined with newlines hold every line of the draft.

    Raises:
        AssistError: If the budget is too small to be useful (a tiny context window).
    """
    if budget < 500:
        raise AssistError(
            "The model's context window is too small to review a draft. Choose a model with "
            "at least 8,000 tokens of context."
        )
    count = lambda text: tokens.count_tokens(text, model_name or "gpt-4o-mini")  # noqa: E731
    if count(markdown_text) <= budget:
        return [markdown_text]
    pieces: list[str] = []
    for section in split_sections(markdown_text):
        lines = ([f"## {section.title}"] if section.title else []) + [t for _n, t in section.lines]
        text = "\n".join(lines).strip("\n")
        pieces += [text] if count(text) <= budget else _split_large(text, budget, count)
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if current and count(candidate) > budget:
            parts.append(current)
            current = piece
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def _split_large(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    heading = text.splitlines()[0] if text.startswith("## ") else ""
    blocks = re.split(r"\n\s*\n", text)
    units: list[str] = []
    for block in blocks:
        if count(block) <= budget // 2:
            units.append(block)
        else:
            units += block.splitlines()
    chunks: list[str] = []
    current = ""
    for unit in units:
        if count(unit) > budget:
            # A single line this long: split by words rather than lose any of it.
            words = unit.split(" ")
            step = max(1, len(words) * budget // (2 * count(unit)))
            chunks += [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
            continue
        candidate = f"{current}\n\n{unit}" if current else unit
        if current and count(candidate) > budget:
            chunks.append(current)
            current = unit
        else:
            current = candidate
    if current:
        chunks.append(current)
    # Later chunks say which section they continue, so the model can name it.
    return [
        c if i == 0 or not heading else f"{heading} (continued)\n{c}" for i, c in enumerate(chunks)
    ]
