"""The stub server itself: what other tests and benchmarks rely on."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel

from prd_assistant import llm
from tests.support import processes
from tests.support.openai_server import (
    Cut,
    Finish,
    Hang,
    Malformed,
    OpenAIStubServer,
    Reply,
    Stall,
    Status,
    example_from_schema,
)

ROOT = Path(__file__).resolve().parents[1]
SERVER_COMMAND = [sys.executable, "-m", "tests.support.openai_server"]


class Risk(BaseModel):
    title: str
    likelihood: str
    owners: list[str]


class Plan(BaseModel):
    risks: list[Risk]
    done: bool


def post(url: str, body: dict, key: str = "x") -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        url + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def chat(text: str = "hi") -> dict:
    return {"model": "test-model", "messages": [{"role": "user", "content": text}]}


def test_fail_rate_is_seeded_and_counted():
    def outcomes(seed: int) -> list[int]:
        with OpenAIStubServer(fail_rate=0.5, seed=seed) as server:
            codes = [post(server.url, chat())[0] for _ in range(12)]
            assert server.calls == 12 and server.failures == codes.count(429) + codes.count(500)
        return codes

    first = outcomes(1)
    assert first == outcomes(1)
    assert set(first) == {200, 429, 500}


def test_random_429_asks_for_an_immediate_retry():
    with OpenAIStubServer(fail_rate=1.0, fail_statuses=(429,)) as server:
        status, headers, body = post(server.url, chat())
    assert status == 429 and headers["Retry-After"] == "0"
    assert body["error"]["code"] == "rate_limit_exceeded"


def test_scripted_behaviours_run_in_order_and_requests_are_recorded():
    with OpenAIStubServer() as server:
        server.enqueue(Status(503), Reply("scripted"))
        assert post(server.url, chat("one"))[0] == 503
        assert post(server.url, chat("two"))[2]["choices"][0]["message"]["content"] == "scripted"
        assert post(server.url, chat("three"))[0] == 200
        assert [r["messages"][0]["content"] for r in server.requests] == ["one", "two", "three"]


def test_default_reply_names_the_section_asked_for():
    with OpenAIStubServer() as server:
        body = post(server.url, chat("Now write the section ## Success Metrics\n"))[2]
    text = body["choices"][0]["message"]["content"]
    assert "success metrics" in text and "Open question" in text
    assert body["usage"]["completion_tokens"] == len(text.split())


def test_require_key_guards_every_route():
    with OpenAIStubServer(require_key="sk-good-000000") as server:
        assert post(server.url, chat(), key="sk-good-000000")[0] == 200
        status, _, body = post(server.url, chat(), key="sk-wrong-000000")
        request = urllib.request.Request(server.url + "/models")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=5)
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    assert info.value.code == 401


def test_json_schema_rejected_when_unsupported():
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    with OpenAIStubServer(structured_output=False) as server:
        status, _, body = post(server.url, {**chat(), "response_format": schema})
        json_object = post(server.url, {**chat(), "response_format": {"type": "json_object"}})
    assert status == 400 and "not supported" in body["error"]["message"]
    assert json_object[0] == 200


def test_example_from_schema_fits_pydantic_models():
    example = example_from_schema(Plan.model_json_schema())
    assert Plan.model_validate(example).risks[0].owners


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
@pytest.mark.parametrize("streaming", [True, False])
def test_chatopenai_structured_output_round_trips(method, streaming):
    with OpenAIStubServer() as server:
        settings = llm.ModelSettings(model="test-model", base_url=server.url, max_retries=0)
        model = llm.create_chat_model(settings, streaming=streaming)
        if method == "json_mode":
            example = json.dumps(example_from_schema(Plan.model_json_schema()))
            server.enqueue(Reply(example))
        result = model.with_structured_output(Plan, method=method).invoke("plan it")
    assert isinstance(result, Plan) and result.risks


def test_command_line_prints_the_url_first(tmp_path):
    reply = tmp_path / "reply.md"
    reply.write_text("From a file.", encoding="utf-8")
    process = subprocess.Popen(
        [*SERVER_COMMAND, "--port", "0", "--reply-file", str(reply), "--model", "m1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        with urllib.request.urlopen(url + "/models", timeout=5) as response:
            assert [m["id"] for m in json.loads(response.read())["data"]] == ["m1"]
        assert post(url, chat())[2]["choices"][0]["message"]["content"] == "From a file."
    finally:
        processes.stop(process, timeout=5)


# -- fault modes: what each looks like on the wire -----------------------------------------------


def stream(url: str, body: dict, timeout: float = 5.0) -> tuple[list[dict], bool, str]:
    """Reads a streamed chat reply: (JSON events, whether [DONE] came, the error if any)."""
    events: list[dict] = []
    done, error = False, ""
    try:
        with httpx.stream(
            "POST", url + "/chat/completions", json={**body, "stream": True}, timeout=timeout
        ) as response:
            for line in response.iter_lines():
                if line == "data: [DONE]":
                    done = True
                elif line.startswith("data: "):
                    events.append(json.loads(line[6:]))
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    return events, done, error


def finish_reasons(events: list[dict]) -> list[str]:
    return [c["finish_reason"] for e in events for c in e["choices"] if c.get("finish_reason")]


def content(events: list[dict]) -> str:
    return "".join(c["delta"].get("content") or "" for e in events for c in e["choices"])


def test_a_normal_stream_is_chunked_and_ends_with_stop_then_done():
    with OpenAIStubServer(chunks=3) as server:
        events, done, error = stream(server.url, chat("Now write the section ## Scope\n"))
    assert done and not error and finish_reasons(events) == ["stop"]
    assert "scope" in content(events)


def test_hang_accepts_and_never_answers():
    with OpenAIStubServer(fault=Hang()) as server:
        started = time.perf_counter()
        _, done, error = stream(server.url, chat(), timeout=0.5)
        assert error == "ReadTimeout" and not done
        assert time.perf_counter() - started < 3


def test_stall_goes_silent_mid_stream():
    with OpenAIStubServer(chunks=4, fault=Stall(after_chunks=2)) as server:
        events, done, error = stream(server.url, chat(), timeout=0.5)
    assert error == "ReadTimeout" and not done
    assert len(events) == 2 and not finish_reasons(events)


def test_a_short_stall_then_goes_on():
    with OpenAIStubServer(chunks=4, fault=Stall(after_chunks=1, seconds=0.2)) as server:
        events, done, error = stream(server.url, chat())
    assert done and not error and finish_reasons(events) == ["stop"]


def test_cut_closes_the_connection_in_the_middle_of_a_chunk():
    with OpenAIStubServer(chunks=4, fault=Cut(after_chunks=2)) as server:
        events, done, error = stream(server.url, chat())
        assert error == "RemoteProtocolError" and not done and len(events) == 2
        # A cut non-streaming reply: the headers promise more body than arrives.
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(server.url + "/chat/completions", json=chat(), timeout=5)


def test_fault_calls_limits_the_fault_to_the_first_calls():
    with OpenAIStubServer(fault=Cut(), fault_calls=1) as server:
        assert stream(server.url, chat())[2] == "RemoteProtocolError"
        assert stream(server.url, chat())[1]


def test_done_without_finish_reason_and_length():
    with OpenAIStubServer(chunks=4) as server:
        server.enqueue(Finish(None), Finish("length"))
        no_reason, done, _ = stream(server.url, chat())
        length, _, _ = stream(server.url, chat())
        full, _, _ = stream(server.url, chat())
        server.enqueue(Finish("length"))
        plain = post(server.url, chat())[2]
    assert done and no_reason and not finish_reasons(no_reason)
    assert finish_reasons(length) == ["length"]
    assert len(content(length)) < len(content(full))
    assert plain["choices"][0]["finish_reason"] == "length"


def test_statuses_carry_retry_after_and_html_bodies_are_html():
    with OpenAIStubServer() as server:
        server.enqueue(Status(429, retry_after=2), Status(501), Malformed(content_type="text/html"))
        status, headers, _ = post(server.url, chat())
        assert status == 429 and headers["Retry-After"] == "2"
        assert post(server.url, chat())[0] == 501
        response = httpx.post(server.url + "/chat/completions", json=chat(), timeout=5)
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html>")


def test_one_slot_ends_the_reply_in_progress_without_a_finish_reason():
    with OpenAIStubServer(slots=1, delay=1.0, chunks=10) as server:
        first: dict = {}

        def read_first() -> None:
            first["events"], first["done"], first["error"] = stream(server.url, chat("one"))

        thread = threading.Thread(target=read_first)
        thread.start()
        # The second call must arrive while the first one streams; a fixed sleep lost that
        # race on a loaded machine.
        deadline = time.monotonic() + 10
        while server.streaming_replies == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        second, second_done, _ = stream(server.url, chat("two"))
        thread.join(5)
        assert server.interrupted == 1
    assert first["done"] and not first["error"] and not finish_reasons(first["events"])
    assert second_done and finish_reasons(second) == ["stop"]


def test_slot_endpoints_report_the_slot_count_like_llama_cpp():
    root = "http://127.0.0.1:{}"
    with OpenAIStubServer(slots=4, slot_endpoints=True) as server:
        props = httpx.get(root.format(server.port) + "/props", timeout=5).json()
        slots = httpx.get(root.format(server.port) + "/slots", timeout=5).json()
    with OpenAIStubServer() as plain:
        missing = httpx.get(root.format(plain.port) + "/props", timeout=5).status_code
    assert props["total_slots"] == 4 and len(slots) == 4
    assert missing == 404


def test_json_schema_refused_with_500_like_llama_cpp_server():
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    with OpenAIStubServer(structured_output=False, schema_refusal_status=500) as server:
        status, _, _ = post(server.url, {**chat(), "response_format": schema})
        json_object = post(server.url, {**chat(), "response_format": {"type": "json_object"}})
    assert status == 500 and json_object[0] == 200


def test_command_line_faults_apply_to_the_first_calls():
    process = subprocess.Popen(
        [*SERVER_COMMAND, "--port", "0", "--fault", "501", "--fault-calls", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert post(url, chat())[0] == 501
        assert post(url, chat())[0] == 200
    finally:
        processes.stop(process, timeout=5)
