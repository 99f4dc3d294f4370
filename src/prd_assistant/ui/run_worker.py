"""Drafting runs in a thread of their own, outliving the page script that started them.

A click reruns the page script and a refresh starts a new session; neither may restart a run
(that requests sections again). So the model calls run in a :class:`RunWorker` thread that
keeps every event it produced; a page reads them from its own position. One worker per draft
is kept in a process-wide registry, so a refreshed page picks the run up where it was, and a
second tab on the same draft watches it as it goes.

One script run at a time writes a run into the store (it claims it, and releases it when it
ends), so every event is saved once even when a click starts a new script run before the old
one stopped; other pages watch, and take the run over once its page is gone. When the run is over, whoever saved its result says so
(:meth:`RunWorker.settle`), and the watchers reload the saved draft. A finished run that no
page holds (its tab was closed) is saved by the worker itself after :data:`ORPHAN_GRACE`
seconds, then dropped from the registry, so nothing it drafted is lost and nothing is kept;
so is a run that stopped on an unexpected error, with what stopped it.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from prd_assistant import usage_meter
from prd_assistant.document import Draft
from prd_assistant.events import DraftEvent, SectionDone
from prd_assistant.redaction import get_logger

if TYPE_CHECKING:  # the drafting engine loads with the first run, not on first paint
    from prd_assistant.drafting import Drafter

_REGISTRY: dict[str, RunWorker] = {}
_REGISTRY_LOCK = threading.Lock()
_LOG = get_logger(__name__)
# Seconds a finished run waits for a page (a refresh, a click's rerun) before saving itself.
ORPHAN_GRACE = 5.0
_ORPHAN_SAVER = "orphan-saver"  # the claim token of the worker saving its own result


class RunWorker:
    """One drafting run of one draft, in a daemon thread.

    Args:
        drafter: The drafting engine, with its model.
        draft: The draft; the thread drafts a copy (the page may change the draft meanwhile).
        spec: What the run drafts: ``keys``, ``instruction``, ``source``, ``started``.
        save_orphan: Saves the finished run's result when no page holds it; returns whether
            it did. Called in a thread of its own, never with a page's session.
        book: Books the model calls of sections a cancelled run finished but no page will
            save (see :meth:`cancel`); the calls a save brings in are booked by the save.
    """

    def __init__(
        self,
        drafter: Drafter,
        draft: Draft,
        spec: dict[str, Any],
        save_orphan: Callable[[RunWorker], bool] | None = None,
        book: usage_meter.Book | None = None,
    ):
        self.draft_id = draft.id
        self._book = book
        self._unsaved_from = 0  # after a cancel: the first event no page applied
        self.spec = dict(spec)
        # Each section's text as the run found it: where the draft the events are applied to
        # holds another text, the PM changed the section meanwhile (in another tab).
        self.found_texts = {key: draft.section(key).text for key in spec["keys"]}
        self.owner: str | None = None  # token of the script run saving it
        self._released_at = time.monotonic()  # when the last reader let go (or the run began)
        self.events: list[DraftEvent] = []
        self.finished = False
        self.finished_at = 0.0  # time.time() when the last section ended
        self.error: Exception | None = None
        self.settled = False  # the result was saved (or could not be); watchers may reload
        self.persisted = False  # the result is in the store
        self._save_orphan = save_orphan
        self._orphan_timer: threading.Timer | None = None
        self._changed = threading.Condition()
        self._cancel = threading.Event()
        with _REGISTRY_LOCK:
            _REGISTRY[draft.id] = self
        args = (drafter, copy.deepcopy(draft), list(spec["keys"]), spec["instruction"])
        threading.Thread(target=self._work, args=args, name="prd-run", daemon=True).start()

    def _work(self, drafter: Drafter, draft: Draft, keys: list[str], instruction: str) -> None:
        stream = drafter.stream(draft, keys, instruction)
        try:
            for event in stream:
                with self._changed:
                    self.events.append(event)
                    self._changed.notify_all()
                if self._cancel.is_set():
                    break
        except Exception as exc:  # re-raised in the page by whoever reads the events
            self.error = exc
        finally:
            stream.close()
            with self._changed:
                self.finished, self.finished_at = True, time.time()
                cancelled = self._cancel.is_set()
                self._changed.notify_all()
            if cancelled:
                self._book_unsaved()
            self._check_orphaned()

    def read(self, start: int, timeout: float) -> list[DraftEvent]:
        """The events from position ``start`` on, waiting up to ``timeout`` s for one."""
        with self._changed:
            if len(self.events) <= start and not self.finished:
                self._changed.wait(timeout)
            return self.events[start:]

    def read_all(self, position: int) -> bool:
        """Whether a reader at ``position`` has read the whole, finished run."""
        with self._changed:
            return self.finished and position >= len(self.events)

    def claim(self, token: str, wait: float = 0.0, idle: float = 0.0) -> bool:
        """Makes ``token`` the reader, once no other script run reads the run (waits ``wait`` s).

        With ``idle``, only a run nobody has held for that long is claimed: its page is gone,
        it is not merely between two script runs of a click.
        """
        deadline = time.monotonic() + wait
        while True:
            with self._changed:
                free = self.owner in (None, token)
                if free and time.monotonic() - self._released_at >= idle:
                    self.owner = token
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def release(self, token: str) -> None:
        """``token`` stops reading (its script run ended); another may pick the run up."""
        with self._changed:
            if self.owner == token:
                self.owner = None
                self._released_at = time.monotonic()
        self._check_orphaned()

    def settle(self, persisted: bool) -> None:
        """The page that read the run to its end saved its result (or could not)."""
        with self._changed:
            self.settled = True
            self.persisted = persisted
            self._changed.notify_all()

    def wait_settled(self, timeout: float) -> bool:
        """Waits up to ``timeout`` s for the result to be saved; whether it is settled."""
        with self._changed:
            self._changed.wait_for(lambda: self.settled, timeout)
            return self.settled

    def cancel(self, applied: int = 0) -> None:
        """Stops drafting (sections not started are never requested) and forgets the run.

        The page had applied the first ``applied`` events (and saves them); the sections
        finished after those are never saved, so their calls are booked here, once the run
        is over (the calls cut off by the cancel are booked by the drafting engine).
        """
        with self._changed:
            self._unsaved_from = applied
            self._cancel.set()
            over = self.finished  # else the run's own thread books them when it ends
        if over:
            self._book_unsaved()
        forget(self)

    def _book_unsaved(self) -> None:
        with self._changed:
            unsaved = self.events[self._unsaved_from :]
        for event in unsaved:
            if isinstance(event, SectionDone):
                usage_meter.deliver(self._book, event.key, event.usage)

    def _check_orphaned(self) -> None:
        """Once the run is over and no page holds it, saving it waits :data:`ORPHAN_GRACE` s."""
        with self._changed:
            if (
                not self.finished
                or self.owner is not None
                or self.settled
                or self._cancel.is_set()
                or self._orphan_timer is not None
            ):
                return
            self._orphan_timer = threading.Timer(ORPHAN_GRACE, self._save_if_orphaned)
            self._orphan_timer.daemon = True
            self._orphan_timer.start()

    def _save_if_orphaned(self) -> None:
        with self._changed:
            self._orphan_timer = None
            if self.owner is not None or self.settled:
                return  # a page picked the run up meanwhile: it saves it
            self.owner = _ORPHAN_SAVER
        if self.error is not None:
            _LOG.error("Drafting of draft %s stopped", self.draft_id, exc_info=self.error)
        saved = False
        try:
            # A run that stopped on an error is saved too: what it wrote, and what stopped it.
            saved = self._save_orphan is not None and self._save_orphan(self)
        except Exception:  # nobody is there to be told; a page opening the draft retries
            _LOG.exception("Could not save the drafting run of draft %s", self.draft_id)
        if saved:
            self.settle(True)
            forget(self)
        with self._changed:
            self.owner = None  # unsaved: kept for the next page that opens the draft


def find(draft_id: str) -> RunWorker | None:
    """The run of a draft that no page has finished reading, if there is one."""
    with _REGISTRY_LOCK:
        return _REGISTRY.get(draft_id)


def forget(worker: RunWorker) -> None:
    """Drops a run from the registry (it was read to the end, or cancelled)."""
    with _REGISTRY_LOCK:
        if _REGISTRY.get(worker.draft_id) is worker:
            del _REGISTRY[worker.draft_id]
