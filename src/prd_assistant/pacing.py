"""How many model calls may be in flight: starts at what the server says it can take, then
narrows to one when replies come back cut or slow.

A local server that does not say how many slots it has is approached with a slow start: one
call first, then one more after each whole reply, so a single-slot server costs one dropped
reply to find out instead of a whole wave of them.

A single-slot llama.cpp server ends the reply in progress whenever another request arrives,
and a queueing server (Ollama) makes the last of eight requests wait for the other seven.
Neither says so in the protocol, so the gate watches what happens: a reply cut short, a
timeout, or a time to first byte far above the best seen drops it to one call at a time for
the rest of the run. Servers that take many calls (OpenAI) never trip it and stay fast.
"""

from __future__ import annotations

import threading
import time

from prd_assistant.redaction import get_logger

log = get_logger(__name__)
# A first byte this many times slower than the best seen, and this many seconds slower,
# means calls are queueing behind each other rather than running side by side.
TTFB_GROWTH_FACTOR = 3.0
TTFB_GROWTH_SECONDS = 10.0


class CallGate:
    """A resizable semaphore for model calls, plus what the server has been doing.

    Args:
        limit: The most calls at once (the configured concurrency).
        slots: What the server reports it can run at once (llama.cpp ``total_slots``), if known.
        slow_start: Begin with one call and add one per whole reply, up to ``limit``.
    """

    def __init__(self, limit: int, slots: int | None = None, slow_start: bool = False) -> None:
        self.ceiling = max(1, min(limit, slots) if slots else limit)
        self.limit = 1 if slow_start else self.ceiling
        self.narrowed: str | None = None  # why the gate dropped to one call, once it did
        self.closed = False  # a server-wide failure: no call may start any more
        self._in_flight = 0
        self._best_ttfb: float | None = None
        self._condition = threading.Condition()
        self._last_heard = time.monotonic()

    @property
    def in_flight(self) -> int:
        with self._condition:
            return self._in_flight

    def acquire(self, cancel: threading.Event) -> bool:
        """Waits for a free place; False when ``cancel`` is set or the gate closes first."""
        with self._condition:
            while self._in_flight >= self.limit or self.closed:
                if cancel.is_set() or self.closed:
                    return False
                self._condition.wait(0.2)
            self._in_flight += 1
            return True

    def close(self) -> None:
        """Lets no further call start (the server failed for every call); calls already
        under way go on."""
        with self._condition:
            self.closed = True
            self._condition.notify_all()

    def release(self) -> None:
        with self._condition:
            self._in_flight -= 1
            self._condition.notify_all()

    def succeeded(self) -> None:
        """A whole reply arrived: during a slow start, allow one more call at once."""
        with self._condition:
            if self.narrowed is None and self.limit < self.ceiling:
                self.limit += 1
                self._condition.notify_all()

    def heard(self) -> None:
        """The server sent something (a chunk, a status): it is alive."""
        with self._condition:
            self._last_heard = time.monotonic()

    def silent_for(self) -> float:
        """Seconds since the server last sent anything (or since the run began).

        Retries and back-off do not reset it: a server that never answers is silent through
        all of them, which is what bounds the time spent on a hung server.
        """
        with self._condition:
            return time.monotonic() - self._last_heard

    def first_byte(self, seconds: float) -> None:
        """Records a call's time to first byte; narrows the gate when it grew a lot."""
        with self._condition:
            best = self._best_ttfb
            self._best_ttfb = seconds if best is None else min(best, seconds)
        if best is not None and seconds > max(
            best * TTFB_GROWTH_FACTOR, best + TTFB_GROWTH_SECONDS
        ):
            self.narrow(f"the first byte took {seconds:.0f} s instead of {best:.0f} s")

    def narrow(self, reason: str) -> None:
        """Drops to one call at a time for the rest of the run."""
        with self._condition:
            if self.narrowed is not None:
                return
            self.limit = 1
            self.narrowed = reason
            self._condition.notify_all()
        log.info("drafting one section at a time from now on: %s", reason)
