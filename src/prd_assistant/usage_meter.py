"""One model call -> its tokens, counted once and handed to whoever books them.

A call's usage is the server's figures when it reports them (``usage_metadata``, on the
last streamed chunk or the whole message), else a count of the prompt and of the text that
arrived. A call cut short, stopped at its length limit, retried or cancelled mid-reply was
paid for too, so it is counted with what arrived.

Who books it depends on the front end (the app books to the signed-in user's ledger in the
draft database, the CLI to the local user's), so the model layer only hands usage over:
:func:`booking` says where the calls made inside it go, under what label, and
``model_calls.whole_reply`` reports each of its tries with :func:`report`. The drafting
engine, whose calls run on worker threads, takes its :data:`Book` as an argument instead.
A booking that fails is logged and never fails the call. An :class:`OpenCall` lets a run
that is stopped book its calls still in progress itself, instead of waiting for them.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prd_assistant.document import Usage
from prd_assistant.redaction import get_logger

log = get_logger(__name__)

# (what the call was for: a section key or one of the labels below, its usage) -> booked.
Book = Callable[[str, Usage], None]

# Labels of the calls that write no section, as the usage ledger and `prd usage` show them.
SUGGESTIONS = "(suggestions)"
AI_REVIEW = "(ai review)"
CLARIFYING_QUESTIONS = "(clarifying questions)"
CONNECTION_TEST = "(connection test)"

_CURRENT: contextvars.ContextVar[tuple[str, Book] | None] = contextvars.ContextVar(
    "prd_usage_booking", default=None
)


def reported_usage(message: Any) -> dict[str, int] | None:
    """The token usage a chat message or chunk carries, if the server reported any."""
    meta = getattr(message, "usage_metadata", None)
    if not meta or meta.get("input_tokens") is None:
        return None
    return {
        "input_tokens": int(meta.get("input_tokens") or 0),
        "output_tokens": int(meta.get("output_tokens") or 0),
    }


def add_reported(
    total: dict[str, int] | None, more: dict[str, int] | None
) -> dict[str, int] | None:
    """Two reports summed, as langchain merges the usage of streamed chunks."""
    if more is None:
        return total
    if total is None:
        return dict(more)
    return {
        name: total.get(name, 0) + more.get(name, 0) for name in ("input_tokens", "output_tokens")
    }


def call_usage(
    model_name: str,
    reported: Mapping[str, int] | None,
    prompt_text: Callable[[], str],
    completion: str,
) -> Usage:
    """The usage of one call: the server's figures when it sent them, else counted (the
    prompt is rendered only then) and marked inexact unless the tokenizer is the model's."""
    from prd_assistant import tokens  # the tokenizer loads with the first call, not on import

    if reported:
        prompt_tokens = int(reported.get("input_tokens") or 0)
        completion_tokens = int(reported.get("output_tokens") or 0)
        exact = True
    else:
        prompt_tokens = tokens.count_tokens(prompt_text(), model_name)
        completion_tokens = tokens.count_tokens(completion, model_name) if completion else 0
        exact = tokens.counting_is_exact(model_name)
    cost = tokens.estimate_cost(model_name, prompt_tokens, completion_tokens)
    return Usage(prompt_tokens, completion_tokens, exact, cost)


def model_name(model: Any) -> str:
    """The name a chat model calls its model by ("" if it has none), for counting and prices."""
    for attribute in ("model_name", "model"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return ""


@contextlib.contextmanager
def booking(what: str, book: Book | None) -> Iterator[None]:
    """Books every call reported inside the block (in this thread) as ``what`` with ``book``.

    ``book`` None counts nothing (no place to book to). Blocks nest: the innermost wins, so
    a call is never booked twice.
    """
    token = _CURRENT.set((what, book) if book is not None else None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def report(usage: Usage) -> None:
    """Books one call's usage where the enclosing :func:`booking` says (nowhere without one)."""
    current = _CURRENT.get()
    if current is not None:
        deliver(current[1], current[0], usage)


def deliver(book: Book | None, what: str, usage: Usage) -> None:
    """Hands ``usage`` to ``book``; a call that used no tokens, or a failing book, books nothing."""
    if book is None or not usage.total_tokens:
        return
    try:
        book(what, usage)
    except Exception:  # the PM's work must not fail because the ledger could not be written
        log.warning("could not book the usage of a model call (%s)", what, exc_info=True)


class OpenCall:
    """One model call while its reply arrives, booked exactly once, whoever ends it.

    The thread making the call marks when the server has :meth:`answered`, and books the call
    with :meth:`settle` when no section keeps its reply (a failed, cut or cancelled try). A run
    stopped mid-reply settles its open calls itself as it closes: the process may exit right
    after (the CLI on SIGTERM or Ctrl-C), and a worker waiting on a silent server notices the
    stop only at its next chunk. A reply that is kept is :meth:`kept` with its usage, which its
    event carries to whoever books it; until the run has handed the event on
    (:meth:`handed_on`), a stop books that usage here instead.

    Args:
        book: Where the call's usage goes (None: nowhere).
        what: The label it is booked under (a section key).
        measure: The call's usage so far: the prompt and the text that has arrived.
    """

    def __init__(self, book: Book | None, what: str, measure: Callable[[], Usage]) -> None:
        self._book = book
        self._what = what
        self._measure = measure
        self._answered = False
        self._kept: Usage | None = None
        self._done = False
        # Held while booking, so a stop that settles waits for a worker already booking.
        self._lock = threading.Lock()

    def answered(self) -> None:
        """The server has sent (part of) the reply: from now on the call was paid for."""
        self._answered = True

    def kept(self, usage: Usage) -> bool:
        """The reply is kept, with ``usage``; False if a stop has already booked the call."""
        with self._lock:
            if self._done:
                return False
            self._kept = usage
            return True

    def handed_on(self) -> None:
        """The kept reply's event reached its consumer, who books it: nothing is left here."""
        with self._lock:
            self._done = True

    def settle(self) -> None:
        """Books the call unless it is booked or handed on: a kept reply's usage, else what it
        spent so far. A call the server has not answered yet books nothing; if its reply
        comes after all, the thread that made it settles it then."""
        with self._lock:
            if self._done or (self._kept is None and not self._answered):
                return
            self._done = True
            if self._book is None:
                return  # nowhere to book: not worth counting the tokens
            usage = self._kept if self._kept is not None else self._measure()
            deliver(self._book, self._what, usage)
