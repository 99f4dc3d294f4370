"""Accepting a suggestion into a draft: one click adds a line to the right section."""

from __future__ import annotations

import re

from prd_assistant.assist.models import AssistError, QuantifiedRewrite, Risk, SuggestedQuestion
from prd_assistant.document import Draft, SectionDraft
from prd_assistant.template import OPEN_QUESTIONS_TITLE, normalize_title

_RISKS = re.compile(r"\brisks?\b")


def risk_markdown(risk: Risk) -> str:
    """The Markdown line a risk becomes in Risks & Mitigations."""
    where = f"; {risk.section}" if risk.section else ""
    mitigation = f" Mitigation: {risk.mitigation}" if risk.mitigation else ""
    return (
        f"- **{risk.title.rstrip('.')}** (likelihood: {risk.likelihood}, impact: {risk.impact}"
        f"{where}).{mitigation}"
    )


def question_markdown(question: SuggestedQuestion) -> str:
    """The Markdown line a question becomes in Open Questions (drafting gathers these lines)."""
    extras = [
        f"owner: {question.owner}" if question.owner else "",
        f"section: {question.section}" if question.section else "",
        f"why it matters: {question.why}" if question.why else "",
    ]
    detail = "; ".join(e for e in extras if e)
    return f"- Open question: {question.question.strip()}" + (f" ({detail})" if detail else "")


def _find(draft: Draft, pattern: re.Pattern[str], what: str) -> SectionDraft:
    for section in draft.sections:
        if pattern.search(normalize_title(section.title)):
            return section
    raise AssistError(
        f"This draft has no {what} section to add the suggestion to; add one to the template."
    )


def _append(section: SectionDraft, line: str) -> None:
    body = section.text.rstrip()
    if line.strip() in body:
        return  # accepted twice: keep one copy
    section.set_text(f"{body}\n{line}" if body else line, "apply")


def accept_risk(draft: Draft, risk: Risk) -> str:
    """Adds ``risk`` to the draft's Risks section; returns that section's key."""
    section = _find(draft, _RISKS, "Risks & Mitigations")
    _append(section, risk_markdown(risk))
    return section.key


def accept_question(draft: Draft, question: SuggestedQuestion) -> str:
    """Adds ``question`` to the draft's Open Questions section; returns that section's key."""
    section = _find(draft, OPEN_QUESTIONS_TITLE, "Open Questions")
    _append(section, question_markdown(question))
    return section.key


def apply_rewrite(draft: Draft, rewrite: QuantifiedRewrite) -> str:
    """Replaces the original sentence with the rewrite; returns the section's key.

    Raises:
        AssistError: If the sentence is no longer in the draft (edited since the review).
    """
    for section in draft.sections:
        if rewrite.original in section.text:
            text = section.text.replace(rewrite.original, rewrite.rewrite, 1)
            section.set_text(text, "apply")
            return section.key
    raise AssistError(
        "The sentence to rewrite is no longer in the draft (it was edited after the review). "
        "Run the review again."
    )
