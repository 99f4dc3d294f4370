"""One model call -> its whole reply text, retried under the same policy as drafting.

Every model call outside the drafting engine (clarifying questions, the AI review, the app's
risks-and-questions pass) goes through :func:`whole_reply`, so it behaves like a drafted
section on a slow or faulty server:

- it is streamed, so a CPU server is judged by its silence between chunks (the client's idle
  timeout), not by how long the whole reply takes; the total timeout is kept here, because
  the HTTP client has none;
- its output is capped (``max_tokens``), so a runaway reply cannot run for minutes;
- a stream that ends without a finish reason was cut short and is not a reply;
- the client makes no retries of its own. A failure is retried here after the abandoned
  stream has been closed, so a one-slot server stops generating for it before the same
  request arrives again; permanent failures (501, a wrong key, an unknown model, an
  unreachable server) are not retried, and a server silent for two idle timeouts in a row is
  given up, as in drafting.

:func:`backoff` is the wait between tries for both, drafting included.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage

from prd_assistant import llm, usage_meter
from prd_assistant.redaction import get_logger

log = get_logger(__name__)
T = TypeVar("T")
# Retries when the caller has no settings to take them from (ModelSettings.max_retries).
DEFAULT_RETRIES = 3
# The longest wait between two tries, whatever Retry-After asks for.
MAX_RETRY_WAIT = 60.0


def backoff(attempt: int, exc: BaseException) -> float:
    """Seconds to wait after failed try ``attempt`` (1-based) before the next one.

    What the server asked for (``Retry-After``), else 0.5, 1, 2, 4, 8 s; at most a minute, with
    up to 20% jitter so calls that failed together do not all come back together.
    """
    asked = llm.retry_after(exc)
    wait = asked if asked is not None else min(8.0, 0.5 * 2 ** (attempt - 1))
    return round(min(wait, MAX_RETRY_WAIT) * (1 + random.random() * 0.2), 2)


def finish_reason(message: Any) -> str | None:
    """The reply's ``finish_reason`` (``stop``, ``length``...) if this chunk or message has one."""
    metadata = getattr(message, "response_metadata", None) or {}
    reason = metadata.get("finish_reason") or metadata.get("stop_reason")
    return str(reason) if reason else None


