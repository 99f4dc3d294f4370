"""llm.py through the real openai client and ChatOpenAI, against the local stub server."""

from __future__ import annotations

import json
import logging
import re
import time

import httpx
import openai
import pytest
from pydantic import SecretStr

from prd_assistant import llm, model_server
from tests.support.openai_server import (
    Cut,
    Hang,
    Malformed,
    OpenAIStubServer,
    Reply,
    Status,
    count_words,
    default_reply,
)
from tests.support.ports import free_port, unaccepting_port

SECTION_PROMPT = "Context...\nNow write the section ## Goals\n"
BAD_KEY = "sk-bad-Secret-Value-123456"


def settings_for(server: OpenAIStubServer, **overrides) -> llm.ModelSettings:
    values = {"model": "test-model", "base_url": server.url, "timeout": 5.0, "max_retries": 0}
    values.update(overrides)
    return llm.ModelSettings(**values)


def failure(model, prompt: str = "x") -> BaseException:
    with pytest.raises(Exception) as info:
        model.invoke(prompt)
    return info.value


@pytest.fixture
def server():
    with OpenAIStubServer() as stub:
        yield stub


# -- settings ----------------------------------------------------------------------------------


def test_from_env_precedence(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-000000")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1/")
    monkeypatch.setenv("PRD_MODEL", "llama3.1")
    from_env = llm.ModelSettings.from_env()
    assert from_env.model == "llama3.1"
    assert from_env.base_url == "http://localhost:11434/v1"
    assert from_env.api_key.get_secret_value() == "sk-from-env-000000"

    explicit = llm.ModelSettings.from_env(
        model="gpt-4o", base_url="http://other:8000/v1", api_key="sk-explicit-111111", timeout=9
    )
    assert (explicit.model, explicit.base_url, explicit.timeout) == (
        "gpt-4o",
        "http://other:8000/v1",
        9,
    )
    assert explicit.api_key.get_secret_value() == "sk-explicit-111111"


def test_defaults_and_empty_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.setenv(name, "")
    monkeypatch.delenv("PRD_MODEL", raising=False)
    settings = llm.ModelSettings.from_env()
    assert settings.model == "gpt-4o-mini"
    assert settings.api_key is None and settings.base_url is None
    assert not settings.is_configured
    assert settings.label() == "gpt-4o-mini @ api.openai.com"
    assert llm.ModelSettings(base_url="http://127.0.0.1:8000/v1").is_configured


def test_key_never_in_repr_or_label():
    settings = llm.ModelSettings(api_key=BAD_KEY, base_url="http://h:1/v1")
    assert isinstance(settings.api_key, SecretStr)
    for text in (repr(settings), str(settings), settings.label()):
        assert BAD_KEY not in text


def test_openai_without_key_is_a_clear_fatal_error():
    with pytest.raises(llm.ModelConfigError) as info:
        llm.create_chat_model(llm.ModelSettings(api_key=None, base_url=None))
    assert "OPENAI_API_KEY" in llm.describe_error(info.value)
    assert llm.is_fatal(info.value)


# -- the happy path ----------------------------------------------------------------------------


def test_streaming_arrives_in_chunks_with_usage():
    with OpenAIStubServer(delay=0.4, chunks=4) as server:
        model = llm.create_chat_model(settings_for(server))
        started = time.monotonic()
        arrivals, chunks = [], []
        for chunk in model.stream(SECTION_PROMPT):
            arrivals.append(time.monotonic() - started)
            chunks.append(chunk)
        request = server.requests[0]

    texts = [c.content for c in chunks if c.content]
    assert len(texts) >= 4
    expected = default_reply(request)
    assert "".join(texts) == expected and "goals" in expected
    # Tokens arrive as they are produced, not all at the end.
    assert arrivals[0] < arrivals[-1] - 0.15
    assert request["stream"] is True
    assert request["stream_options"] == {"include_usage": True}
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert merged.usage_metadata["input_tokens"] == count_words(SECTION_PROMPT)
    assert merged.usage_metadata["output_tokens"] == count_words(expected)


def test_non_streaming_reports_usage_and_sends_explicit_settings(server):
    model = llm.create_chat_model(settings_for(server, temperature=0.3), streaming=False)
    reply = model.invoke("Now write the section ## Scope\n")
    assert "scope" in reply.content
    assert reply.usage_metadata["output_tokens"] == count_words(reply.content)
    request = server.requests[0]
    assert request["temperature"] == 0.3 and not request.get("stream")


def test_reasoning_models_get_no_temperature(server):
    llm.create_chat_model(settings_for(server, model="o3-mini")).invoke("hi")
    assert "temperature" not in server.requests[0]


