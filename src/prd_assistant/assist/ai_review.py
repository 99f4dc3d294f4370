"""``prd review --ai`` and the app's "Suggest risks & open questions": one call, every format.

:func:`ai_review` runs the deterministic consistency check and the one-pass model review and
never raises for model trouble: the error goes into :attr:`AIReview.error`, so the rule-based
findings (which the caller already has) and the contradictions are always shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from prd_assistant import llm
from prd_assistant.assist.dedup import FindingLike, Merged
from prd_assistant.assist.models import AssistError, Suggestions
from prd_assistant.assist.suggest import suggest_detailed
from prd_assistant.consistency import Contradiction, check_consistency, split_sections
from prd_assistant.consistency import report as consistency_report
from prd_assistant.redaction import get_logger
from prd_assistant.template import normalize_title

log = get_logger(__name__)
RULE_RISK, RULE_QUESTION, RULE_REWRITE = "ai-risk", "ai-open-question", "ai-quantified-rewrite"
_RULE_TEXT = {
    RULE_RISK: "A risk the draft does not cover (suggested by the model).",
    RULE_QUESTION: "A decision the draft needs but does not make (suggested by the model).",
    RULE_REWRITE: "An unquantified claim with a suggested measurable rewrite (by the model).",
}


@dataclass
class AIReview:
    """Contradictions (deterministic) and model suggestions for one document.

    Attributes:
        contradictions: Targets stated differently in two places; always computed.
        suggestions: The model's risks, questions and rewrites, or None if the call failed.
        merged: Suggestions folded into existing findings or Open Questions lines.
        error: A PM-facing message when the model part failed, else None.
        model: The model label ("gpt-4o-mini @ api.openai.com"), never a key.
        parts: How many requests the draft was split into (1 when it fit).
        native: True when native structured output (``response_format``) was used.
        repaired: True when a reply had to be repaired.
        notes: Things the PM should know (e.g. "reviewed in 3 parts").
    """

    contradictions: list[Contradiction]
    suggestions: Suggestions | None = None
    merged: list[Merged] = field(default_factory=list)
    error: str | None = None
    model: str = ""
    parts: int = 0
    native: bool = False
    repaired: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"contradictions": [...], "ai": {...}}`` (rule findings not included)."""
        ai: dict[str, Any] = {
            "model": self.model,
            "error": self.error,
            "risks": [],
            "open_questions": [],
            "rewrites": [],
            "merged": [m.to_dict() for m in self.merged],
            "parts": self.parts,
            "structured_output": "native" if self.native else "json",
            "repaired": self.repaired,
            "notes": list(self.notes),
        }
        if self.suggestions is not None:
            ai.update(self.suggestions.model_dump())
        return {"contradictions": consistency_report.json_items(self.contradictions), "ai": ai}

    def text_lines(self, path: str = "") -> list[str]:
        """Human-readable lines for the CLI's text format (``path:line:col:`` like findings)."""
        lines = consistency_report.text_lines(self.contradictions, path)
        lines.append("")
        lines.append(f"AI review ({self.model or 'model'}):")
        if self.error:
            lines.append(f"  error: {self.error}")
            lines.append("  (The rule-based findings above are complete and unaffected.)")
            return lines
        lines += [f"  note: {note}" for note in self.notes]
        s = self.suggestions or Suggestions()
        lines.append(f"  Risks ({len(s.risks)}):")
        for r in s.risks:
            lines.append(
                f"    - {r.title} [likelihood {r.likelihood}, impact {r.impact}; {r.section or 'general'}]"
            )
            if r.mitigation:
                lines.append(f"      Mitigation: {r.mitigation}")
        lines.append(f"  Open questions ({len(s.open_questions)}):")
        for q in s.open_questions:
            owner = f"; owner: {q.owner}" if q.owner else ""
            lines.append(f"    - {q.question} [{q.section or 'general'}{owner}]")
            if q.why:
                lines.append(f"      Why it matters: {q.why}")
        lines.append(f"  Quantified rewrites ({len(s.rewrites)}):")
        for w in s.rewrites:
            lines.append(f"    - {w.original}")
            lines.append(f"      -> {w.rewrite}")
            if w.reason:
                lines.append(f"      ({w.reason})")
        if self.merged:
            lines.append(
                f"  {len(self.merged)} suggestion(s) repeated existing questions or risks and were merged."
            )
        return lines

    def sarif_rules(self) -> list[dict[str, Any]]:
        """SARIF ``reportingDescriptor``s for every rule id used in :meth:`sarif_results`."""
        rules = consistency_report.sarif_rules(self.contradictions)
        if self.suggestions is not None:
            rules += [
                {"id": rule, "shortDescription": {"text": _RULE_TEXT[rule]}}
                for rule in sorted(_RULE_TEXT)
            ]
        return sorted(rules, key=lambda rule: rule["id"])

    def sarif_results(self, uri: str, markdown_text: str) -> list[dict[str, Any]]:
        """SARIF ``result``s; contradictions carry the second location as a related location."""
        results = consistency_report.sarif_results(self.contradictions, uri)
        if self.suggestions is None:
            return results
        for r in self.suggestions.risks:
            text = f"Risk: {r.title} (likelihood {r.likelihood}, impact {r.impact}). Mitigation: {r.mitigation}"
            results.append(_note(RULE_RISK, text, uri, section_line(markdown_text, r.section)))
        for q in self.suggestions.open_questions:
            text = f"Open question: {q.question} Why: {q.why} Owner: {q.owner}"
            results.append(_note(RULE_QUESTION, text, uri, section_line(markdown_text, q.section)))
        for w in self.suggestions.rewrites:
            text = f"Rewrite: {w.rewrite} ({w.reason})"
            results.append(_note(RULE_REWRITE, text, uri, text_line(markdown_text, w.original)))
        return results


