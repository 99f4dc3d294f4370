"""The shape of one review rule: a pattern plus what to tell the PM."""

from __future__ import annotations

from dataclasses import dataclass

# Word boundaries for patterns over the normalised text. Hyphens count as part of a word, so
# "thread-safe" does not contain "safe" and "one-to-many" does not contain "many".
B = r"(?<![\w-])"
E = r"(?![\w-])"


def words(*terms: str) -> str:
    """A whole-word alternation of ``terms`` (each a regex); list longer phrases first."""
    return B + "(?:" + "|".join(terms) + ")" + E


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
        not_original: Regex on the original (cased) match; a full match means "do not flag"
            (keeps RFC 2119 ``MAY`` apart from "we may").
        need_original: Regex the original match must fully match (e.g. upper-case ``TODO``).
        in_headings: Also applies on heading lines.
        in_questions: Also applies inside sentences that are questions.
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
    not_original: str | None = None
    need_original: str | None = None
    in_headings: bool = False
    in_questions: bool = False
