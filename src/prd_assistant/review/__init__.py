"""Review engine: flags open questions and unquantified claims in a PRD.

A pure library (no Streamlit, no LLM) used by the app's review pane and by ``prd review``::

    from prd_assistant.review import review
    for finding in review(markdown_text):
        print(finding.line, finding.column, finding.match, finding.question)

Categories and severities:

* ``open_question`` / ``error``: placeholders (TBD, TBA, TBC, TODO, FIXME, ``???``, ``<…>``,
  ``{{…}}``, ``__`` blanks), template guidance left unfilled, empty bullets. The document
  cannot be signed off while they remain.
* ``open_question`` / ``warning``: deferrals ("to be decided", "pending sign-off"), questions
  left in the body text, ``Open question:`` lines outside the Open Questions section and
  unresolved choices ("maybe", "we might").
* ``open_question`` / ``info``: the same under an Open Questions heading, where they are
  expected; template residue there stays an ``error``.
* ``unquantified_claim`` / ``warning``: vague qualities and quantities, loopholes, open-ended
  lists, unbounded optimisation, comparatives without a baseline, absolute and negated
  promises, numbers without a unit, evaluative words from a subjectivity lexicon and success
  metrics with no target. A vague word is not flagged when its clause gives a criterion that
  fits it (a time for "fast", a baseline or delta for "faster"), nor inside a question, a
  purpose clause ("so that ..."), a context section (problem statement, personas,
  competitors ...) or a sentence about users or the world rather than the product
  (``claims.py``, with the language pipeline of ``nlp.py``; without it, word rules alone).

Never flagged: fenced and inline code, URLs, host names and link targets, HTML comments, HTML
tags and their attributes (the text between tags is read), character references as words
(one for a space or a punctuation mark reads as that character: "as&nbsp;needed" is "as
needed"), struck-through (withdrawn) text, front matter, quotations, RFC 2119 keywords (MUST,
SHOULD, MAY) and FAQ sections' questions.
"""

from prd_assistant.review.engine import review
from prd_assistant.review.findings import (
    CATEGORIES,
    OPEN_QUESTION,
    SEVERITIES,
    UNQUANTIFIED_CLAIM,
    Finding,
)
from prd_assistant.review.report import summarize

__all__ = [
    "CATEGORIES",
    "OPEN_QUESTION",
    "SEVERITIES",
    "UNQUANTIFIED_CLAIM",
    "Finding",
    "review",
    "summarize",
]
