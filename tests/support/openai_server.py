"""A local OpenAI-compatible HTTP server for tests and benchmarks (no network, stdlib only).

It speaks just enough of the OpenAI REST API for the real ``openai`` client (and so
``langchain_openai.ChatOpenAI``) to run unchanged against it:

- ``POST /v1/chat/completions``: JSON replies with ``usage``, or SSE streaming
  (``data: {...}`` chunks, a usage chunk when ``stream_options.include_usage`` is true,
  then ``data: [DONE]``). ``response_format`` json_schema/json_object and forced tool calls
  get a JSON reply built from the schema unless ``reply`` says otherwise.
- ``GET /v1/models``: lists ``models`` (``enqueue_models`` scripts errors and hangs).

Failures can be scripted (``server.enqueue(Status(429, retry_after=0.2), Reply("ok"))``),
applied to every call (``fault=Cut()``, ``fault_calls=3`` for the first three only) or injected at
random with a seeded ``fail_rate``. Every request body is recorded. The faults are the ones real
networks and servers produce: ``Hang`` (accept, never answer), ``Stall`` (go silent mid-stream),
``Cut`` (close the connection in the middle of a chunk), ``Finish`` (end with no
``finish_reason``, or with ``"length"``), ``Status`` (429 with Retry-After, 5xx, 501) and
``Malformed`` (an HTML page). ``slots=1`` behaves like llama.cpp's default server: a new request
ends the reply in progress with ``data: [DONE]`` and no ``finish_reason``. ``slot_endpoints``
serves llama.cpp's ``GET /props`` (``total_slots``) and ``GET /slots``, and
``structured_output=False, schema_refusal_status=500`` refuses ``json_schema`` the way
``llama_cpp.server`` does.

Run it in the foreground for the browser test and benchmarks::

    python -m tests.support.openai_server --port 0 --delay 0.5 --fail-rate 0.2
    python -m tests.support.openai_server --fault cut --fault-calls 1 --slots 1

The first line printed is the base URL (``http://127.0.0.1:PORT/v1``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_SECTION = re.compile(r"Now write the section (##[^\n]+)")
_HEADING = re.compile(r"^(##+ [^\n]+)", re.MULTILINE)


@dataclass(frozen=True)
class Status:
    """Answer the next call with an HTTP error in OpenAI's error format.

    ``error_code`` overrides the body's ``error.code`` (OpenAI's own codes by default).

    ``retry_after`` (seconds) sets both ``Retry-After`` and ``retry-after-ms``; the openai client
    prefers the millisecond header, so fractional waits are honoured exactly.
    """

    code: int
    retry_after: float | None = None
    message: str | None = None
    error_code: str | None = None  # e.g. "insufficient_quota", "context_length_exceeded"


@dataclass(frozen=True)
class Hang:
    """Accept the call and wait ``seconds`` before answering normally.

    ``None`` never answers: the connection stays open, silent, until the server stops.
    """

    seconds: float | None = None


@dataclass(frozen=True)
class Stall:
    """Stream ``after_chunks`` content chunks, then go silent for ``seconds`` and go on.

    ``None`` stays silent until the server stops (then closes without ``[DONE]``). A
    non-streaming call stalls before its body like :class:`Hang`. ``pings`` sends an SSE
    comment every that many seconds meanwhile, as ``llama_cpp.server`` does while it reads a
    long prompt: the connection is busy, but no chunk arrives.
    """

    after_chunks: int = 1
    seconds: float | None = None
    pings: float | None = None


@dataclass(frozen=True)
class Cut:
    """Drop the connection in the middle of the reply.

    Streaming: ``after_chunks`` content chunks arrive, then the connection closes halfway
    through the next HTTP chunk (the client sees an incomplete chunked body). Non-streaming:
    the headers promise the whole JSON body and half of it arrives.
    """

    after_chunks: int = 1


@dataclass(frozen=True)
class Finish:
    """Send ``fraction`` of the reply, then end it with ``reason`` as the ``finish_reason``.

    ``Finish(None)`` ends the stream with ``data: [DONE]`` and no ``finish_reason`` at all (what
    llama.cpp sends when it drops a reply); ``Finish("length")`` is a reply the server cut at
    its token limit (defaults to half the text).
    """

    reason: str | None = None
    fraction: float | None = None

    @property
    def share(self) -> float:
        if self.fraction is not None:
            return self.fraction
        return 0.5 if self.reason == "length" else 1.0


@dataclass(frozen=True)
class Malformed:
    """Answer ``status`` with a body that is not what the API promises (garbage instead of JSON/SSE).

    ``content_type`` None labels it as what the client asked for (JSON or an event stream);
    ``"text/html"`` is a proxy's error page.
    """

    body: str = "<html><body>502 Bad Gateway (upstream sent garbage)</body></html>"
    content_type: str | None = None
    status: int = 200


@dataclass(frozen=True)
class Reply:
    """Answer the next call with this exact text."""

    text: str


Behaviour = Status | Hang | Stall | Cut | Finish | Malformed | Reply
ReplyFn = Callable[[dict[str, Any]], str]

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_denied", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}
_DEFAULT_MESSAGES = {
    400: "Bad request.",
    401: "Incorrect API key provided. You can find your API key at "
    "https://platform.openai.com/account/api-keys.",
    403: "You are not allowed to use this model.",
    404: "The model does not exist or you do not have access to it.",
    429: "Rate limit reached for requests. Please try again shortly.",
    500: "The server had an error while processing your request.",
    501: "Not implemented.",
    503: "The engine is currently overloaded, please try again later.",
}


def _prompt_text(body: dict[str, Any]) -> str:
    parts = []
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        parts.append(str(content or ""))
    return "\n".join(parts)


def _last_user_text(body: dict[str, Any]) -> str:
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content")
    if isinstance(content, list):
        content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def count_words(text: str) -> int:
    """The stub's token count: whitespace words (deterministic, no tokenizer needed)."""
    return len(text.split())


