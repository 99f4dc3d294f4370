"""Model settings -> a LangChain chat model; the only module that knows ``openai``.

Everything else gets a ``BaseChatModel`` from ``create_chat_model`` and turns failures into
PM-facing text with ``describe_error``. API keys live in ``pydantic.SecretStr`` and never reach
``repr``, logs or error messages: servers that echo the key back (OpenAI does, masked) are
redacted before anything is shown.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import openai
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr, ValidationError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
OPENAI_BASE_URL = "https://api.openai.com/v1"
# Local servers (Ollama, vLLM, llama.cpp, LM Studio) ignore the key, but the openai client
# refuses to start without one.
PLACEHOLDER_KEY = "not-needed"

_REASONING_MODEL = re.compile(r"^(o\d|gpt-5(?!-chat))")
# Every key handed to a client is remembered so messages can be scrubbed of it exactly.
_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
# OpenAI-style secret keys ("sk-...", "sk-proj-...", restricted "rk-...").
_KEY_LIKE = re.compile(r"\b(?:sk|rk)-[A-Za-z0-9*_\-]{6,}")


class ModelConfigError(ValueError):
    """The settings cannot produce a working model (e.g. OpenAI without a key)."""


@dataclass
class ModelSettings:
    """Which model to call and how. ``api_key`` is a ``SecretStr``: it never shows in repr.

    Attributes:
        model: Model id as the server knows it.
        base_url: OpenAI-compatible base URL (usually ending in ``/v1``); ``None`` means OpenAI.
        api_key: The key, or ``None`` for local servers that need none.
        temperature: Sampling temperature (left out for reasoning models, which reject it).
        timeout: Seconds per request; explicit because the openai default is 600 s.
        max_retries: Retries on 429/5xx/connection errors; the client honours ``Retry-After``.
    """

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: SecretStr | None = field(default=None, repr=False)
    temperature: float = 0.2
    timeout: float = 60.0
    max_retries: int = 3

    def __post_init__(self) -> None:
        if isinstance(self.api_key, str):  # accept plain strings, store them wrapped
            self.api_key = SecretStr(self.api_key) if self.api_key else None
        if self.base_url is not None:
            self.base_url = self.base_url.strip().rstrip("/") or None

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


def _host(url: str) -> str:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return parts.netloc or url


def _key_for(settings: ModelSettings) -> str:
    if settings.api_key is not None:
        key = settings.api_key.get_secret_value()
        with _SECRETS_LOCK:
            _SECRETS.add(key)
        return key
    if settings.base_url is None:
        raise ModelConfigError(
            "No OpenAI API key is set. Enter one in Settings or set OPENAI_API_KEY, "
            "or point the base URL at a local OpenAI-compatible server."
        )
    return PLACEHOLDER_KEY


def create_chat_model(settings: ModelSettings, *, streaming: bool = True) -> BaseChatModel:
    """The chat model for these settings (``ChatOpenAI`` against OpenAI or a compatible server).

    Timeout and retries are always explicit. ``stream_usage=True`` asks for the final usage
    chunk when streaming; it arrives as ``usage_metadata`` on the last ``AIMessageChunk``
    (and on the ``AIMessage`` of non-streaming calls). Servers that do not report usage simply
    leave ``usage_metadata`` empty.

    Args:
        settings: Model, server, key, temperature, timeout, retries.
        streaming: Stream tokens by default (``invoke`` also streams, so callbacks see tokens).

    Raises:
        ModelConfigError: OpenAI is selected but no key is set.
    """
    kwargs: dict[str, Any] = {
        "model": settings.model,
        # Explicit, so OPENAI_API_BASE/OPENAI_BASE_URL in the environment cannot redirect calls.
        "base_url": settings.base_url or OPENAI_BASE_URL,
        "api_key": SecretStr(_key_for(settings)),
        "timeout": settings.timeout,
        "max_retries": settings.max_retries,
        "streaming": streaming,
        "stream_usage": True,
    }
    if not _REASONING_MODEL.match(settings.model.lower()):
        kwargs["temperature"] = settings.temperature  # reasoning models reject temperature
    return ChatOpenAI(**kwargs)


def _client(settings: ModelSettings, timeout: float | None = None) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=settings.base_url or OPENAI_BASE_URL,
        api_key=_key_for(settings),
        timeout=timeout if timeout is not None else settings.timeout,
        max_retries=settings.max_retries,
    )


def list_models(settings: ModelSettings) -> list[str]:
    """Model ids the server offers (``GET /v1/models``), sorted.

    Raises:
        openai.OpenAIError: as for any call; pass it to ``describe_error``.
    """
    with _client(settings) as client:
        return sorted(model.id for model in client.models.list())


@dataclass
class ConnectionResult:
    """Outcome of ``test_connection``: whether drafting can work, and what to tell the PM."""

    ok: bool
    message: str
    models: list[str] = field(default_factory=list)


def test_connection(settings: ModelSettings) -> ConnectionResult:
    """Check the server answers, the key is accepted and the model is offered.

    Servers without ``/v1/models`` are checked with a one-token chat call instead.
    Never raises: failures come back as ``ok=False`` with a PM-facing message.
    """
    try:
        models = list_models(settings)
    except openai.NotFoundError:
        return _test_with_chat(settings)
    except Exception as exc:
        return ConnectionResult(False, describe_error(exc))
    if models and settings.model not in models:
        shown = ", ".join(models[:8]) + (", ..." if len(models) > 8 else "")
        return ConnectionResult(
            False,
            f"Connected to {_host(settings.base_url or OPENAI_BASE_URL)}, but it does not offer "
            f"model '{settings.model}'. Pick one of: {shown}.",
            models,
        )
    return ConnectionResult(True, f"Connected: {settings.label()} is ready.", models)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _test_with_chat(settings: ModelSettings) -> ConnectionResult:
    try:
        with _client(settings) as client:
            client.chat.completions.create(
                model=settings.model, messages=[{"role": "user", "content": "ping"}], max_tokens=1
            )
    except Exception as exc:
        return ConnectionResult(False, describe_error(exc))
    return ConnectionResult(True, f"Connected: {settings.label()} is ready.")


_STRUCTURED_CACHE: dict[tuple[str, str], bool] = {}
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


def supports_structured_output(settings: ModelSettings) -> bool:
    """Best guess whether ``response_format: json_schema`` works for this model and server.

    OpenAI: by model family (gpt-4o and later, o-series; not gpt-3.5/gpt-4/gpt-4-turbo,
    the first gpt-4o snapshot or o1-mini/o1-preview).
    Other servers: one small probe request, remembered per (server, model); a refusal (400/422)
    or a reply that is not the requested JSON means no. Errors that say nothing about support
    (unreachable, timeout) return False without being remembered, so callers fall back to
    JSON-in-text parsing, which works everywhere.
    """
    if settings.is_openai:
        name = settings.model.lower()
        older = ("gpt-3.5", "gpt-4-", "gpt-4o-2024-05-13", "o1-mini", "o1-preview")
        return not name.startswith(older) and name != "gpt-4"
    cache_key = (settings.base_url or "", settings.model)
    if cache_key in _STRUCTURED_CACHE:
        return _STRUCTURED_CACHE[cache_key]
    try:
        with _client(settings, timeout=min(settings.timeout, 15.0)) as client:
            reply = client.chat.completions.create(
                model=settings.model,
                messages=[{"role": "user", "content": 'Answer with the JSON {"ok": true}.'}],
                response_format={"type": "json_schema", "json_schema": _PROBE_SCHEMA},
                max_tokens=20,
            )
        content = reply.choices[0].message.content or ""
        supported = isinstance(json.loads(content), dict)
    except (openai.BadRequestError, openai.UnprocessableEntityError, ValueError, IndexError):
        supported = False
    except Exception as exc:
        logger.info("structured output probe failed: %s", describe_error(exc))
        return False
    _STRUCTURED_CACHE[cache_key] = supported
    return supported


# -- errors ------------------------------------------------------------------------------------


def redact(text: str) -> str:
    """``text`` with API keys (every key this process used, and anything key-shaped) removed."""
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret and secret != PLACEHOLDER_KEY:
            text = text.replace(secret, "[key hidden]")
    return _KEY_LIKE.sub("[key hidden]", text)


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
    if isinstance(exc, openai.APITimeoutError):
        return (
            "The model server did not answer in time. Try again, or raise the timeout in "
            "Settings for slow local models."
        )
    if isinstance(exc, openai.APIConnectionError):
        where = _request_host(exc) or "the configured address"
        return (
            f"Could not reach the model server at {where}. Check the base URL in Settings "
            "and that the server is running."
        )
    if isinstance(exc, openai.AuthenticationError):
        return "The server rejected the API key (401). Check the key in Settings or OPENAI_API_KEY."
    if isinstance(exc, openai.PermissionDeniedError):
        model = _request_model(exc) or "this model"
        return f"The API key is not allowed to use {model} (403). Pick another model or key."
    if isinstance(exc, openai.NotFoundError):
        model = _request_model(exc)
        if model:
            return (
                f"Model '{model}' was not found on the server (404). Pick a model from the "
                "list in Settings."
            )
        return (
            "The server has no OpenAI-compatible API at this address (404). Check the base "
            "URL; it usually ends in /v1."
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
    if isinstance(exc, openai.APIStatusError):
        return (
            f"The model server failed (HTTP {exc.status_code}) and retries did not help. "
            "Try again in a minute."
        )
    if isinstance(exc, openai.LengthFinishReasonError):
        return "The reply was cut off at the model's length limit. Ask for a shorter section."
    if isinstance(
        exc, openai.APIResponseValidationError | json.JSONDecodeError | ValidationError
    ) or _is_empty_stream(exc):
        return (
            "The model server sent a reply that is not valid OpenAI API output. Check that the "
            "base URL points to an OpenAI-compatible API (usually ending in /v1)."
        )
    detail = redact(" ".join(str(exc).split()))[:160]
    return f"Unexpected error from the model ({type(exc).__name__}): {detail or 'no detail'}"


def _is_empty_stream(exc: BaseException) -> bool:
    # langchain-core raises this when a stream ends without a single chunk.
    return isinstance(exc, ValueError) and "No generations found in stream" in str(exc)


def is_fatal(exc: BaseException) -> bool:
    """True when retrying other sections is pointless: bad key, no credit, unknown model,
    unreachable server, missing configuration. Timeouts, rate limits and 5xx are not fatal."""
    if isinstance(exc, ModelConfigError):
        return True
    if isinstance(exc, openai.APITimeoutError):
        return False
    if isinstance(exc, openai.RateLimitError):
        return _error_code(exc) == "insufficient_quota"
    return isinstance(
        exc,
        openai.APIConnectionError
        | openai.AuthenticationError
        | openai.PermissionDeniedError
        | openai.NotFoundError,
    )


def is_transient(exc: BaseException) -> bool:
    """True for failures that may pass if the call is made again later: rate limits (not an
    empty account), 5xx and timeouts. The client has already retried these with back-off."""
    if isinstance(exc, openai.RateLimitError):
        return _error_code(exc) != "insufficient_quota"
    if isinstance(exc, openai.APITimeoutError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500
