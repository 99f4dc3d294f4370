"""AI assistance around the draft: clarifying questions before it; risks, open questions and
quantified rewrites after it. The deterministic consistency check lives in
:mod:`prd_assistant.consistency`.

Modules: ``models`` (pydantic shapes), ``structured`` (native structured output or JSON
parsing with one repair), ``clarify``, ``suggest`` (one pass, token budgeting), ``dedup``,
``accept`` (suggestion -> draft) and ``ai_review`` (what the CLI and app call).
"""

from prd_assistant.assist.accept import (
    accept_question,
    accept_risk,
    apply_rewrite,
    question_markdown,
    risk_markdown,
)
from prd_assistant.assist.ai_review import AIReview, ai_review
from prd_assistant.assist.clarify import clarifying_questions, to_clarifications
from prd_assistant.assist.dedup import Merged
from prd_assistant.assist.models import (
    MAX_CLARIFYING_QUESTIONS,
    AssistError,
    ClarifyingQuestion,
    QuantifiedRewrite,
    Risk,
    SuggestedQuestion,
    Suggestions,
)
from prd_assistant.assist.suggest import SuggestResult, suggest, suggest_detailed

__all__ = [
    "MAX_CLARIFYING_QUESTIONS",
    "AIReview",
    "AssistError",
    "ClarifyingQuestion",
    "Merged",
    "QuantifiedRewrite",
    "Risk",
    "SuggestResult",
    "SuggestedQuestion",
    "Suggestions",
    "accept_question",
    "accept_risk",
    "ai_review",
    "apply_rewrite",
    "clarifying_questions",
    "question_markdown",
    "risk_markdown",
    "suggest",
    "suggest_detailed",
    "to_clarifications",
]
