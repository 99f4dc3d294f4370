"""The PM's service description: what is accepted, and the message when it is not."""

from __future__ import annotations

from prd_assistant import tokens

# About 2,000 words: a description, not a spec. Longer text belongs in the context or a template.
MAX_DESCRIPTION_TOKENS = 3_000
MIN_DESCRIPTION_WORDS = 3


class DescriptionError(ValueError):
    """The service description cannot be drafted from; the message says what to change."""


def check_description(text: str, model_name: str = "") -> str:
    """Returns the description stripped, or raises DescriptionError if empty, too short or too long."""
    description = (text or "").strip()
    if not description:
        raise DescriptionError(
            "The description is empty. Describe the service in a few sentences: what it does, "
            "for whom, and any numbers you already know."
        )
    if len(description.split()) < MIN_DESCRIPTION_WORDS:
        raise DescriptionError(
            f"The description is too short ({len(description.split())} word(s)). Write at least a "
            "sentence: what the service does and for whom."
        )
    size = tokens.upper_bound(description, model_name or "gpt-4o-mini", MAX_DESCRIPTION_TOKENS)
    if size > MAX_DESCRIPTION_TOKENS:
        raise DescriptionError(
            f"The description is {size:,} tokens; the limit is {MAX_DESCRIPTION_TOKENS:,} (about 2,000 "
            "words). Keep the core description short and move details into the optional "
            "context ('Optional context' under the description in the app, --context in the CLI) "
            "or the template."
        )
    return description
