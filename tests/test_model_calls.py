"""Model calls outside drafting (review --ai, clarify, suggest) under the drafting retry policy.

Each test runs the real openai client against the local fault server on 127.0.0.1: the call
is streamed and capped, a permanent error (501) is sent once, a cut or stalled reply is
retried, and the abandoned stream is closed before the retry goes out.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from prd_assistant import llm, model_calls
from prd_assistant.assist import ai_review, clarifying_questions
from prd_assistant.cli import main
from prd_assistant.review import review
from tests.support.openai_server import Finish, OpenAIStubServer, Stall, Status
from tests.test_assist_openai import SUGGESTIONS

PRD = Path(__file__).parent / "data" / "assist" / "contradictions_payments.md"
TEXT = PRD.read_text(encoding="utf-8")
QUESTIONS = {"questions": [{"question": "How many transfers per second?", "options": ["200/s"]}]}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL"):
        monkeypatch.delenv(name, raising=False)


def _prompt(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content")) for m in body.get("messages", []))


def _reply(body: dict[str, Any]) -> str:
    prompt = _prompt(body)
    if '{"ok": true}' in prompt:
        return '{"ok": true}'
    if "clarifying questions" in prompt:
        return json.dumps(QUESTIONS)
    return json.dumps(SUGGESTIONS)


def _review_calls(server: OpenAIStubServer) -> list[dict[str, Any]]:
    return [b for b in server.requests if "reviewing a draft product requirements" in _prompt(b)]


def _settings(server: OpenAIStubServer, **kw: Any) -> llm.ModelSettings:
    values: dict[str, Any] = {"model": "test-model", "base_url": server.url, "timeout": 60}
    return llm.ModelSettings(**{**values, **kw})


def test_review_ai_sends_a_501_once(capsys):
    with OpenAIStubServer(reply=_reply) as server:
        server.enqueue(*[Status(501)] * 8)
        code = main(
            [
                *["review", str(PRD), "--ai", "--base-url", server.url, "--model", "test-model"],
                *["--retries", "3", "--format", "json"],
            ]
        )
        calls = _review_calls(server)
    payload = json.loads(capsys.readouterr().out)
    assert code == 1 and payload["findings"]
    assert len(calls) == 1, "a 501 was retried"
    assert "501" in payload["ai"]["error"]


def test_ai_review_retries_a_reply_that_ended_without_a_finish_reason():
    # llama.cpp ends a reply it drops with [DONE] and no finish_reason: half a JSON object.
    with OpenAIStubServer(reply=_reply, chunks=6) as server:
        server.enqueue(Finish(None, fraction=0.5))
        result = ai_review(TEXT, review(TEXT), _settings(server), structured=False)
        calls = _review_calls(server)
    assert result.error is None, result.error
    assert not result.repaired  # retried, not "repaired" from a fragment
    assert len(calls) == 2
    assert all(c["stream"] is True and c["max_tokens"] for c in calls)
    assert result.suggestions.risks[0].title == "Kafka outage blocks transfer events"


def test_a_stalled_review_stream_is_closed_before_the_retry_goes_out():
    seen: list[tuple[int, int]] = []

    def reply(body: dict[str, Any]) -> str:
        seen.append((server.streaming_replies, server.abandoned))
        return _reply(body)

    # The first reply goes silent mid-stream (keep-alive pings only) on a one-slot server.
    with OpenAIStubServer(reply=reply, slots=1, chunks=4) as server:
        server.enqueue(Stall(after_chunks=1, seconds=None, pings=0.05))
        settings = _settings(server, idle_timeout=0.5)
        result = ai_review(TEXT, review(TEXT), settings, structured=False)
    assert result.error is None, result.error
    assert server.interrupted == 0
    # The retry found the server idle: the abandoned stream had been closed, not left running.
    assert seen[-1] == (0, 1)


def test_a_review_reply_longer_than_the_total_timeout_is_given_up_and_retried():
    with OpenAIStubServer(reply=_reply, delay=2.0, chunks=20) as server:
        settings = _settings(server, timeout=0.6, max_retries=1)
        result = ai_review(TEXT, review(TEXT), settings, structured=False)
        calls = _review_calls(server)
    # Each 2 s reply was given up at 0.6 s and tried once more, not waited out.
    assert result.error and "ended the reply before it was finished" in result.error
    assert len(calls) == 2


def test_clarify_retries_a_429_itself_honouring_retry_after():
    with OpenAIStubServer(reply=_reply) as server:
        server.enqueue(Status(429, retry_after=0.3))
        model = llm.create_chat_model(_settings(server), client_retries=0)
        started = time.monotonic()
        questions = clarifying_questions(model, "A ledger service.", structured=False, retries=2)
        elapsed = time.monotonic() - started
        calls = server.calls
    assert [q.question for q in questions] == ["How many transfers per second?"]
    assert calls == 2 and elapsed >= 0.3


def test_clarify_gives_up_on_a_silent_server_after_two_idle_timeouts():
    with OpenAIStubServer(reply=_reply) as server:
        server.enqueue(*[Stall(after_chunks=0, seconds=None)] * 10)
        model = llm.create_chat_model(_settings(server, idle_timeout=0.4), client_retries=0)
        with pytest.raises(Exception, match="did not answer in time"):
            clarifying_questions(model, "A ledger service.", structured=False, retries=8)
        calls = server.calls
    assert calls == 2  # eight retries allowed, but two idle timeouts of silence end it


def test_idle_timeouts_are_counted_not_timed_so_a_slow_client_is_not_silence():
    """On a busy machine a try can spend longer than two idle timeouts before the server is
    even asked; that is not the server's silence, so the second try still goes out."""
    tries: list[list[float]] = []

    def slow_silent_try(heard: list[float]) -> str:
        tries.append(heard)
        time.sleep(0.3)  # three idle timeouts of client work, then the server says nothing
        raise TimeoutError("no chunk in time")

    with pytest.raises(TimeoutError):
        model_calls.retried(slow_silent_try, retries=5, idle=0.1)
    assert len(tries) == 2  # two silent tries end it, however long each took


def test_a_try_that_streamed_before_going_silent_starts_the_count_again():
    replies = iter(["streamed", "silent 1", "silent 2", "silent 3"])

    def try_once(heard: list[float]) -> str:
        if next(replies) == "streamed":
            heard[0] = time.monotonic()  # a chunk arrived, then the stream stalled
        raise TimeoutError("no chunk in time")

    with pytest.raises(TimeoutError):
        model_calls.retried(try_once, retries=5, idle=0.01)
    assert next(replies) == "silent 2"  # streamed, then one silent try: no third try
