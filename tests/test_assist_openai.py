"""The real openai client path (ChatOpenAI) against the local OpenAI-compatible test server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prd_assistant import llm
from prd_assistant.assist import AssistError, ai_review, clarifying_questions, suggest_detailed
from prd_assistant.review import review
from tests.support.openai_server import OpenAIStubServer, Reply, Status

DATA = Path(__file__).parent / "data" / "assist"
TEXT = (DATA / "contradictions_payments.md").read_text(encoding="utf-8")
SUGGESTIONS = {
    "risks": [
        {
            "title": "Kafka outage blocks transfer events",
            "section": "9. APIs & Interactions",
            "likelihood": "medium",
            "impact": "high",
            "mitigation": "Use a transactional outbox.",
        }
    ],
    "open_questions": [
        {
            "question": "Who signs off balance corrections made by support?",
            "why": "Audit trail.",
            "section": "11. Security & Compliance",
            "owner": "Compliance lead",
        }
    ],
    "rewrites": [],
}
QUESTIONS = {
    "questions": [
        {
            "question": "How many transfers per second at peak?",
            "topic": "users_scale",
            "options": ["200/s", "2,000/s", "20,000/s"],
            "recommended": "2,000/s",
        }
    ]
}


def _prompt(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content")) for m in body.get("messages", []))


def _replies(suggestions: str | list[str] | None = None):
    """Answers the capability probe, clarify and suggest prompts like a capable model."""
    suggestions = json.dumps(SUGGESTIONS) if suggestions is None else suggestions
    queue = [suggestions] if isinstance(suggestions, str) else list(suggestions)

    def reply(body: dict[str, Any]) -> str:
        prompt = _prompt(body)
        if '{"ok": true}' in prompt:
            return '{"ok": true}'
        if "clarifying questions" in prompt:
            return json.dumps(QUESTIONS)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return reply


def _settings(server: OpenAIStubServer, **kw: Any) -> llm.ModelSettings:
    return llm.ModelSettings(
        model="test-model", base_url=server.url, timeout=60, max_retries=0, **kw
    )


def _suggest_requests(server: OpenAIStubServer) -> list[dict[str, Any]]:
    return [b for b in server.requests if "reviewing a draft product requirements" in _prompt(b)]


def test_native_structured_output_when_the_server_supports_it() -> None:
    with OpenAIStubServer(reply=_replies(), structured_output=True) as server:
        result = ai_review(TEXT, review(TEXT), _settings(server))
        [request] = _suggest_requests(server)
    assert result.error is None, result.error
    assert result.native and not result.repaired
    assert result.suggestions.risks[0].title == "Kafka outage blocks transfer events"
    fmt = request["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "prd_suggestions" and fmt["json_schema"]["strict"] is True
    assert len(result.contradictions) == 5


def test_json_fallback_when_the_server_has_no_structured_output() -> None:
    with OpenAIStubServer(reply=_replies(), structured_output=False) as server:
        result = ai_review(TEXT, review(TEXT), _settings(server))
        requests = _suggest_requests(server)
    assert result.error is None, result.error
    assert not result.native
    assert result.suggestions.open_questions[0].owner == "Compliance lead"
    # The probe found json_schema refused and json_object working: the review uses that.
    assert [r.get("response_format") for r in requests] == [{"type": "json_object"}]


def test_a_rejected_response_format_falls_back_to_json_parsing() -> None:
    with OpenAIStubServer(reply=_replies(), structured_output=False) as server:
        model = llm.create_chat_model(_settings(server), streaming=False)
        result = suggest_detailed(model, TEXT, review(TEXT), structured=True)
        requests = _suggest_requests(server)
    assert result.suggestions.risks and not result.native and result.calls == 2
    assert requests[0]["response_format"]["type"] == "json_schema"  # refused with 400
    assert requests[1]["response_format"] == {"type": "json_object"}


def test_a_server_that_ignores_response_format_is_read_tolerantly() -> None:
    wrapped = "Here is my review:\n```json\n" + json.dumps(SUGGESTIONS, indent=2) + "\n```"
    with OpenAIStubServer(reply=_replies(), structured_output="ignore") as server:
        server.enqueue(Reply(wrapped))  # accepted response_format, answered prose + fenced JSON
        model = llm.create_chat_model(_settings(server), streaming=False)
        result = suggest_detailed(model, TEXT, review(TEXT), structured=True)
        [request] = server.requests
    assert request["response_format"]["type"] == "json_schema"
    assert result.suggestions.risks[0].mitigation == "Use a transactional outbox."
    assert result.calls == 1 and not result.repaired


def test_a_server_that_ignores_response_format_with_prose_gets_one_repair() -> None:
    with OpenAIStubServer(reply=_replies(), structured_output="ignore") as server:
        model = llm.create_chat_model(_settings(server), streaming=False)
        result = suggest_detailed(model, TEXT, review(TEXT), structured=True)
        first, repair = server.requests
    assert result.repaired and result.calls == 2
    assert result.suggestions.open_questions[0].owner == "Compliance lead"
    assert "response_format" in first and "response_format" not in repair


def test_invalid_then_repaired_over_http() -> None:
    replies = ['{"risks": [{"title": "Kafka outage", "likelihood": ', json.dumps(SUGGESTIONS)]
    with OpenAIStubServer(reply=_replies(replies), structured_output=False) as server:
        result = ai_review(TEXT, review(TEXT), _settings(server))
        requests = _suggest_requests(server)
    assert result.error is None and result.repaired
    assert len(requests) == 1  # the repair request is a separate prompt
    assert any("could not be used" in _prompt(b) for b in server.requests)


def test_invalid_twice_over_http_keeps_rule_findings_and_contradictions() -> None:
    findings = review(TEXT)
    with OpenAIStubServer(
        reply=_replies(["no json", "still no json"]), structured_output=False
    ) as server:
        result = ai_review(TEXT, findings, _settings(server))
    assert result.suggestions is None
    assert "could not be read as risks and open questions" in result.error
    assert len(result.contradictions) == 5
    assert findings == review(TEXT)


def test_a_wrong_key_is_reported_without_the_key() -> None:
    secret = "sk-test-wrong-key-1234567890abcdef"
    with OpenAIStubServer(reply=_replies(), require_key="sk-right") as server:
        model = llm.create_chat_model(_settings(server, api_key=secret), streaming=False)
        with pytest.raises(AssistError) as caught:
            suggest_detailed(model, TEXT, [], structured=True)
    assert "Could not get risks and open questions" in str(caught.value)
    assert secret not in str(caught.value)


@pytest.mark.parametrize("structured_output", [True, False])
def test_clarifying_questions_over_http(structured_output: bool) -> None:
    with OpenAIStubServer(reply=_replies(), structured_output=structured_output) as server:
        model = llm.create_chat_model(_settings(server), streaming=True)  # the drafting model
        questions = clarifying_questions(model, "A ledger service for payments.", "")
    assert [q.recommended for q in questions] == ["2,000/s"]


def test_a_context_overflow_is_retried_in_smaller_parts() -> None:
    overflow = Status(
        400,
        message="This model's maximum context length is 4096 tokens. Please reduce the length.",
        error_code="context_length_exceeded",
    )
    with OpenAIStubServer(reply=_replies(), structured_output=False) as server:
        server.enqueue(overflow)
        model = llm.create_chat_model(_settings(server), streaming=False)
        result = suggest_detailed(model, TEXT, review(TEXT), structured=False)
        calls = server.calls
    assert calls == 2
    assert result.suggestions.risks
    assert any("too long for the model" in note for note in result.notes)


def test_clarify_falls_back_from_a_500_refusal_and_remembers_the_mode() -> None:
    # llama_cpp.server answers json_schema with HTTP 500 and accepts json_object.
    with OpenAIStubServer(
        reply=_replies(), structured_output=False, schema_refusal_status=500
    ) as server:
        model = llm.create_chat_model(_settings(server), client_retries=0)
        first = clarifying_questions(model, "A ledger service for payments.", "")
        again = clarifying_questions(model, "A ledger service for payments.", "")
        formats = [(r.get("response_format") or {}).get("type") for r in server.requests]
        caps = [r.get("max_tokens") for r in server.requests]
    assert first and again
    assert formats == ["json_schema", "json_object", "json_object"]
    assert all(caps)  # every structured call caps its output


def test_ai_review_streams_its_calls() -> None:
    with OpenAIStubServer(reply=_replies(), structured_output=True) as server:
        result = ai_review(TEXT, review(TEXT), _settings(server))
        [request] = _suggest_requests(server)
    assert result.error is None and request["stream"] is True and request["max_tokens"]