def example_from_schema(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A small instance that satisfies a JSON schema (the kind pydantic emits).

    Good enough for structured-output round trips: objects get every property, arrays one item,
    enums their first value, strings a readable placeholder.
    """
    defs = defs if defs is not None else schema.get("$defs", schema.get("definitions", {}))
    if "$ref" in schema:
        return example_from_schema(defs[schema["$ref"].split("/")[-1]], defs)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [s for s in schema[combinator] if s.get("type") != "null"]
            return example_from_schema(options[0] if options else {"type": "null"}, defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: example_from_schema(sub, defs) for name, sub in props.items()}
    if kind == "array":
        return [example_from_schema(schema.get("items", {"type": "string"}), defs)]
    if kind == "string":
        return f"Example {schema.get('title', 'text').lower()}"
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    return None


def _json_schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    """The schema the request asks the answer to follow (response_format or a forced tool)."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
    if fmt.get("type") == "json_object":
        return {"type": "object"}
    tool = _forced_tool(body)
    if tool is not None:
        return tool.get("parameters") or {"type": "object"}
    return None


def _forced_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    tools = body.get("tools") or []
    if not tools:
        return None
    choice = body.get("tool_choice")
    name = None
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
    elif choice in ("required", "any") or (choice is None and len(tools) == 1):
        name = (tools[0].get("function") or {}).get("name")
    for tool in tools:
        if (tool.get("function") or {}).get("name") == name:
            return tool["function"]
    return None


def default_reply(body: dict[str, Any]) -> str:
    """A deterministic, PRD-looking answer.

    Section prompts ("Now write the section ## X") get a short body for that heading, with a
    measurable target and an open question so review rules have something to find. Requests for
    structured output get JSON that fits the requested schema.
    """
    schema = _json_schema_of(body)
    if schema is not None:
        return json.dumps(example_from_schema(schema))
    prompt = _last_user_text(body)
    match = _SECTION.search(prompt) or _HEADING.search(prompt)
    title = match.group(1).lstrip("#").strip() if match else "request"
    return (
        f"This part covers the {title.lower()} for the service.\n\n"
        f"- The {title.lower()} must support 500 requests per second at p95 latency under 200 ms.\n"
        f"- Owners review the {title.lower()} every quarter.\n\n"
        "Assumption: 100 pilot users in the first month.\n\n"
        f"Open question: who signs off the {title.lower()}?"
    )


class OpenAIStubServer:
    """An OpenAI-compatible server on 127.0.0.1 in a background thread.

    Args:
        delay: Seconds each chat call waits before answering (spread over the chunks when
            streaming, so time-to-first-token is about ``delay / chunks``).
        reply: Fixed reply text, or ``f(request_body) -> text``. Defaults to ``default_reply``.
        fail_rate: Probability (seeded) that a chat call fails with 429 or 500 instead.
        fail_statuses: The statuses random failures pick from. 429s carry ``Retry-After: 0``
            plus ``retry-after-ms: 10`` so clients retry at once (the openai client ignores a
            zero ``Retry-After`` and would otherwise back off ~0.5 s).
        seed: Seed for ``fail_rate``.
        structured_output: ``True``: honour ``response_format``. ``False``: reject
            ``json_schema`` with 400 like servers without support (older llama.cpp, LM Studio and
            vLLM builds answer ``response_format ... not supported``); ``json_object`` is still
            accepted, as those servers do. ``"ignore"``: accept it and answer plain text (what
            older Ollama builds did), so clients must validate what comes back.
        models: Model ids for ``GET /v1/models``.
        require_key: When set, other Bearer keys get 401 with an OpenAI-style error body. Like the
            real API, the message names the key it got (here the whole key, the worst case), so
            callers must never show raw server messages for auth errors.
        chunks: How many content chunks a streamed reply is split into.
        fault: A behaviour for every call that the script does not cover (e.g. ``Cut()``).
        fault_calls: Apply ``fault`` to this many calls only (None: to all of them).
        slots: How many replies the server generates at once. When a call arrives with every
            slot busy, the oldest streamed reply ends at its next chunk with ``data: [DONE]``
            and no ``finish_reason`` (llama.cpp's default). None: unlimited.
        slot_endpoints: Serve llama.cpp's ``GET /props`` (``total_slots``) and ``GET /slots``
            at the server root; otherwise they are 404 like on OpenAI.
        schema_refusal_status: The status ``structured_output=False`` refuses ``json_schema``
            with (400; ``llama_cpp.server`` answers 500).
    """

    def __init__(
        self,
        delay: float = 0.0,
        reply: str | ReplyFn | None = None,
        fail_rate: float = 0.0,
        fail_statuses: Iterable[int] = (429, 500),
        seed: int = 0,
        structured_output: bool | str = True,
        models: Iterable[str] = ("test-model",),
        require_key: str | None = None,
        chunks: int = 4,
        port: int = 0,
        fault: Behaviour | None = None,
        fault_calls: int | None = None,
        slots: int | None = None,
        slot_endpoints: bool = False,
        schema_refusal_status: int = 400,
    ) -> None:
        self.delay = delay
        self.reply = reply
        self.fail_rate = fail_rate
        self.fail_statuses = tuple(fail_statuses)
        self.structured_output = structured_output
        self.models = list(models)
        self.require_key = require_key
        self.chunks = max(1, chunks)
        self.fault = fault
        self.fault_calls = fault_calls
        self.slots = slots
        self.slot_endpoints = slot_endpoints
        self.schema_refusal_status = schema_refusal_status
        self.interrupted = 0  # streamed replies ended early to free a slot
        self.abandoned = 0  # streamed replies the client closed before their end
        self.calls = 0
        self.failures = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._script: deque[Behaviour] = deque()
        self._models_script: deque[Status | Hang] = deque()
        self.model_list_calls = 0  # GET /v1/models requests received
        self._requests: list[dict[str, Any]] = []
        self._streaming: list[threading.Event] = []  # interrupt flags of replies in progress
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", port), _make_handler(self))
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL to give the client, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> OpenAIStubServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes Hang()s so shutdown does not wait for them
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIStubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting and records ---------------------------------------------------------------
    def enqueue(self, *behaviours: Behaviour) -> None:
        """Script the next chat calls, in order; unscripted calls use the defaults."""
        with self._lock:
            self._script.extend(behaviours)

    def enqueue_models(self, *behaviours: Status | Hang) -> None:
        """Script the next ``GET /v1/models`` requests, in order; unscripted ones list models."""
        with self._lock:
            self._models_script.extend(behaviours)

    def _next_models_behaviour(self) -> Status | Hang | None:
        with self._lock:
            self.model_list_calls += 1
            return self._models_script.popleft() if self._models_script else None

    @property
    def streaming_replies(self) -> int:
        """How many streamed replies hold a slot right now."""
        with self._lock:
            return len(self._streaming)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """JSON bodies of every chat request received, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def _next_behaviour(self, body: dict[str, Any]) -> Behaviour | None:
        with self._lock:
            self.calls += 1
            self._requests.append(body)
            if self._script:
                behaviour = self._script.popleft()
            elif self.fault is not None and (self.fault_calls is None or self.fault_calls > 0):
                behaviour = self.fault
                if self.fault_calls is not None:
                    self.fault_calls -= 1
            elif self.fail_rate and self._random.random() < self.fail_rate:
                code = self._random.choice(self.fail_statuses)
                behaviour = Status(code, retry_after=0.0 if code == 429 else None)
            else:
                return None
            if isinstance(behaviour, Status):
                self.failures += 1
            return behaviour

    def _claim_slot(self, streaming: bool) -> threading.Event:
        """The new reply's interrupt flag; with every slot busy, the oldest reply is ended."""
        flag = threading.Event()
        with self._lock:
            if self.slots is not None and len(self._streaming) >= self.slots:
                self._streaming.pop(0).set()
                self.interrupted += 1
            if streaming:
                self._streaming.append(flag)
        return flag

    def _release_slot(self, flag: threading.Event) -> None:
        with self._lock:
            if flag in self._streaming:
                self._streaming.remove(flag)

    def _reply_text(self, body: dict[str, Any]) -> str:
        if self.reply is None:
            return default_reply(body)
        if callable(self.reply):
            return self.reply(body)
        return self.reply

    def _sleep(self, seconds: float | None) -> None:
        """Waits ``seconds`` (None: until the server stops); stopping wakes every sleeper."""
        if seconds is None:
            self._stopping.wait()
        elif seconds > 0:
            self._stopping.wait(seconds)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or cancel hang up mid-reply; that is expected here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _make_handler(server: OpenAIStubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like real API servers

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

        # -- plumbing ----------------------------------------------------------------------
        def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _send_error(self, status: Status) -> None:
            kind, code = _ERROR_TYPES.get(status.code, ("server_error", None))
            message = status.message or _DEFAULT_MESSAGES.get(status.code, "Error.")
            headers = {}
            if status.retry_after is not None:
                # Retry-After: 0 means "now", but openai ignores a zero; the ms header is exact.
                headers["Retry-After"] = str(int(status.retry_after + 0.999))
                headers["retry-after-ms"] = str(max(10, int(status.retry_after * 1000)))
            code = status.error_code or code
            error = {"message": message, "type": kind, "param": None, "code": code}
            self._send_json(status.code, {"error": error}, headers)

        def _authorised(self) -> bool:
            if server.require_key is None:
                return True
            auth = self.headers.get("Authorization", "")
            key = auth.removeprefix("Bearer ").strip()
            if key == server.require_key:
                return True
            message = (
                f"Incorrect API key provided: {key}. You can find your API key at "
                "https://platform.openai.com/account/api-keys."
            )
            self._send_error(Status(401, message=message))
            return False

        # -- routes ------------------------------------------------------------------------
        def do_GET(self) -> None:
            if not self._authorised():
                return
            path = self.path.rstrip("/")
            if path == "/v1/models":
                behaviour = server._next_models_behaviour()
                if isinstance(behaviour, Status):
                    self._send_error(behaviour)
                    return
                if isinstance(behaviour, Hang) and self._hang(behaviour.seconds):
                    return
                data = [
                    {"id": m, "object": "model", "created": 0, "owned_by": "stub"}
                    for m in server.models
                ]
                self._send_json(200, {"object": "list", "data": data})
            elif server.slot_endpoints and path == "/props":
                total = server.slots or 1
                model = server.models[0] if server.models else "test-model"
                self._send_json(200, {"total_slots": total, "model_path": f"/models/{model}.gguf"})
            elif server.slot_endpoints and path == "/slots":
                with server._lock:
                    busy = len(server._streaming)
                slots = [{"id": i, "is_processing": i < busy} for i in range(server.slots or 1)]
                self._send_json(200, slots)
            else:
                self._unknown_path("GET")

        def _unknown_path(self, method: str) -> None:
            # What OpenAI answers for a URL it has no API at (no model named, no code).
            message = f"Invalid URL ({method} {self.path})"
            error = {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
            self._send_json(404, {"error": error})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not self._authorised():
                return
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._unknown_path("POST")
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._send_error(Status(400, message="Request body is not JSON."))
                return
            behaviour = server._next_behaviour(body)
            fmt = (body.get("response_format") or {}).get("type")
            if server.structured_output is False and fmt == "json_schema":
                self._send_error(
                    Status(
                        server.schema_refusal_status,
                        message="response_format type 'json_schema' is not supported",
                    )
                )
                return
            if isinstance(behaviour, Status):
                self._send_error(behaviour)
                return
            streaming = bool(body.get("stream"))
            if isinstance(behaviour, Hang) or (isinstance(behaviour, Stall) and not streaming):
                if self._hang(behaviour.seconds):
                    return
                behaviour = None
            if isinstance(behaviour, Malformed):
                self._send_malformed(behaviour, streaming)
                return
            if isinstance(behaviour, Reply):
                text = behaviour.text
            elif server.structured_output == "ignore" and fmt in ("json_schema", "json_object"):
                text = default_reply({**body, "response_format": None})
            else:
                text = server._reply_text(body)
            slot = server._claim_slot(streaming)
            try:
                if streaming:
                    self._stream(body, text, behaviour, slot)
                else:
                    server._sleep(server.delay)
                    self._answer(body, text, behaviour)
            finally:
                server._release_slot(slot)

        def _hang(self, seconds: float | None) -> bool:
            """Waits ``seconds`` before answering; True when the connection is to close
            without a word instead (``None``: the server is stopping)."""
            server._sleep(seconds)
            if seconds is None:
                self.close_connection = True
            return seconds is None

        def _send_malformed(self, behaviour: Malformed, streaming: bool) -> None:
            data = behaviour.body.encode()
            kind = behaviour.content_type
            if kind is None:
                kind = "text/event-stream" if streaming else "application/json"
                if streaming:  # a well-framed SSE event whose data is not JSON
                    data = b"data: " + data + b"\n\n"
            self.send_response(behaviour.status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _answer(self, body: dict[str, Any], text: str, behaviour: Behaviour | None) -> None:
            """A non-streamed reply, possibly cut short or with another finish reason."""
            if isinstance(behaviour, Finish):
                text = text[: int(len(text) * behaviour.share)]
            payload = self._completion(body, text)
            if isinstance(behaviour, Finish):
                payload["choices"][0]["finish_reason"] = behaviour.reason
            if not isinstance(behaviour, Cut):
                self._send_json(200, payload)
                return
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self._drop_connection()

        def _drop_connection(self) -> None:
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):  # the client may have gone already
                self.connection.shutdown(socket.SHUT_RDWR)

        # -- payloads ----------------------------------------------------------------------
        def _usage(self, body: dict[str, Any], text: str) -> dict[str, int]:
            prompt = count_words(_prompt_text(body))
            completion = count_words(text)
            return {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }

        def _message(self, body: dict[str, Any], text: str) -> dict[str, Any]:
            tool = _forced_tool(body)
            if tool is None:
                return {"role": "assistant", "content": text}
            call = {
                "id": "call_" + uuid.uuid4().hex[:12],
                "type": "function",
                "function": {"name": tool["name"], "arguments": text},
            }
            return {"role": "assistant", "content": None, "tool_calls": [call]}

        def _completion(self, body: dict[str, Any], text: str) -> dict[str, Any]:
            message = self._message(body, text)
            return {
                "id": "chatcmpl-" + uuid.uuid4().hex[:12],
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "test-model"),
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finish_reason": "tool_calls" if "tool_calls" in message else "stop",
                    }
                ],
                "usage": self._usage(body, text),
            }

        def _stream(
            self,
            body: dict[str, Any],
            text: str,
            behaviour: Behaviour | None,
            slot: threading.Event,
        ) -> None:
            """SSE over chunked transfer encoding, one HTTP chunk per event, like real servers."""
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            base = {
                "id": "chatcmpl-" + uuid.uuid4().hex[:12],
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model", "test-model"),
            }
            finish: str | None = "tool_calls" if _forced_tool(body) else "stop"
            if isinstance(behaviour, Finish):
                text = text[: int(len(text) * behaviour.share)]
                finish = behaviour.reason
            tool = _forced_tool(body)
            pieces = _split(text, server.chunks)
            pause = server.delay / len(pieces)
            # A fault "after N chunks" of a shorter reply happens at its last chunk.
            fault_at = -1
            if isinstance(behaviour, Stall | Cut):
                fault_at = min(behaviour.after_chunks, len(pieces) - 1)
            try:
                for i, piece in enumerate(pieces):
                    server._sleep(pause)
                    if isinstance(behaviour, Stall) and i == fault_at:
                        self._stall(behaviour)
                        if behaviour.seconds is None:
                            self._drop_connection()
                            return
                    if slot.is_set():  # a newer request took the slot: end without a reason
                        self._chunk(b"data: [DONE]\n\n")
                        self._chunk(b"")
                        return
                    if tool is None:
                        delta: dict[str, Any] = {"content": piece}
                    else:
                        function: dict[str, Any] = {"arguments": piece}
                        call: dict[str, Any] = {"index": 0, "function": function}
                        if i == 0:
                            call.update(id="call_stub", type="function")
                            function["name"] = tool["name"]
                        delta = {"tool_calls": [call]}
                    if i == 0:
                        delta["role"] = "assistant"
                    choice = {"index": 0, "delta": delta, "finish_reason": None}
                    event = self._event_bytes({**base, "choices": [choice]})
                    if isinstance(behaviour, Cut) and i == fault_at:
                        # Promise the whole chunk, send half of it, hang up.
                        self.wfile.write(f"{len(event):x}\r\n".encode() + event[: len(event) // 2])
                        self._drop_connection()
                        return
                    self._chunk(event)
                # Generation is over: the slot is free before the client can see the end.
                server._release_slot(slot)
                if finish is not None:
                    choice = {"index": 0, "delta": {}, "finish_reason": finish}
                    self._chunk(self._event_bytes({**base, "choices": [choice]}))
                if (body.get("stream_options") or {}).get("include_usage"):
                    usage = self._usage(body, text)
                    self._chunk(self._event_bytes({**base, "choices": [], "usage": usage}))
                self._chunk(b"data: [DONE]\n\n")
                self._chunk(b"")  # the zero-length chunk that ends the body
            except (BrokenPipeError, ConnectionResetError):
                # The client went away (cancelled or timed out): seen at the next write, as
                # llama.cpp sees it, which then frees the slot.
                with server._lock:
                    server.abandoned += 1

        def _stall(self, behaviour: Stall) -> None:
            """Silent for ``behaviour.seconds``, bar SSE keep-alive comments if asked for."""
            if not behaviour.pings:
                server._sleep(behaviour.seconds)
                return
            ends = None if behaviour.seconds is None else time.monotonic() + behaviour.seconds
            while not server._stopping.is_set() and (ends is None or time.monotonic() < ends):
                self._chunk(b": ping\r\n\r\n")  # what sse-starlette sends every 15 s
                wait = (
                    behaviour.pings
                    if ends is None
                    else min(behaviour.pings, ends - time.monotonic())
                )
                server._sleep(max(0.0, wait))

        def _event_bytes(self, payload: dict[str, Any]) -> bytes:
            return b"data: " + json.dumps(payload).encode() + b"\n\n"

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler


def _split(text: str, parts: int) -> list[str]:
    """Split ``text`` into about ``parts`` pieces on word boundaries; joined they equal ``text``."""
    if not text:
        return [""]
    tokens = re.findall(r"\S+\s*|\s+", text)
    size = max(1, -(-len(tokens) // parts))
    return ["".join(tokens[i : i + size]) for i in range(0, len(tokens), size)]


FAULTS: dict[str, Behaviour] = {
    "hang": Hang(),
    "stall": Stall(after_chunks=1),
    "cut": Cut(after_chunks=1),
    "no-finish": Finish(None),
    "length": Finish("length"),
    "429": Status(429, retry_after=1.0),
    "500": Status(500),
    "503": Status(503),
    "501": Status(501),
    "html": Malformed(content_type="text/html"),
    "cut-json": Cut(),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per chat call")
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reply-file", help="answer every call with this file's text")
    parser.add_argument("--model", action="append", help="model id to list (repeatable)")
    parser.add_argument("--require-key", help="only accept this Bearer key")
    parser.add_argument(
        "--no-structured-output", action="store_true", help="reject response_format json_schema"
    )
    parser.add_argument(
        "--schema-refusal-status",
        type=int,
        default=400,
        help="status for a refused json_schema (500 like llama_cpp.server)",
    )
    parser.add_argument("--fault", choices=sorted(FAULTS), help="fault for every chat call")
    parser.add_argument("--fault-calls", type=int, help="only the first N calls get --fault")
    parser.add_argument("--slots", type=int, help="replies generated at once (llama.cpp: 1)")
    parser.add_argument(
        "--slot-endpoints", action="store_true", help="serve llama.cpp's /props and /slots"
    )
    args = parser.parse_args(argv)
    reply = None
    if args.reply_file:
        with open(args.reply_file, encoding="utf-8") as handle:
            reply = handle.read()
    server = OpenAIStubServer(
        delay=args.delay,
        reply=reply,
        fail_rate=args.fail_rate,
        seed=args.seed,
        structured_output=not args.no_structured_output,
        models=args.model or ("test-model",),
        require_key=args.require_key,
        port=args.port,
        fault=FAULTS[args.fault] if args.fault else None,
        fault_calls=args.fault_calls,
        slots=args.slots,
        slot_endpoints=args.slot_endpoints,
        schema_refusal_status=args.schema_refusal_status,
    )
    print(server.url, flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._stopping.set()
        server._httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
