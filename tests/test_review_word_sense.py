"""Word sense: a vague word in link text, a definition or an equative with its standard is no
claim."""

from __future__ import annotations

import pytest

from prd_assistant.review import nlp, review


def _claims(markdown: str, *, use_nlp: bool = True) -> list[str]:
    return [
        f.match.lower()
        for f in review(markdown, use_nlp=use_nlp)
        if f.category == "unquantified_claim"
    ]


LINKS_AND_DEFINITIONS = """# Errors
## Requirements
- See [Portable / Standalone Executables](https://example.com/discussion/1887).
- Unrecoverable error: An error that cannot reasonably be recovered from.
- **Stable release**: a version which was tested sufficiently.
- The CLI must exit with a reasonable code.
- Retries must be reasonable: a reasonable number of attempts.

## Features
- Search: A search that returns results reasonably fast.
"""

EQUATIVES = """# Calculator
## Requirements
- Results are as accurate as your inputs.
- Search must be as fast as the current desktop app.
- The export must be as fast as possible.
- Totals must be accurate.
"""

EXPECTED = {
    LINKS_AND_DEFINITIONS: ["reasonable", "reasonable", "reasonable", "reasonably", "fast"],
    EQUATIVES: ["as fast as possible", "accurate"],
}


@pytest.mark.parametrize("use_nlp", [True, False])
@pytest.mark.parametrize("doc", list(EXPECTED))
def test_words_that_claim_nothing_are_not_flagged(doc: str, use_nlp: bool) -> None:
    if use_nlp and nlp.pipeline() is None:
        pytest.skip("language pipeline not loaded")
    # The structure decides, so the result holds with or without the language pipeline.
    assert _claims(doc, use_nlp=use_nlp) == EXPECTED[doc]
