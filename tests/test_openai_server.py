"""The stub server itself: what other tests and benchmarks rely on."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pydantic import BaseModel

from prd_assistant import llm
from tests.support.openai_server import OpenAIStubServer, Reply, Status, example_from_schema

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
        process.terminate()
        process.wait(timeout=5)