def _note(rule: str, text: str, uri: str, line: int) -> dict[str, Any]:
    return {
        "ruleId": rule,
        "level": "note",
        "message": {"text": text},
        "locations": [consistency_report.location(uri, line)],
    }


def section_line(markdown_text: str, section: str) -> int:
    """The heading line of the section the model named (1 if it named none we can find)."""
    wanted = normalize_title(section.lstrip("# "))
    if not wanted:
        return 1
    for candidate in split_sections(markdown_text):
        have = normalize_title(candidate.title)
        if have and (have == wanted or wanted in have or have in wanted):
            return max(1, candidate.line)
    return 1


def text_line(markdown_text: str, sentence: str) -> int:
    """The line where ``sentence`` starts (1 if it cannot be found)."""
    index = markdown_text.find(sentence)
    return markdown_text.count("\n", 0, index) + 1 if index >= 0 else 1


def ai_review(
    markdown_text: str,
    findings: Sequence[FindingLike],
    settings: llm.ModelSettings,
    *,
    model: BaseChatModel | None = None,
    structured: bool | llm.StructuredMode | None = None,
    rewrite_findings: Sequence[FindingLike] | None = None,
    max_input_tokens: int | None = None,
) -> AIReview:
    """Consistency check plus the one-pass model review; model failures land in ``error``.

    Args:
        markdown_text: The PRD.
        findings: The rule-based findings (``prd_assistant.review.review(markdown_text)``).
        settings: Model settings, the same as ``prd draft`` uses.
        model: A ready chat model made with ``client_retries=0`` (tests, or the app's); default:
            built from settings. Its calls are retried ``settings.max_retries`` times.
        structured: Override the structured-output mode (default: ``llm.structured_mode``).
        rewrite_findings: The unquantified-claim findings the PM chose to rewrite (default:
            all of them, up to 12).
        max_input_tokens: Override the model's context window.
    """
    result = AIReview(contradictions=check_consistency(markdown_text), model=settings.label())
    if model is None and not settings.is_configured:
        result.error = (
            "No model is configured, so only the consistency check ran. Set OPENAI_API_KEY, or "
            "point the server URL at a local OpenAI-compatible server."
        )
        return result
    try:
        if model is None:
            # Retried by model_calls.whole_reply, like drafting: never inside the client too.
            model = llm.create_chat_model(settings, client_retries=0)
        mode = llm.structured_mode(settings) if structured is None else structured
        detail = suggest_detailed(
            model,
            markdown_text,
            findings,
            structured=mode,
            rewrite_findings=rewrite_findings,
            max_input_tokens=max_input_tokens,
            retries=settings.max_retries,
        )
    except AssistError as exc:
        result.error = str(exc)
        return result
    except Exception as exc:  # e.g. no key for OpenAI: the rule findings must still print
        log.info("AI review failed: %s", type(exc).__name__)
        result.error = f"The AI review failed: {llm.describe_error(exc)}"
        return result
    result.suggestions, result.merged = detail.suggestions, detail.merged
    result.parts, result.native, result.repaired = detail.parts, detail.native, detail.repaired
    result.notes = detail.notes
    return result