def test_keyless_local_server_gets_a_placeholder_key():
    with OpenAIStubServer(require_key=llm.PLACEHOLDER_KEY) as server:
        reply = llm.create_chat_model(settings_for(server, api_key=None)).invoke("hi")
    assert reply.content


# -- failures ----------------------------------------------------------------------------------


def test_rejected_key_is_one_clean_line_and_never_leaks(caplog):
    caplog.set_level(logging.DEBUG)  # includes openai's and httpx's own debug logging
    with OpenAIStubServer(require_key="sk-good-000000") as server:
        settings = settings_for(server, api_key=BAD_KEY)
        exc = failure(llm.create_chat_model(settings))
        message = llm.describe_error(exc)
        result = model_server.test_connection(settings)

    # The stub echoes the whole key in its 401 body (worse than OpenAI's masked echo).
    assert BAD_KEY in str(exc.body)
    assert "rejected the API key" in message and "\n" not in message
    assert llm.is_fatal(exc)
    assert not result.ok and "rejected the API key" in result.message
    for text in (message, result.message, repr(settings), caplog.text):
        assert BAD_KEY not in text
        assert "Secret-Value" not in text


def test_rate_limit_retry_honours_retry_after(server):
    # 0.9 s is longer than the client's own first backoff (at most 0.5 s), so only an
    # honoured Retry-After explains the wait.
    server.enqueue(Status(429, retry_after=0.9), Reply("second time lucky"))
    model = llm.create_chat_model(settings_for(server, max_retries=2), streaming=False)
    started = time.monotonic()
    reply = model.invoke("hi")
    elapsed = time.monotonic() - started
    assert reply.content == "second time lucky"
    assert server.calls == 2
    assert 0.9 <= elapsed < 1.8


def test_rate_limit_exhausted(server):
    server.enqueue(*[Status(429, retry_after=0.01)] * 2)
    exc = failure(llm.create_chat_model(settings_for(server, max_retries=1)))
    assert "rate limiting" in llm.describe_error(exc)
    assert not llm.is_fatal(exc) and server.calls == 2


def test_no_credit_is_fatal(server):
    server.enqueue(Status(429, message="You exceeded your quota.", error_code="insufficient_quota"))
    exc = failure(llm.create_chat_model(settings_for(server, max_retries=0)))
    assert "run out of credit" in llm.describe_error(exc)
    assert llm.is_fatal(exc)


def test_server_error_after_retries(server):
    server.enqueue(*[Status(500, retry_after=0.01)] * 3)
    exc = failure(llm.create_chat_model(settings_for(server, max_retries=2)))
    message = llm.describe_error(exc)
    assert server.calls == 3
    assert "HTTP 500" in message and "retries did not help" in message
    assert not llm.is_fatal(exc)


def test_timeout(server):
    server.enqueue(Hang(3.0))
    model = llm.create_chat_model(settings_for(server, timeout=0.3))
    started = time.monotonic()
    exc = failure(model)
    assert time.monotonic() - started < 2.0
    assert "did not answer in time" in llm.describe_error(exc)
    assert not llm.is_fatal(exc) and not llm.is_connect_timeout(exc)


@pytest.mark.parametrize("streaming", [True, False])
def test_malformed_reply(server, streaming):
    server.enqueue(Malformed())
    exc = failure(llm.create_chat_model(settings_for(server), streaming=streaming))
    assert "not valid OpenAI API output" in llm.describe_error(exc)


