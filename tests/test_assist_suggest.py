"""One LLM pass over the draft: suggestions, dedup, rewrites, token budgeting, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from prd_assistant import llm
from prd_assistant.assist import (
    AssistError,
    Risk,
    SuggestedQuestion,
    accept_question,
    accept_risk,
    ai_review,
    apply_rewrite,
    suggest,
    suggest_detailed,
)
from prd_assistant.assist.budget import context_tokens, split_for_budget
from prd_assistant.document import Draft
from prd_assistant.review import review
from prd_assistant.template import load_template
from tests.support.fake_models import SectionModel

DATA = Path(__file__).parent / "data" / "assist"
DRAFT = """# Ledger PRD

## 7. Non-Functional Requirements
- The API must be fast and highly available.
- Balance reads should scale seamlessly as traffic grows.

## 16. Risks & Mitigations
- Hot accounts may serialise writes; shard postings by account.

## 18. Open Questions
- Who owns the on-call rotation for the ledger?
- Open question: which regions must hold a replica?
"""


def _reply(**overrides) -> str:
    data = {
        "risks": [
            {
                "title": "No fallback when Kafka is down",
                "section": "9. APIs & Interactions",
                "likelihood": "medium",
                "impact": "high",
                "mitigation": "Write postings to an outbox table and relay them.",
            },
            {
                "title": "Hot accounts serialise writes",
                "section": "16. Risks & Mitigations",
                "likelihood": "high",
                "impact": "medium",
                "mitigation": "Shard by account.",
            },
        ],
        "open_questions": [
            {
                "question": "Which team owns the on-call rotation for the ledger?",
                "why": "Someone must be paged.",
                "section": "15. Operational Runbook Summary",
                "owner": "Engineering manager",
            },
            {
                "question": "Which regions must hold a replica of the ledger?",
                "why": "Residency.",
                "section": "11. Security & Compliance",
                "owner": "Legal",
            },
            {
                "question": "What is the maximum transfer amount without manual review?",
                "why": "Changes the fraud checks.",
                "section": "6. Functional Requirements",
                "owner": "Product manager",
            },
            {
                "question": "What's the max transfer amount without a manual review?",
                "why": "Same question again.",
                "section": "6. Functional Requirements",
                "owner": "Product manager",
            },
            {
                "question": "What availability is required, over which window, and how is it measured?",
                "why": "The rule review already asks this.",
                "section": "7. Non-Functional Requirements",
                "owner": "SRE lead",
            },
        ],
        "rewrites": [
            {
                "original": "The API must be fast and highly available.",
                "rewrite": "The API must answer balance reads in p95 ≤ 50 ms at 2,000 requests/s "
                "(Assumption: peak load) with 99.9% monthly availability (assumed).",
                "reason": "Testable latency and availability targets.",
            },
            {
                "original": "Balance reads should scale seamlesly as trafic grows.",  # typos
                "rewrite": "Balance reads should hold p95 ≤ 50 ms up to 4,000 requests/s.",
                "reason": "Names the load.",
            },
            {
                "original": "This sentence is not in the draft at all, anywhere.",
                "rewrite": "Invented.",
                "reason": "Hallucinated.",
            },
        ],
    }
    data.update(overrides)
    return json.dumps(data)


def test_valid_output_is_deduplicated_against_findings_and_open_questions() -> None:
    findings = review(DRAFT)
    result = suggest_detailed(FakeListChatModel(responses=[_reply()]), DRAFT, findings)
    questions = [q.question for q in result.suggestions.open_questions]
    # New question kept once; the on-call and replica questions are already in the draft.
    assert questions == ["What is the maximum transfer amount without manual review?"]
    merged = {(m.kind, m.suggestion): m for m in result.merged}
    on_call = merged[("question", "Which team owns the on-call rotation for the ledger?")]
    assert (
        on_call.existing == "Who owns the on-call rotation for the ledger?" and on_call.line == 11
    )
    assert merged[("question", "Which regions must hold a replica of the ledger?")].line == 12
    assert (
        merged[("question", "What's the max transfer amount without a manual review?")].source
        == "suggestion"
    )
    repeat = merged[
        ("question", "What availability is required, over which window, and how is it measured?")
    ]
    assert (repeat.source, repeat.line) == ("finding", 4)  # the vague-availability finding
    # The risk already in Risks & Mitigations is merged too.
    assert [r.title for r in result.suggestions.risks] == ["No fallback when Kafka is down"]
    assert merged[("risk", "Hot accounts serialise writes")].source == "risks_section"


def test_rewrites_quote_the_draft_exactly_and_mark_assumptions() -> None:
    result = suggest_detailed(FakeListChatModel(responses=[_reply()]), DRAFT, review(DRAFT))
    rewrites = result.suggestions.rewrites
    assert [r.original for r in rewrites] == [
        "The API must be fast and highly available.",
        "Balance reads should scale seamlessly as traffic grows.",  # snapped to the real sentence
    ]
    assert all(r.original in DRAFT for r in rewrites)
    assert "Assumption" in rewrites[0].rewrite
    assert rewrites[1].rewrite.endswith("(Assumption: these numbers are placeholders to confirm.)")
    assert any("not in the draft" in note for note in result.notes)


def test_the_prompt_lists_claims_known_questions_and_risks() -> None:
    model = SectionModel(reply=lambda _h, _p: _reply())
    suggest(model, DRAFT, review(DRAFT))
    prompt = model.prompts[0][1]
    assert "1. The API must be fast and highly available." in prompt
    assert "2. Balance reads should scale seamlessly as traffic grows." in prompt
    assert "- Who owns the on-call rotation for the ledger?" in prompt
    assert "- Hot accounts may serialise writes; shard postings by account." in prompt
    assert DRAFT.strip() in prompt


def test_chosen_findings_limit_the_rewrites_asked_for() -> None:
    model = SectionModel(reply=lambda _h, _p: _reply(rewrites=[]))
    findings = review(DRAFT)
    chosen = [f for f in findings if f.rule == "vague-scalability"]
    suggest(model, DRAFT, findings, rewrite_findings=chosen)
    prompt = model.prompts[0][1]
    assert "1. Balance reads should scale seamlessly as traffic grows." in prompt
    assert (
        "The API must be fast and highly available.\n" not in prompt.split("unquantified claims")[1]
    )


def test_invalid_twice_gives_a_clear_error_and_keeps_the_rule_findings() -> None:
    findings = review(DRAFT)
    before = [f.to_dict() for f in findings]
    model = FakeListChatModel(responses=["Sorry, here are some risks: none.", "{still not json"])
    with pytest.raises(AssistError, match="could not be read"):
        suggest(model, DRAFT, findings)

    model = FakeListChatModel(responses=["Sorry, here are some risks: none.", "{still not json"])
    text = (DATA / "contradictions_payments.md").read_text("utf-8")
    result = ai_review(
        text,
        findings,
        llm.ModelSettings(model="test-model", base_url="http://127.0.0.1:9/v1"),
        model=model,
        structured=False,
    )
    assert result.error and "could not be read as risks and open questions" in result.error
    assert result.suggestions is None
    assert len(result.contradictions) == 5  # the deterministic check still ran
    assert [f.to_dict() for f in findings] == before
    lines = result.text_lines("prd.md")
    assert any("error:" in line for line in lines)
    assert any("rule-based findings above are complete" in line for line in lines)


def test_ai_review_without_a_model_still_checks_consistency(monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    text = (DATA / "contradictions_notifications.md").read_text("utf-8")
    result = ai_review(text, [], llm.ModelSettings.from_env())
    assert "No model is configured" in result.error
    assert len(result.contradictions) == 5


def test_ai_review_to_dict_text_and_sarif() -> None:
    text = (DATA / "contradictions_payments.md").read_text("utf-8")
    findings = review(text)
    settings = llm.ModelSettings(model="test-model", base_url="http://127.0.0.1:9/v1")
    result = ai_review(
        text, findings, settings, model=FakeListChatModel(responses=[_reply()]), structured=False
    )
    assert result.error is None
    data = json.loads(json.dumps(result.to_dict()))
    assert data["ai"]["model"] == "test-model @ 127.0.0.1:9"
    assert data["ai"]["risks"][0]["title"] == "No fallback when Kafka is down"
    assert data["ai"]["structured_output"] == "json" and data["ai"]["parts"] == 1
    first = data["contradictions"][0]
    assert {"rule", "line", "column", "section", "message", "other_line", "other_section"} <= set(
        first
    )

    lines = result.text_lines("prd.md")
    assert any(
        line.startswith("prd.md:52:") and "[consistency-retention]" in line for line in lines
    )
    assert "  Risks (1):" in lines  # the hot-accounts risk is already in that draft: merged

    results = result.sarif_results("prd.md", text)
    contradiction = next(r for r in results if r["ruleId"] == "consistency-availability")
    assert contradiction["locations"][0]["physicalLocation"]["region"]["startLine"] == 60
    assert contradiction["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 26
    risk = next(r for r in results if r["ruleId"] == "ai-risk")
    heading_line = text.splitlines().index("## 9. APIs & Interactions") + 1
    assert risk["locations"][0]["physicalLocation"]["region"]["startLine"] == heading_line
    rule_ids = {rule["id"] for rule in result.sarif_rules()}
    assert {r["ruleId"] for r in results} <= rule_ids


def test_a_large_draft_is_sent_in_parts_and_nothing_is_cut() -> None:
    text = (DATA / "clean_search.md").read_text("utf-8")
    model = SectionModel(reply=lambda _h, _p: _reply(rewrites=[]))
    result = suggest_detailed(model, text, review(text), max_input_tokens=2_200)
    assert result.parts == len(model.prompts) > 1
    assert "reviewed in" in result.notes[0] and "nothing was cut" in result.notes[0]
    sent = "\n".join(prompt for _h, prompt in model.prompts)
    for line in text.splitlines():
        assert line in sent, line
    # Each part knows the whole draft's sections.
    assert all("## 19. Change Control" in prompt for _h, prompt in model.prompts)
    assert all(f"of {result.parts}" in prompt for _h, prompt in model.prompts)


def test_split_for_budget_splits_an_oversized_section_without_losing_text() -> None:
    big = "## 7. Non-Functional Requirements\n" + "\n\n".join(
        f"- Requirement {n}: the service MUST log request {n} with its tenant id."
        for n in range(400)
    )
    text = "# T\n\n## 1. Overview\nShort.\n\n" + big
    parts = split_for_budget(text, 800, "gpt-4o-mini")
    assert len(parts) > 3
    joined = "\n".join(parts)
    for n in range(400):
        assert f"log request {n} with" in joined
    assert any(p.startswith("## 7. Non-Functional Requirements (continued)") for p in parts)
    with pytest.raises(AssistError, match="context window is too small"):
        split_for_budget(text, 100)


def test_context_tokens_by_model() -> None:
    assert context_tokens("gpt-4o-mini") == 128_000
    assert context_tokens("gpt-4.1-nano") == 1_000_000
    assert context_tokens("llama3.1:8b") == 16_384


def test_accepting_suggestions_into_a_draft() -> None:
    template = load_template()
    draft = Draft.from_template(template, "A ledger service for payments.", "Ledger")
    risk = Risk(
        title="No fallback when Kafka is down",
        section="9. APIs & Interactions",
        likelihood="medium",
        impact="high",
        mitigation="Use an outbox table.",
    )
    question = SuggestedQuestion(
        question="Which regions must hold a replica?",
        why="Residency.",
        section="11. Security & Compliance",
        owner="Legal",
    )
    assert accept_risk(draft, risk) == "risks-mitigations"
    assert accept_risk(draft, risk) == "risks-mitigations"  # twice: one copy
    assert accept_question(draft, question) == "open-questions"
    risks = draft.section("risks-mitigations").text
    assert risks.count("No fallback when Kafka is down") == 1
    assert (
        "(likelihood: medium, impact: high; 9. APIs & Interactions). Mitigation: Use an outbox table."
        in risks
    )
    assert draft.section("risks-mitigations").source == "apply"
    line = draft.section("open-questions").text
    assert line.startswith("- Open question: Which regions must hold a replica? (owner: Legal")
    # The accepted question is an "Open question:" line, so drafting and review pick it up.
    assert re.search(r"open question:\s*Which regions", line, re.IGNORECASE)

    draft.section("non-functional-requirements").set_text("- The API must be fast.", "edit")
    from prd_assistant.assist.models import QuantifiedRewrite

    rewrite = QuantifiedRewrite(original="The API must be fast.", rewrite="p95 ≤ 200 ms (assumed).")
    assert apply_rewrite(draft, rewrite) == "non-functional-requirements"
    assert draft.section("non-functional-requirements").text == "- p95 ≤ 200 ms (assumed)."
    with pytest.raises(AssistError, match="no longer in the draft"):
        apply_rewrite(draft, rewrite)


def test_an_empty_draft_is_refused() -> None:
    with pytest.raises(AssistError, match="empty"):
        suggest(FakeListChatModel(responses=["{}"]), "  \n", [])
