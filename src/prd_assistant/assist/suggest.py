"""One LLM pass over a whole draft: risks, open questions and quantified rewrites.

A draft that does not fit the model's context is never cut silently: it is sent in parts along
``##`` section boundaries (a section too large on its own is split at paragraphs), each part
with the list of every heading so the model knows what exists elsewhere, and the result says
how many parts were used.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from langchain_core.language_models import BaseChatModel

from prd_assistant import tokens
from prd_assistant.assist.dedup import (
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
    Risk,
    SuggestedQuestion,
    Suggestions,
)
from prd_assistant.assist.prompt_files import load_prompt
from prd_assistant.assist.structured import Outcome, ask_structured
from prd_assistant.consistency import split_sections

log = logging.getLogger(__name__)
MAX_REWRITES = 12
RESERVED_COMPLETION_TOKENS = 4_096
DEFAULT_CONTEXT_TOKENS = 16_384
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
_H2_LINE = re.compile(r"^##(?!#)\s+.+$", re.MULTILINE)
_WS = re.compile(r"\s+")
_LIST_MARK = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_MARKED = re.compile(r"assum|\bTBD\b|\bTBC\b|placeholder|\[[^\]]+\]", re.IGNORECASE)


def context_tokens(model_name: str) -> int:
    """The context window of ``model_name`` as far as we know it."""
    name = model_name.casefold()
    for prefix in sorted(CONTEXT_TOKENS, key=len, reverse=True):
        if name.startswith(prefix):
            return CONTEXT_TOKENS[prefix]
    return DEFAULT_CONTEXT_TOKENS


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
    structured: bool | None = None,
    rewrite_findings: Sequence[FindingLike] | None = None,
    max_input_tokens: int | None = None,
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
    ).suggestions


def suggest_detailed(
    model: BaseChatModel,
    markdown_text: str,
    findings: Sequence[FindingLike],
    *,
    structured: bool | None = None,
    rewrite_findings: Sequence[FindingLike] | None = None,
    max_input_tokens: int | None = None,
) -> SuggestResult:
    """Like :func:`suggest`, with the merges, the number of parts and how the reply was read."""
    if not markdown_text.strip():
        raise AssistError("The draft is empty; there is nothing to review.")
    model_name = _model_name(model)
    claims = _claims(findings if rewrite_findings is None else rewrite_findings)
    known_q = existing_questions(markdown_text, findings)
    known_r = existing_risks(markdown_text)
    window = max_input_tokens or context_tokens(model_name)
    # The reply needs room too: up to 4k tokens, less on small local models.
    budget = window - min(RESERVED_COMPLETION_TOKENS, window // 4)
    parts = split_for_budget(
        markdown_text, budget - _overhead(known_q, known_r, claims, model_name), model_name
    )
    headings = [m.group(0) for m in _H2_LINE.finditer(markdown_text)]
    total = Suggestions()
    notes: list[str] = []
    calls, native, repaired = 0, True, False
    if len(parts) > 1:
        notes.append(
            f"The draft is larger than the model's context budget, so it was reviewed in "
            f"{len(parts)} parts (by section); nothing was cut."
        )
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
        )
        total = total.merge(result)
        calls += outcome.calls
        native = native and outcome.native
        repaired = repaired or outcome.repaired
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
        parts=len(parts),
        native=native,
        repaired=repaired,
        calls=calls,
        notes=notes,
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


def _split_large(text: str, budget: int, count) -> list[str]:
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


__all__ = [
    "Outcome",
    "Risk",
    "SuggestResult",
    "SuggestedQuestion",
    "context_tokens",
    "split_for_budget",
    "suggest",
    "suggest_detailed",
]
