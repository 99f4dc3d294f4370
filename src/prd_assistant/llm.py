"""Model settings -> a LangChain chat model; the only module that knows ``openai``.

Everything else gets a ``BaseChatModel`` from ``create_chat_model`` and turns failures into
PM-facing text with ``describe_error``. API keys live in ``pydantic.SecretStr`` and never reach
``repr``, logs or error messages: servers that echo the key back (OpenAI does, masked) are
redacted before anything is shown.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
import openai
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr, ValidationError

from prd_assistant import redaction, usage_meter
from prd_assistant.llm_transport import guarded_http_client

logger = redaction.get_logger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
OPENAI_BASE_URL = "https://api.openai.com/v1"
# Local servers (Ollama, vLLM, llama.cpp, LM Studio) ignore the key, but the openai client
# refuses to start without one.
PLACEHOLDER_KEY = "not-needed"

_REASONING_MODEL = re.compile(r"^(o\d|gpt-5(?!-chat))")


class ModelConfigError(ValueError):
    """The settings cannot produce a working model (e.g. OpenAI without a key)."""


class PMFacingError(Exception):
    """A failure whose message is already written for the PM; ``describe_error`` shows it as is."""


@dataclass
class ModelSettings:
    """Which model to call and how. ``api_key`` is a ``SecretStr``: it never shows in repr.

    Attributes:
        model: Model id as the server knows it.
        base_url: OpenAI-compatible base URL (usually ending in ``/v1``); ``None`` means OpenAI.
        api_key: The key, or ``None`` for local servers that need none.
        temperature: Sampling temperature (left out for reasoning models, which reject it).
        timeout: Most seconds one request may take in all; explicit because the openai
            default is 600 s. A streamed reply that keeps arriving may use all of it, and so
            may a server that sends keep-alive pings while it reads a long prompt.
        max_retries: Retries on 429/5xx/connection errors; the client honours ``Retry-After``.
        connect_timeout: Seconds to open a connection (a wrong host fails fast).
        idle_timeout: Seconds a server may stay silent, before its first byte or between two
            chunks. A silent server is given up after two such waits (two minutes by default).
    """

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: SecretStr | None = field(default=None, repr=False)
    temperature: float = 0.2
    timeout: float = 300.0
    max_retries: int = 3
    connect_timeout: float = 10.0
    idle_timeout: float = 60.0

    def __post_init__(self) -> None:
        if isinstance(self.api_key, str):  # accept plain strings, store them wrapped
            self.api_key = SecretStr(self.api_key) if self.api_key else None
        if self.api_key is not None:
            # A key pasted from a file or `echo` often ends in a newline; HTTP headers cannot
            # carry one, and the client would report it as an unreachable server.
            stripped = self.api_key.get_secret_value().strip()
            self.api_key = SecretStr(stripped) if stripped else None
        if self.base_url is not None:
            self.base_url = self.base_url.strip().rstrip("/") or None

    def validate(self) -> None:
        """Raises ModelConfigError for settings no call can succeed with (one line, what to do)."""
        if self.base_url is not None:
            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ModelConfigError(
                    f"The server URL '{_redact_url(self.base_url)}' needs a scheme and a host, "
                    "for example http://localhost:8080/v1."
                )
        for name in ("timeout", "connect_timeout", "idle_timeout"):
            if not getattr(self, name) > 0:
                raise ModelConfigError(
                    f"The {name.replace('_', ' ')} must be more than 0 seconds "
                    f"(got {getattr(self, name)})."
                )
        if self.max_retries < 0:
            raise ModelConfigError(f"Retries must be 0 or more (got {self.max_retries}).")

    def http_timeout(self) -> openai.Timeout:
        """Connect, idle (read) and write limits for one request; the total is kept by callers."""
        idle = min(self.idle_timeout, self.timeout)
        return openai.Timeout(
            self.timeout, connect=min(self.connect_timeout, self.timeout), read=idle
        )

    @classmethod
    def from_env(
        cls,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | SecretStr | None = None,
        **overrides: Any,
    ) -> ModelSettings:
        """Settings from explicit arguments, then ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` /
        ``PRD_MODEL``, then defaults. Empty strings count as unset.

        Args:
            model: Model id; falls back to ``PRD_MODEL`` then ``gpt-4o-mini``.
            base_url: Server URL; falls back to ``OPENAI_BASE_URL``.
            api_key: Key; falls back to ``OPENAI_API_KEY``.
            **overrides: Other fields (``temperature``, ``timeout``, ``max_retries``).
        """
        if isinstance(api_key, SecretStr):
            api_key = api_key.get_secret_value()
        key = api_key or os.environ.get("OPENAI_API_KEY") or None
        return cls(
            model=model or os.environ.get("PRD_MODEL") or DEFAULT_MODEL,
            base_url=base_url or os.environ.get("OPENAI_BASE_URL") or None,
            api_key=SecretStr(key) if key else None,
            **overrides,
        )

    @property
    def is_configured(self) -> bool:
        """True when a call can be attempted: a key, or a base URL (local servers need none)."""
        return self.api_key is not None or self.base_url is not None

    @property
    def is_openai(self) -> bool:
        """True when talking to OpenAI itself rather than a compatible server."""
        return self.base_url is None or _host(self.base_url) == "api.openai.com"

    def label(self) -> str:
        """``"gpt-4o-mini @ api.openai.com"``: what to show the PM. Never includes the key."""
        return f"{self.model} @ {_host(self.base_url or OPENAI_BASE_URL)}"


def _redact_url(url: str) -> str:
    """``url`` without ``user:password@`` (keys are sometimes put there)."""
    return redaction.redact_url(url)


def _host(url: str) -> str:
    return redaction.url_host(url)


def _key_for(settings: ModelSettings) -> str:
    settings.validate()
    # Every secret handed to a client is remembered so messages can be scrubbed of it exactly.
    redaction.remember_url(settings.base_url)
    if settings.api_key is not None:
        key = settings.api_key.get_secret_value()
        redaction.remember(key)
        return key
    if settings.base_url is None:
        raise ModelConfigError(
            "No OpenAI API key is set. Give an API key (or set OPENAI_API_KEY), "
            "or point the server URL at a local OpenAI-compatible server."
        )
    return PLACEHOLDER_KEY


def create_chat_model(
    settings: ModelSettings, *, streaming: bool = True, client_retries: int | None = None
) -> BaseChatModel:
    """The chat model for these settings (``ChatOpenAI`` against OpenAI or a compatible server).

    Timeout and retries are always explicit. ``stream_usage=True`` asks for the final usage
    chunk when streaming; it arrives as ``usage_metadata`` on the last ``AIMessageChunk``
    (and on the ``AIMessage`` of non-streaming calls). Servers that do not report usage simply
    leave ``usage_metadata`` empty.

    Args:
        settings: Model, server, key, temperature, timeout, retries.
        streaming: Stream tokens by default (``invoke`` also streams, so callbacks see tokens).
        client_retries: Retries inside the client (default ``settings.max_retries``); 0 for
            callers that retry themselves and need to see each failure (drafting does).

    Raises:
        ModelConfigError: OpenAI is selected but no key is set, or the settings are invalid.
    """
    kwargs: dict[str, Any] = {
        "model": settings.model,
        # Explicit, so OPENAI_API_BASE/OPENAI_BASE_URL in the environment cannot redirect calls.
        "base_url": settings.base_url or OPENAI_BASE_URL,
        "api_key": SecretStr(_key_for(settings)),
        "timeout": settings.http_timeout(),
        "max_retries": settings.max_retries if client_retries is None else client_retries,
        "streaming": streaming,
        "stream_usage": True,
    }
    if not settings.is_openai:
        # Servers that send SSE keep-alive pings (llama_cpp.server) never trip the HTTP read
        # timeout while they generate nothing; this client counts only data as life. OpenAI
        # keeps the default client, which honours proxy settings from the environment.
        idle = min(settings.idle_timeout, settings.timeout)
        kwargs["http_client"] = guarded_http_client(idle, first_data=settings.timeout)
    if not _REASONING_MODEL.match(settings.model.lower()):
        kwargs["temperature"] = settings.temperature  # reasoning models reject temperature
    return ChatOpenAI(**kwargs)


def call_limits(model: Any) -> tuple[float | None, float | None]:
    """(idle, total) seconds of a model from :func:`create_chat_model`; (None, None) otherwise.

    The total is kept in the write and pool limits of the ``httpx.Timeout`` (httpx has no
    total), where callers that stream read it back to enforce it themselves.
    """
    timeout = getattr(model, "request_timeout", None)
    if isinstance(timeout, openai.Timeout):
        return timeout.read, timeout.pool
    return None, None


def output_cap(model: Any, max_tokens: int) -> dict[str, Any]:
    """Call arguments that cap a reply at ``max_tokens`` on this model's server.

    langchain-openai sends the cap as ``max_completion_tokens`` (what OpenAI wants, and the only
    one reasoning models take); llama.cpp, llama_cpp.server and older vLLM/Ollama builds only
    read ``max_tokens``, so other servers get both.
    """
    kwargs: dict[str, Any] = {"max_tokens": max_tokens}
    key = model_server_key(model)
    if key is not None and _host(key[0]) != "api.openai.com":
        kwargs["extra_body"] = {"max_tokens": max_tokens}
    return kwargs


def may_have_few_slots(model: Any) -> bool:
    """True for a model on a server other than OpenAI: it may run only one request at once."""
    key = model_server_key(model)
    return key is not None and _host(key[0]) != "api.openai.com"


def reports_finish_reason(model: Any) -> bool:
    """True for models whose protocol ends every whole reply with a ``finish_reason``.

    For those, a reply without one was cut short (llama.cpp ends a reply it drops with
    ``[DONE]`` and no reason), so it must not count as done.
    """
    return isinstance(model, ChatOpenAI)


def _client(settings: ModelSettings, timeout: float | None = None) -> openai.OpenAI:
    """A plain client that makes no retries of its own: its callers retry, or try once."""
    return openai.OpenAI(
        base_url=settings.base_url or OPENAI_BASE_URL,
        api_key=_key_for(settings),
        timeout=timeout if timeout is not None else settings.http_timeout(),
        max_retries=0,
    )


def fetch_models(settings: ModelSettings) -> list[str]:
    """Model ids the server offers (``GET /v1/models``), sorted: one try, no client retries.

    Callers retry under the shared policy (``model_server.list_models``).

    Raises:
        openai.OpenAIError: as for any call; pass it to ``describe_error``.
    """
    with _client(settings) as client:
        return sorted(model.id for model in client.models.list())


def models_unlisted(exc: BaseException) -> bool:
    """True when ``GET /v1/models`` failed because the server has no model list to give: 404,
    500 (servers without the endpoint answer either), or a body that is not a model list."""
    return isinstance(
        exc, openai.NotFoundError | openai.InternalServerError | openai.APIResponseValidationError
    )


def server_slots(settings: ModelSettings) -> int | None:
    """How many requests a llama.cpp server runs at once, or None when it does not say."""
    root = (settings.base_url or OPENAI_BASE_URL).rstrip("/").removesuffix("/v1")
    headers = {"Authorization": f"Bearer {_key_for(settings)}"}
    timeout = httpx.Timeout(5.0, connect=min(settings.connect_timeout, 5.0))
    try:
        with httpx.Client(timeout=timeout, headers=headers) as client:
            props = client.get(f"{root}/props")
            if props.status_code == 200:
                total = props.json().get("total_slots")
                if isinstance(total, int) and total > 0:
                    return total
            slots = client.get(f"{root}/slots")
            if slots.status_code == 200 and isinstance(slots.json(), list) and slots.json():
                return len(slots.json())
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    return None


StructuredMode = Literal["json_schema", "json_object", "text"]
# The structured-output mode that worked, per (base URL, model): found once, used everywhere.
_STRUCTURED_CACHE: dict[tuple[str, str], StructuredMode] = {}
_STRUCTURED_LOCK = threading.Lock()
_PROBE_SCHEMA = {
    "name": "probe",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
        "additionalProperties": False,
    },
}
# Statuses with which servers refuse a request feature. llama_cpp.server answers 500 for a
# json_schema response_format, so 500 counts when the next, simpler mode then works.
FEATURE_REFUSED_STATUS = frozenset({400, 404, 415, 422, 500, 501})


def model_server_key(model: Any) -> tuple[str, str] | None:
    """(base URL, model) of a ChatOpenAI model, the key structured-output modes are kept by."""
    if not isinstance(model, ChatOpenAI):
        return None
    return (str(model.openai_api_base or OPENAI_BASE_URL).rstrip("/"), str(model.model_name))


def remembered_structured_mode(key: tuple[str, str] | None) -> StructuredMode | None:
    """The mode that last worked for this server and model, if any call found out."""
    with _STRUCTURED_LOCK:
        return _STRUCTURED_CACHE.get(key) if key else None


def remember_structured_mode(key: tuple[str, str] | None, mode: StructuredMode) -> None:
    """Records which mode works, so every later structured call starts there."""
    if key:
        with _STRUCTURED_LOCK:
            _STRUCTURED_CACHE[key] = mode


def structured_mode(settings: ModelSettings) -> StructuredMode:
    """Which structured output works here: ``json_schema``, else ``json_object``, else text.

    OpenAI: by model family (gpt-4o and later, o-series have json_schema; older ones
    json_object). Other servers: a small probe per mode, with no client retries (a refusal is
    not worth retrying), remembered per (server, model). Errors that say nothing about support
    (unreachable, timeout) give ``text`` without being remembered: JSON-in-text parsing works
    everywhere.
    """
    if settings.is_openai:
        name = settings.model.lower()
        older = ("gpt-3.5", "gpt-4-", "gpt-4o-2024-05-13", "o1-mini", "o1-preview")
        return "json_object" if name.startswith(older) or name == "gpt-4" else "json_schema"
    key = ((settings.base_url or OPENAI_BASE_URL).rstrip("/"), settings.model)
    known = remembered_structured_mode(key)
    if known is not None:
        return known
    formats: list[tuple[StructuredMode, dict[str, Any]]] = [
        ("json_schema", {"type": "json_schema", "json_schema": _PROBE_SCHEMA}),
        ("json_object", {"type": "json_object"}),
    ]
    mode: StructuredMode = "text"
    question = 'Answer with the JSON {"ok": true}.'
    for name, response_format in formats:
        try:
            with _client(settings, timeout=min(settings.timeout, 30.0)) as client:
                reply = client.chat.completions.create(
                    model=settings.model,
                    messages=[{"role": "user", "content": question}],
                    response_format=response_format,  # type: ignore[arg-type]
                    max_tokens=20,
                )
            content = reply.choices[0].message.content or ""
            _report_probe_usage(settings.model, reply.usage, question, content)
            if isinstance(json.loads(content), dict):
                mode = name
                break
        except openai.APIStatusError as exc:
            if exc.status_code not in FEATURE_REFUSED_STATUS:
                logger.info("structured output probe failed: %s", describe_error(exc))
                return "text"
        except (ValueError, IndexError):
            continue  # accepted but answered something else: try the next mode
        except Exception as exc:
            logger.info("structured output probe failed: %s", describe_error(exc))
            return "text"
    remember_structured_mode(key, mode)
    return mode


def _report_probe_usage(model: str, reported: Any, question: str, answer: str) -> None:
    """A probe is a model call like any other: its tokens go where the caller books calls."""
    figures = None
    if reported is not None and getattr(reported, "prompt_tokens", None) is not None:
        figures = {
            "input_tokens": int(reported.prompt_tokens or 0),
            "output_tokens": int(reported.completion_tokens or 0),
        }
    usage_meter.report(usage_meter.call_usage(model, figures, lambda: question, answer))


def supports_structured_output(settings: ModelSettings) -> bool:
    """True when ``response_format: json_schema`` works for this model and server."""
    return structured_mode(settings) == "json_schema"


# -- errors ------------------------------------------------------------------------------------


def redact(text: str) -> str:
    """``text`` with API keys (every key this process used, and anything key-shaped) removed."""
    return redaction.redact(text)


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    message = ""
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = str(inner.get("message", "")) if isinstance(inner, dict) else str(inner)
    message = redact(" ".join((message or "").split()))
    return message[:200] + ("..." if len(message) > 200 else "")


def _error_code(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("code") or inner.get("type") or "")
    return str(getattr(exc, "code", "") or "")


def _request_model(exc: openai.APIError) -> str:
    request = getattr(exc, "request", None)
    try:
        body = json.loads(request.content) if request is not None and request.content else {}
    except (ValueError, RuntimeError):  # RuntimeError: streamed request body not readable
        return ""
    return str(body.get("model", "")) if isinstance(body, dict) else ""


def _request_host(exc: openai.APIError) -> str:
    request = getattr(exc, "request", None)
    try:
        return str(request.url.netloc.decode() if request is not None else "")
    except Exception:
        return ""


def describe_error(exc: BaseException) -> str:
    """One line for the PM: what went wrong and what to do next. Never contains the key.

    Covers a rejected key, missing credit, unknown model or endpoint, rate limits, timeouts,
    unreachable servers, server errors and replies that are not OpenAI API JSON.
    """
    message = _describe(exc)
    # The raw error stays in the log (redacted: servers echo keys back in 401 messages).
    logger.info("model call failed (%s): %s", type(exc).__name__, redact(str(exc))[:500])
    return message


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ModelConfigError):
        return str(exc)
    if isinstance(exc, PMFacingError):
        return str(exc)
    if is_connect_timeout(exc):
        where = _request_host(exc) or "the configured address"
        return (
            f"Could not connect to the model server at {where}: nothing accepted the connection "
            "in time. Check the server URL, that the server is running, and that no firewall "
            "or VPN is in the way."
        )
    if is_timeout(exc):
        return (
            "The model server did not answer in time. Try again, or raise the timeout for "
            "slow local models."
        )
    if isinstance(exc, openai.APIConnectionError):
        if was_cut(exc):
            return (
                "The connection to the model server dropped in the middle of a reply. Try "
                "again; if it keeps happening, check the server's log or any proxy in between."
            )
        where = _request_host(exc) or "the configured address"
        return (
            f"Could not reach the model server at {where}. Check the server URL "
            "and that the server is running."
        )
    if isinstance(exc, openai.AuthenticationError):
        return "The server rejected the API key (401). Check the key or OPENAI_API_KEY."
    if isinstance(exc, openai.PermissionDeniedError):
        model = _request_model(exc) or "this model"
        return f"The API key is not allowed to use {model} (403). Pick another model or key."
    if isinstance(exc, openai.NotFoundError):
        model = _request_model(exc)
        if model and _is_model_not_found(exc):
            return (
                f"Model '{model}' was not found on the server (404). Pick a model the server "
                "lists at /v1/models."
            )
        path = _request_path(exc)
        hint = " it usually ends in /v1" if "/v1/" not in path else ""
        return (
            f"The server has no OpenAI-compatible API at this address (404 for {path or 'the path'}). "
            f"Check the server URL;{hint or ' the path after the host is wrong'}."
        )
    if isinstance(exc, openai.RateLimitError):
        if _error_code(exc) == "insufficient_quota":
            return (
                "The account behind this API key has run out of credit. Add billing or use "
                "another key."
            )
        return (
            "The model server is rate limiting requests (429) and retries did not help. "
            "Wait a minute and try again, or draft fewer sections at once."
        )
    if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
        if _error_code(exc) == "context_length_exceeded":
            return (
                "The prompt is too long for this model. Shorten the description or pick a "
                "model with a larger context window."
            )
        detail = _server_message(exc)
        return f"The model server refused the request ({exc.status_code}): {detail or 'no detail'}"
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 501:
        return (
            "The model server does not implement this request (HTTP 501). Check that the "
            "server URL points to an OpenAI-compatible chat API."
        )
    if isinstance(exc, openai.APIStatusError):
        return (
            f"The model server failed (HTTP {exc.status_code}) and retries did not help. "
            "Try again in a minute."
        )
    if isinstance(exc, openai.LengthFinishReasonError):
        return "The reply was cut off at the model's length limit. Ask for a shorter section."
    if isinstance(
        exc, openai.APIResponseValidationError | json.JSONDecodeError | ValidationError
    ) or _is_not_api_output(exc):
        return (
            "The model server answered with something that is not valid OpenAI API output "
            "(perhaps a web page or an error page). Check that the server URL points to an OpenAI-compatible "
            "API (usually ending in /v1) and that no proxy or login page is in the way."
        )
    detail = redact(" ".join(str(exc).split()))[:160]
    return f"The model call failed unexpectedly: {detail or 'no detail'}. Try again."


class ReplyIncomplete(PMFacingError):
    """A reply that arrived but is not whole: cut, empty or stopped at the length limit.

    ``reason`` is "cut" (the stream ended without a finish reason), "empty" (no body text) or
    "length" (the server stopped at ``max_tokens``); ``text`` is what arrived.
    """

    def __init__(self, reason: str, text: str = "") -> None:
        messages = {
            "cut": "The model server ended the reply before it was finished. It was retried; "
            "if this keeps happening, draft fewer sections at once (the server may have one "
            "slot).",
            "empty": "The model sent an empty reply. Try again, or pick another model.",
            "length": "The reply was cut off at its length limit; the section is marked "
            "truncated. Regenerate it, or ask for a shorter section.",
        }
        super().__init__(messages.get(reason, messages["cut"]))
        self.reason = reason
        self.text = text


def _is_not_api_output(exc: BaseException) -> bool:
    # langchain-core/langchain-openai raise these when the body is HTML or not a completion.
    text = str(exc)
    return isinstance(exc, ValueError) and (
        "No generations found in stream" in text
        or "No generation chunks were returned" in text
        or "Unexpected response type" in text
    )


def _is_model_not_found(exc: openai.APIStatusError) -> bool:
    code = _error_code(exc)
    return code == "model_not_found" or "model" in _server_message(exc).casefold()


def _request_path(exc: openai.APIError) -> str:
    request = getattr(exc, "request", None)
    try:
        return str(request.url.path) if request is not None else ""
    except Exception:
        return ""


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception behind ``exc`` (langchain wraps openai, which wraps httpx)."""
    seen = {id(exc)}
    while exc.__cause__ is not None and id(exc.__cause__) not in seen:
        exc = exc.__cause__
        seen.add(id(exc))
    return exc


_CUT_ERRORS = frozenset({"RemoteProtocolError", "ReadError", "IncompleteRead"})


def _caused_by(exc: BaseException, names: frozenset[str]) -> bool:
    """True when ``exc`` or an exception behind it has one of these class names.

    By name: openai bundles its own copy of httpx/httpcore, and h11 raises its own.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if type(current).__name__ in names:
            return True
        current = current.__cause__ or current.__context__
    return False


def was_cut(exc: BaseException) -> bool:
    """True when the server answered and then the connection dropped mid-reply."""
    return _caused_by(exc, _CUT_ERRORS)


def is_empty_stream(exc: BaseException) -> bool:
    """True when a stream ended before its first chunk (cut at once, or not an event stream)."""
    return isinstance(exc, ValueError) and "No generation chunks were returned" in str(exc)


def is_timeout(exc: BaseException) -> bool:
    """True when the server stayed silent too long (HTTP read timeout or no chunk in time)."""
    return isinstance(exc, openai.APITimeoutError | TimeoutError)


def is_connect_timeout(exc: BaseException) -> bool:
    """True when no connection to the server could be opened in time: the request never
    reached it (a wrong or firewalled host, a server that is down or swamped)."""
    return _caused_by(exc, frozenset({"ConnectTimeout"}))


def is_fatal(exc: BaseException) -> bool:
    """True when retrying other sections is pointless: bad key, no credit, unknown model,
    unreachable server (refused, or not connected within the connect timeout), missing
    configuration. Read timeouts, rate limits, 5xx and a connection dropped mid-reply are
    not fatal."""
    if isinstance(exc, ModelConfigError):
        return True
    if is_connect_timeout(exc):
        return True  # the request never reached a server, as when the connection is refused
    if is_timeout(exc):
        return False
    if isinstance(exc, openai.RateLimitError):
        return _error_code(exc) == "insufficient_quota"
    if isinstance(exc, openai.APIConnectionError):
        return not was_cut(exc)
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 501:
        return True  # the server cannot do this at all; every section would get the same
    return isinstance(
        exc,
        openai.AuthenticationError | openai.PermissionDeniedError | openai.NotFoundError,
    ) or _is_not_api_output(exc)


def is_transient(exc: BaseException) -> bool:
    """True for failures that may pass if the call is made again later: rate limits (not an
    empty account), 5xx except 501, timeouts, and replies cut or ended early."""
    if isinstance(exc, ReplyIncomplete):
        return exc.reason != "length"
    if isinstance(exc, openai.RateLimitError):
        return _error_code(exc) != "insufficient_quota"
    if is_timeout(exc):
        return True
    if isinstance(exc, openai.APIConnectionError):
        return was_cut(exc)
    return (
        isinstance(exc, openai.APIStatusError) and exc.status_code >= 500 and exc.status_code != 501
    )


def retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked to wait (``retry-after-ms`` or ``Retry-After``), if it did."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        if headers.get("retry-after"):
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None
