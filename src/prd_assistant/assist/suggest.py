"""One LLM pass over a whole draft: risks, open questions and quantified rewrites.

A draft larger than the model's context is sent in parts (see :mod:`.budget`), each part with
the list of every heading so the model knows what exists elsewhere; the result says how many
parts were used. Nothing is cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from langchain_core.language_models import BaseChatModel

from prd_assistant import tokens
from prd_assistant.assist.budget import (
    MIN_CONTEXT_TOKENS,
    RESERVED_COMPLETION_TOKENS,
    context_tokens,
    split_for_budget,
)
from prd_assistant.assist.dedup import (
    ExistingItem,
    FindingLike,
    Merged,
    dedupe_questions,
    dedupe_risks,
    existing_questions,
    existing_risks,
)
from prd_assistant.assist.models import (
    AssistError,
    QuantifiedRewrite,
    Suggestions,
)
from prd_assistant.assist.prompt_files import load_prompt
from prd_assistant.assist.structured import Outcome, ask_structured
from prd_assistant.consistency import split_sections
from prd_assistant.llm import StructuredMode
from prd_assistant.model_calls import DEFAULT_RETRIES
from prd_assistant.redaction import get_logger

log = get_logger(__name__)
MAX_REWRITES = 12
_WS = re.compile(r"\s+")
_LIST_MARK = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_MARKED = re.compile(r"assum|\bTBD\b|\bTBC\b|placeholder|\[[^\]]+\]", re.IGNORECASE)


@dataclass
class SuggestResult:
    """Suggestions after dedup, plus what was merged and how the call went."""

    suggestions: Suggestions
    merged: list[Merged] = field(default_factory=list)
    parts: int = 1
    native: bool = False
    repaired: bool = False
    calls: int = 0
    notes: list[str] = field(default_factory=list)


def suggest(
    model: BaseChatModel,
    markdown_text: str,
    findings: Sequence[FindingLike],
    *,
    structured: bool | StructuredMode | None = None,
    rewrite_findings: Sequence[FindingLike] | None = None,
    max_input_tokens: int | None = None,
    retries: int = DEFAULT_RETRIES,
) -> Suggestions:
    """Risks, open questions and quantified rewrites for a draft, in one pass.

    Args:
        model: The chat model.
        markdown_text: The draft as Markdown.
        findings: The rule-based findings (``prd_assistant.review.review``); their open
            questions are not suggested again.
        structured: False skips native structured output (servers without it); True/None try
            it first and fall back to JSON parsing with one repair call.
        rewrite_findings: The unquantified-claim findings to rewrite (default: every
            unquantified-claim finding in ``findings``, up to 12, one per sentence).
        max_input_tokens: The model's context window (default: known for OpenAI models, 16k
            otherwise); larger drafts are reviewed in parts.
        retries: Further tries per call after a failure that may pass (see
            ``model_calls.whole_reply``; the model should make none of its own).

    Returns:
        Deduplicated suggestions.

    Raises:
        AssistError: If the model fails or its reply cannot be read; rule findings are
            unaffected (the caller still has them).
    """
    return suggest_detailed(
        model,
        markdown_text,
        findings,
        structured=structured,
        rewrite_findings=rewrite_findings,
        max_input_tokens=max_input_tokens,
        retries=retries,
    ).suggestions


def suggest_detailed(
    model: BaseChatModel,
    markdown_text: str,
    findings: Sequence[FindingLike],
    *,
    structured: bool | StructuredMode | None = None,
    rewrite_findings: Sequence[FindingLike] | None = None,
    max_input_tokens: int | None = None,
    retries: int = DEFAULT_RETRIES,
) -> SuggestResult:
    """Like :func:`suggest`, with the merges, the number of parts and how the reply was read."""
    if not markdown_text.strip():
        raise AssistError("The draft is empty; there is nothing to review.")
    model_name = _model_name(model)
    claims = _claims(findings if rewrite_findings is None else rewrite_findings)
    known_q = existing_questions(markdown_text, findings)
    known_r = existing_risks(markdown_text)
    window = max_input_tokens or context_tokens(model_name)
    notes: list[str] = []
    while True:
        try:
            total, parts, outcome = _review_in_parts(
                model, markdown_text, window, known_q, known_r, claims, structured, retries
            )
            break
        except AssistError as exc:
            # Our context guess was too big for this server: halve it and send smaller parts.
            if not _context_overflow(exc) or window // 2 < MIN_CONTEXT_TOKENS:
                raise
            window //= 2
            notes.append(
                "The server said the draft was too long for the model; it was resent in smaller parts."
            )
    if parts > 1:
        notes.append(
            f"The draft is larger than the model's context budget, so it was reviewed in "
            f"{parts} parts (by section); nothing was cut."
        )
    questions, merged_q = dedupe_questions(total.open_questions, known_q)
    risks, merged_r = dedupe_risks(total.risks, known_r)
    rewrites, dropped = _locate_rewrites(total.rewrites, claims, markdown_text)
    if dropped:
        notes.append(
            f"{dropped} rewrite(s) quoted sentences that are not in the draft and were left out."
        )
    return SuggestResult(
        Suggestions(risks=risks, open_questions=questions, rewrites=rewrites),
        merged=merged_q + merged_r,
        parts=parts,
        native=outcome.native,
        repaired=outcome.repaired,
        calls=outcome.calls,
        notes=notes,
    )


def _review_in_parts(
    model: BaseChatModel,
    markdown_text: str,
    window: int,
    known_q: list[ExistingItem],
    known_r: list[ExistingItem],
    claims: list[str],
    structured: bool | StructuredMode | None,
    retries: int,
) -> tuple[Suggestions, int, Outcome]:
    """All parts' suggestions merged, the number of parts and the combined call outcome."""
    model_name = _model_name(model)
    # The reply needs room too: up to 4k tokens, less on small local models.
    reply_tokens = min(RESERVED_COMPLETION_TOKENS, window // 4)
    budget = window - reply_tokens
    parts = split_for_budget(
        markdown_text, budget - _overhead(known_q, known_r, claims, model_name), model_name
    )
    headings = [f"## {s.title}" for s in split_sections(markdown_text) if s.title]
    total = Suggestions()
    calls, native, repaired = 0, True, False
    for index, part in enumerate(parts):
        part_claims = [c for c in claims if _norm(c) in _norm(part)] if len(parts) > 1 else claims
        inputs = {
            "part_note": _part_note(index, len(parts), headings),
            "document": part,
            "known_questions": _bullets(e.text for e in known_q),
            "known_risks": _bullets(e.text for e in known_r),
            "claims": "\n".join(f"{i}. {c}" for i, c in enumerate(part_claims, 1)) or "(none)",
        }
        result, outcome = ask_structured(
            model,
            load_prompt("assist_suggest"),
            inputs,
            Suggestions,
            name="prd_suggestions",
            what="risks and open questions",
            structured=structured,
            max_tokens=reply_tokens,
            retries=retries,
        )
        total = total.merge(result)
        calls += outcome.calls
        native = native and outcome.native
        repaired = repaired or outcome.repaired
    return total, len(parts), Outcome(native, repaired, calls)


def _context_overflow(exc: BaseException) -> bool:
    cause = exc.__cause__
    text = f"{type(cause).__name__} {cause}".casefold() if cause else ""
    return (
        "contextoverflow" in text or "context_length_exceeded" in text or "context length" in text
    )


def _model_name(model: BaseChatModel) -> str:
    return str(getattr(model, "model_name", None) or getattr(model, "model", None) or "")


def _claims(findings: Sequence[FindingLike]) -> list[str]:
    """The sentences of unquantified-claim findings, once each, in document order."""
    seen: dict[str, str] = {}
    for finding in sorted(findings, key=lambda f: f.line):
        if getattr(finding, "category", "") != "unquantified_claim":
            continue
        sentence = _LIST_MARK.sub("", _WS.sub(" ", finding.sentence).strip())
        if sentence:
            seen.setdefault(sentence.casefold(), sentence)
    return list(seen.values())[:MAX_REWRITES]


def _bullets(lines) -> str:
    items = [f"- {line}" for line in lines]
    return "\n".join(items) or "(none)"


def _overhead(known_q, known_r, claims, model_name: str) -> int:
    """Tokens of the prompt without the document."""
    text = load_prompt("assist_suggest").format(
        part_note="x" * 400,  # room for the part note and the headings list
        document="",
        known_questions=_bullets(e.text for e in known_q),
        known_risks=_bullets(e.text for e in known_r),
        claims="\n".join(claims),
    )
    return tokens.count_tokens(text, model_name or "gpt-4o-mini") + 200


def _part_note(index: int, count: int, headings: list[str]) -> str:
    if count == 1:
        return ""
    listing = "\n".join(headings)
    return (
        f"The draft is too long for one request, so you see it in {count} parts. This is part "
        f"{index + 1} of {count}. Review only this part, but know that the whole draft has these "
        f"sections (do not report a section as missing if it is listed):\n{listing}\n\n"
    )


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


def _locate_rewrites(
    rewrites: Sequence[QuantifiedRewrite], claims: Sequence[str], markdown_text: str
) -> tuple[list[QuantifiedRewrite], int]:
    """Keeps rewrites whose original is in the draft, fixing near-verbatim quotes.

    The app replaces ``original`` in the text, so it must be exact; a model that changed a
    character or two gets its quote snapped to the flagged sentence it meant.
    """
    document = _norm(markdown_text)
    kept: list[QuantifiedRewrite] = []
    seen: set[str] = set()
    dropped = 0
    for rewrite in rewrites:
        original = rewrite.original
        if _norm(original) not in document:
            best = max(
                claims,
                key=lambda c: SequenceMatcher(None, _norm(c), _norm(original)).ratio(),
                default=None,
            )
            if best is None or SequenceMatcher(None, _norm(best), _norm(original)).ratio() < 0.85:
                dropped += 1
                continue
            original = best
        if _norm(original) in seen or _norm(rewrite.rewrite) == _norm(original):
            continue
        seen.add(_norm(original))
        text = rewrite.rewrite
        if not _MARKED.search(text):
            # The PM must see which numbers nobody has agreed to yet.
            text = f"{text.rstrip()} (Assumption: these numbers are placeholders to confirm.)"
        kept.append(rewrite.model_copy(update={"original": original, "rewrite": text}))
    return kept, dropped
