"""The shape of one review rule: a pattern plus what to tell the PM."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Word end for patterns over the normalised text. Hyphens count as part of a word, so
# "thread-safe" does not contain "safe" and "one-to-many" does not contain "many". The word
# *start* is checked by the engine, not by a look-behind: a pattern whose alternatives all
# begin with a literal character lets the regex engine skip ahead at C speed, which makes a
# scan about five times faster (see benchmarks/review_speed.py).
# Underscores that close emphasis ("_TBD_") end the word; an identifier ("tbd_notes") does not.
E = r"(?![^\W_]|-|_+[^\W_])"


def words(*terms: str) -> str:
    """An alternation of whole words or phrases; each term must begin with a literal character."""
    return "(?:" + "|".join(terms) + ")" + E


def heads(first: str, rest: str) -> str:
    """``"a|b", " x"`` -> ``"a x|b x"``: keeps every alternative starting with a literal."""
    return "|".join(head + rest for head in first.split("|"))


@dataclass(frozen=True)
class Rule:
    """One rule: what to match and what to say about it.

    Attributes:
        id: Stable rule id shown in every output format.
        category: ``"open_question"`` or ``"unquantified_claim"``.
        severity: Default severity (see the package docstring).
        pattern: Regex over the normalised, lower-case text. A named group ``hit``, when
            present, is the part reported as the match.
        message: Why it was flagged.
        question: What the PM must decide.
        suggestion: A concrete rewrite template.
        measured_ok: Not flagged when its clause gives a measurable criterion (a number with
            a unit, a percentile, a comparison with a number or a named standard).
        baseline_ok: Not flagged when its clause gives a baseline ("than", "from .. to", "by N").
        near_only: The measurable criterion must follow within a few words ("many (≥ 10,000)
            users"), not just sit in the clause: "2,000 requests/s with headroom for several
            years" still leaves "several" open.
        not_original: Regex on the original (cased) match; a full match means "do not flag"
            (keeps RFC 2119 ``MAY`` apart from "we may").
        need_original: Regex the original match must fully match (e.g. upper-case ``TODO``).
        in_headings: Also applies on heading lines.
        in_questions: Also applies inside sentences that are questions.
        variants: ``(regex, suggestion)`` pairs: the first regex that matches the flagged words
            (lower-cased) picks a rewrite more specific than ``suggestion``.
    """

    id: str
    category: str
    severity: str
    pattern: str
    message: str
    question: str
    suggestion: str
    measured_ok: bool = False
    baseline_ok: bool = False
    near_only: bool = False
    not_original: str | None = None
    need_original: str | None = None
    in_headings: bool = False
    in_questions: bool = False
    variants: tuple[tuple[str, str], ...] = ()

    def suggestion_for(self, match: str) -> str:
        """The rewrite template for ``match``: a matching variant's, else the default."""
        lowered = match.lower()
        for pattern, suggestion in self.variants:
            if re.search(pattern, lowered):
                return suggestion
        return self.suggestion