def test_unreachable_server():
    port = free_port()
    settings = llm.ModelSettings(model="m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    exc = failure(llm.create_chat_model(settings))
    message = llm.describe_error(exc)
    assert "Could not reach the model server" in message and f"127.0.0.1:{port}" in message
    assert llm.is_fatal(exc)


def test_a_server_that_never_accepts_the_connection_could_not_be_connected_to():
    # Not "did not answer in time": the request never reached a server. That is as final
    # as a refused connection, and the message says what to check.
    with unaccepting_port() as port:
        settings = llm.ModelSettings(
            model="m", base_url=f"http://127.0.0.1:{port}/v1", connect_timeout=0.5, max_retries=0
        )
        exc = failure(llm.create_chat_model(settings))
    message = llm.describe_error(exc)
    assert message.startswith(f"Could not connect to the model server at 127.0.0.1:{port}")
    assert "server URL" in message and "firewall" in message
    assert "did not answer" not in message
    assert llm.is_connect_timeout(exc) and llm.is_fatal(exc)


def test_unknown_model(server):
    server.enqueue(Status(404))
    exc = failure(llm.create_chat_model(settings_for(server, model="gpt-9")))
    assert "Model 'gpt-9' was not found" in llm.describe_error(exc)
    assert llm.is_fatal(exc)


def test_bad_request_shows_redacted_server_detail(server):
    server.enqueue(Status(400, message="Invalid value for key sk-abcdefghijklmnop: bad"))
    message = llm.describe_error(failure(llm.create_chat_model(settings_for(server))))
    assert message.startswith("The model server refused the request (400)")
    assert "Invalid value" in message and "sk-abcdefghijklmnop" not in message


def test_context_length_exceeded(server):
    server.enqueue(Status(400, message="Too long.", error_code="context_length_exceeded"))
    exc = failure(llm.create_chat_model(settings_for(server)))
    assert "too long for this model" in llm.describe_error(exc)


# -- models and connection checks --------------------------------------------------------------


def test_list_models_and_test_connection():
    with OpenAIStubServer(models=("b-model", "a-model")) as server:
        assert model_server.list_models(settings_for(server)) == ["a-model", "b-model"]
        ok = model_server.test_connection(settings_for(server, model="a-model"))
        missing = model_server.test_connection(settings_for(server, model="gpt-9"))
    assert ok.ok and ok.models == ["a-model", "b-model"] and "a-model" in ok.message
    assert not missing.ok and "does not offer model 'gpt-9'" in missing.message
    assert "a-model" in missing.message


def test_test_connection_unreachable_and_server_error(server):
    down = llm.ModelSettings(model="m", base_url=f"http://127.0.0.1:{free_port()}/v1")
    down.max_retries = 0
    result = model_server.test_connection(down)
    assert not result.ok and "Could not reach" in result.message and result.models == []


def test_test_connection_falls_back_to_chat_without_models_endpoint(server):
    server.enqueue_models(Status(404))
    result = model_server.test_connection(settings_for(server, max_retries=3))
    assert result.ok and server.requests[-1]["max_tokens"] == 1
    assert server.model_list_calls == 1  # a 404 is not retried


# -- the model list goes through the shared call policy ----------------------------------------


def test_the_model_list_is_retried_by_the_shared_policy_not_the_client(server):
    # 503 and 500 may pass: retried, with the back-off the server asks for.
    server.enqueue_models(Status(503, retry_after=0.05), Status(500, retry_after=0.05))
    assert model_server.list_models(settings_for(server, max_retries=2)) == ["test-model"]
    assert server.model_list_calls == 3
    # 501 is permanent: one request, however many retries are allowed (the openai client
    # would send it four times).
    server.enqueue_models(*[Status(501)] * 4)
    with pytest.raises(openai.APIStatusError) as caught:
        model_server.list_models(settings_for(server, max_retries=3))
    assert server.model_list_calls == 4
    assert "does not implement this request" in llm.describe_error(caught.value)


def test_a_silent_model_list_is_given_up_after_two_idle_timeouts(server):
    server.enqueue_models(*[Hang(5.0)] * 4)
    settings = settings_for(server, idle_timeout=0.3, max_retries=3)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError) as caught:
        model_server.list_models(settings)
    assert server.model_list_calls == 2  # not four tries of a silent server
    assert time.monotonic() - started < 4
    assert "did not answer in time" in llm.describe_error(caught.value)


def test_checking_the_server_before_drafting_uses_the_settings_connect_timeout():
    with unaccepting_port() as port:
        settings = llm.ModelSettings(
            model="m", base_url=f"http://127.0.0.1:{port}/v1", connect_timeout=0.5, max_retries=3
        )
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError) as caught:
            model_server.inspect_server(settings)
    assert time.monotonic() - started < 10  # one connect limit, not 2 x 30 s
    assert "Could not connect" in llm.describe_error(caught.value)


def test_checking_the_server_before_drafting_retries_a_server_error(server):
    server.enqueue_models(Status(503, retry_after=0.05))
    info = model_server.inspect_server(settings_for(server, max_retries=1))
    assert info.models == ("test-model",) and server.model_list_calls == 2


def _not_found(server: OpenAIStubServer) -> BaseException:
    import openai

    client = openai.OpenAI(base_url=server.url.removesuffix("/v1"), api_key="x", max_retries=0)
    try:
        client.models.list()  # /models (no /v1) is unknown to the stub -> 404
    except openai.NotFoundError as exc:
        return exc
    raise AssertionError("expected a 404")


def test_404_on_an_endpoint_points_at_the_server_url(server):
    message = llm.describe_error(_not_found(server))
    assert "server URL" in message


# -- structured output -------------------------------------------------------------------------


def test_structured_output_support_for_openai_models_needs_no_call():
    assert llm.supports_structured_output(llm.ModelSettings(model="gpt-4o-mini"))
    assert llm.supports_structured_output(llm.ModelSettings(model="gpt-4.1-2025-04-14"))
    assert not llm.supports_structured_output(llm.ModelSettings(model="gpt-3.5-turbo"))
    assert not llm.supports_structured_output(llm.ModelSettings(model="gpt-4"))