def message_text(message: Any) -> str:
    """The text of a chat message or chunk, whether its content is a string or a list of blocks."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p if isinstance(p, str) else str(p.get("text", ""))
            for p in content
            if isinstance(p, str) or (isinstance(p, dict) and p.get("type") == "text")
        )
    return str(content)


def retryable(exc: BaseException) -> bool:
    """True for failures another try may get past: a reply cut or ended early (not one that
    hit its length limit), 429 (not an empty account), 5xx except 501, a timeout, a connection
    dropped mid-reply, a stream that closed before its first chunk."""
    if llm.is_empty_stream(exc):
        return True  # a one-slot server drops a waiting reply this way
    return llm.is_transient(exc) and not llm.is_fatal(exc)


def whole_reply(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    max_tokens: int | None = None,
    retries: int = DEFAULT_RETRIES,
    call_kwargs: dict[str, Any] | None = None,
    final: Callable[[BaseException], bool] | None = None,
    cancel: threading.Event | None = None,
) -> str:
    """The whole text of the model's reply to ``messages``, streamed, capped and retried.

    Args:
        model: The chat model (from ``llm.create_chat_model``, made with ``client_retries=0``
            so that every failure is seen, and retried, here).
        messages: The prompt.
        max_tokens: Cap on the reply (None: the server's default).
        retries: Further tries after a failure that may pass (see :func:`retryable`).
        call_kwargs: Extra call arguments (``response_format``).
        final: Failures the caller handles itself rather than retrying (a refused
            ``response_format`` that a simpler mode may get past).
        cancel: Set it to stop waiting between tries.

    Raises:
        llm.ReplyIncomplete: The reply stopped at ``max_tokens`` (``reason == "length"``, with
            the text that arrived), or was cut or empty on every try.
        Exception: The model's own error, once retrying is pointless or used up; pass it to
            ``llm.describe_error``.
    """
    idle, _total = llm.call_limits(model)
    return retried(
        lambda heard: _one_reply(model, messages, max_tokens, call_kwargs or {}, heard),
        retries=retries,
        idle=idle,
        final=final,
        cancel=cancel,
    )


def retried(
    call: Callable[[list[float]], T],
    *,
    retries: int = DEFAULT_RETRIES,
    idle: float | None = None,
    final: Callable[[BaseException], bool] | None = None,
    cancel: threading.Event | None = None,
) -> T:
    """``call``'s result, tried again after a failure that may pass: the shared retry policy.

    Args:
        call: One try. It gets ``heard``, a one-item list to set to ``time.monotonic()``
            whenever the server sends something (a streamed chunk), and makes no retries of
            its own (a client made with no retries).
        retries: Further tries after a failure that may pass (see :func:`retryable`).
        idle: The idle timeout of the call; a server silent for two of them in a row (over
            however many tries) is given up. None: no such limit.
        final: Failures the caller handles itself rather than retrying.
        cancel: Set it to stop waiting between tries.

    Raises:
        Exception: The last try's error, once retrying is pointless or used up.
    """
    # Idle timeouts in a row with nothing heard in between; retries do not reset it, so a
    # silent server is given up after two of them however many tries are left. They are
    # counted, not timed: on a busy machine the client's own setup must not pass for silence.
    silent_timeouts = 0
    heard = [0.0]
    stop = cancel or threading.Event()
    attempt = 0
    while True:
        attempt += 1
        started = heard[0] = time.monotonic()
        try:
            return call(heard)
        except Exception as exc:
            if not llm.is_timeout(exc):
                silent_timeouts = 0  # the server answered, if only with an error
            elif heard[0] > started:
                silent_timeouts = 1  # it streamed, then went silent for one idle timeout
            else:
                silent_timeouts += 1
            if not retryable(exc) or (final is not None and final(exc)):
                raise
            if idle and silent_timeouts >= 2:
                raise
            failure = exc
        if attempt > retries:
            raise failure
        wait = backoff(attempt, failure)
        log.info(
            "model call failed (%s); try %d in %.1f s", type(failure).__name__, attempt + 1, wait
        )
        if stop.wait(wait):
            raise failure


def ping(model: BaseChatModel) -> None:
    """One tiny call that shows the chat endpoint answers (the app's "Test connection").

    Made once, without retries: the PM sees the first failure and can try again. A reply cut
    at its one-token cap is an answer.

    Raises:
        Exception: The model's own error (pass it to ``llm.describe_error``).
    """
    try:
        whole_reply(model, [HumanMessage("Reply with OK.")], max_tokens=1, retries=0)
    except llm.ReplyIncomplete as exc:
        if exc.reason != "length":
            raise


def _one_reply(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    max_tokens: int | None,
    call_kwargs: dict[str, Any],
    heard: list[float],
) -> str:
    """One streamed call; the stream is closed on every way out, which ends the HTTP request
    (``heard[0]`` is set to the time of each chunk). Its tokens are reported to the enclosing
    ``usage_meter.booking`` however it ends, once the server has answered with anything."""
    _idle, total = llm.call_limits(model)
    runnable = model.bind(**llm.output_cap(model, max_tokens)) if max_tokens else model
    required = llm.reports_finish_reason(model)
    started = time.monotonic()
    parts: list[str] = []
    finish: str | None = None
    reported: dict[str, int] | None = None
    answered = False
    try:
        with contextlib.closing(iter(runnable.stream(list(messages), **call_kwargs))) as chunks:
            for chunk in chunks:
                heard[0] = time.monotonic()
                answered = True
                finish = finish_reason(chunk) or finish
                reported = usage_meter.add_reported(reported, usage_meter.reported_usage(chunk))
                parts.append(message_text(chunk))
                if total and time.monotonic() - started > total:
                    raise llm.ReplyIncomplete("cut", "".join(parts))
    finally:
        # A refused request (HTTP error, unreachable server) cost nothing; a reply that began,
        # whole or not, did.
        if answered:
            usage_meter.report(
                usage_meter.call_usage(
                    usage_meter.model_name(model),
                    reported,
                    lambda: "\n".join(message_text(m) for m in messages),
                    "".join(parts),
                )
            )
    text = "".join(parts)
    if finish == "length":
        raise llm.ReplyIncomplete("length", text)
    if finish is None and required:
        raise llm.ReplyIncomplete("cut", text)
    if not text.strip():
        raise llm.ReplyIncomplete("empty", text)
    return text