@pytest.mark.parametrize(
    ("mode", "refusal", "expected", "calls"),
    [
        (True, 400, "json_schema", 1),
        (False, 400, "json_object", 2),
        (False, 500, "json_object", 2),  # llama_cpp.server refuses json_schema with a 500
        ("ignore", 400, "text", 2),
    ],
)
def test_structured_output_probe(mode, refusal, expected, calls):
    with OpenAIStubServer(structured_output=mode, schema_refusal_status=refusal) as server:
        settings = settings_for(server, max_retries=3)
        assert llm.structured_mode(settings) == expected
        assert llm.supports_structured_output(settings) is (expected == "json_schema")
        assert server.calls == calls  # no client retries; remembered per server and model
    assert server.requests[0]["response_format"]["type"] == "json_schema"


def test_structured_output_probe_unreachable_is_false():
    settings = llm.ModelSettings(model="m", base_url=f"http://127.0.0.1:{free_port()}/v1")
    settings.max_retries = 0
    assert llm.supports_structured_output(settings) is False


# -- one line per mistake, with what to do -------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"base_url": "localhost:8080/v1"}, "needs a scheme and a host"),
        ({"base_url": "http://127.0.0.1:1/v1", "timeout": 0}, "timeout must be more than 0"),
        ({"base_url": "http://127.0.0.1:1/v1", "idle_timeout": -5}, "idle timeout must be more"),
    ],
)
def test_settings_no_call_can_succeed_with_are_refused_clearly(overrides, expected):
    settings = llm.ModelSettings(model="m", **overrides)
    with pytest.raises(llm.ModelConfigError, match=expected):
        llm.create_chat_model(settings)


def test_a_key_with_a_trailing_newline_is_used_without_it():
    with OpenAIStubServer(require_key="sk-good-000000") as stub:
        settings = settings_for(stub, api_key="sk-good-000000\n")
        assert llm.create_chat_model(settings, streaming=False).invoke("hi").content


@pytest.mark.parametrize("streaming", [True, False])
def test_html_body_and_cut_reply_and_501_each_get_their_own_message(server, streaming):
    model = llm.create_chat_model(settings_for(server), streaming=streaming)
    server.enqueue(Malformed(content_type="text/html"), Cut(), Status(501))
    html, cut, not_implemented = (llm.describe_error(failure(model)) for _ in range(3))
    assert "not valid OpenAI API output" in html and "web page" in html
    assert "dropped in the middle of a reply" in cut and "Could not reach" not in cut
    assert "does not implement" in not_implemented
    for message in (html, cut, not_implemented):
        assert "Error" not in message.split(".")[0]  # no internal class names


def test_501_is_not_transient(server):
    # Drafting retries by these rules (its client has no retries of its own).
    server.enqueue(Status(501))
    exc = failure(llm.create_chat_model(settings_for(server), client_retries=0))
    assert not llm.is_transient(exc) and llm.is_fatal(exc) and server.calls == 1


def _status(cls: type[openai.APIStatusError], code: int, body: object = None):
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    return cls("failed", response=httpx.Response(code, request=request), body=body)


def _every_model_error() -> list[BaseException]:
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    quota = {"error": {"code": "insufficient_quota"}}
    context = {"error": {"code": "context_length_exceeded"}}
    errors: list[BaseException] = [
        openai.APITimeoutError(request=request),
        openai.APIConnectionError(request=request),
        _status(openai.AuthenticationError, 401),
        _status(openai.PermissionDeniedError, 403),
        _status(openai.NotFoundError, 404),
        _status(openai.RateLimitError, 429),
        _status(openai.RateLimitError, 429, quota),
        _status(openai.BadRequestError, 400, context),
        _status(openai.InternalServerError, 500),
        _status(openai.APIStatusError, 501),
        json.JSONDecodeError("Expecting value", "<html>", 0),
        RuntimeError("boom"),
        *(llm.ReplyIncomplete(reason) for reason in ("cut", "empty", "length")),
    ]
    for settings in (
        llm.ModelSettings(model="m"),
        llm.ModelSettings(model="m", base_url="localhost:8080/v1"),
        llm.ModelSettings(model="m", base_url="http://127.0.0.1:1/v1", timeout=0),
    ):
        with pytest.raises(llm.ModelConfigError) as info:
            llm.create_chat_model(settings)
        errors.append(info.value)
    return errors


def test_model_errors_are_worded_for_both_front_ends(monkeypatch):
    """No front end rewrites these: they name no app panel and no command-line option."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for exc in _every_model_error():
        message = llm.describe_error(exc)
        assert message and "\n" not in message
        assert not re.search(r"Settings|sidebar|panel|(?<![\w-])--\w", message), message
