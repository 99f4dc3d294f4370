"""Drafting runs in a thread of their own, outliving the page script that started them.

A click reruns the page script and a refresh starts a new session; neither may restart a run
(that requests sections again). So the model calls run in a :class:`RunWorker` thread that
keeps every event it produced; a page reads them from its own position. One worker per draft
is kept in a process-wide registry, so a refreshed page picks the run up where it was. One
script run at a time reads a run (it claims it, and releases it when it ends), so every
event is applied once even when a click starts a new script run before the old one stopped.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import TYPE_CHECKING, Any

from prd_assistant.document import Draft
from prd_assistant.events import DraftEvent

if TYPE_CHECKING:  # the drafting engine loads with the first run, not on first paint
    from prd_assistant.drafting import Drafter

_REGISTRY: dict[str, RunWorker] = {}
_REGISTRY_LOCK = threading.Lock()


class RunWorker:
    """One drafting run of one draft, in a daemon thread.

    Args:
        drafter: The drafting engine, with its model.
        draft: The draft; the thread drafts a copy (the page may change the draft meanwhile).
        spec: What the run drafts: ``keys``, ``instruction``, ``source``, ``started``.
    """

    def __init__(self, drafter: Drafter, draft: Draft, spec: dict[str, Any]):
        self.draft_id = draft.id
        self.spec = dict(spec)
        self.owner: str | None = None  # token of the script run reading it
        self.events: list[DraftEvent] = []
        self.finished = False
        self.error: BaseException | None = None
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
                self.finished = True
                self._changed.notify_all()

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

    def claim(self, token: str, wait: float = 0.0) -> bool:
        """Makes ``token`` the reader, once no other script run reads the run (waits ``wait`` s)."""
        deadline = time.monotonic() + wait
        while True:
            with self._changed:
                if self.owner in (None, token):
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

    def cancel(self) -> None:
        """Stops drafting (sections not started are never requested) and forgets the run."""
        self._cancel.set()
        forget(self)


def find(draft_id: str) -> RunWorker | None:
    """The run of a draft that no page has finished reading, if there is one."""
    with _REGISTRY_LOCK:
        return _REGISTRY.get(draft_id)


def forget(worker: RunWorker) -> None:
    """Drops a run from the registry (it was read to the end, or cancelled)."""
    with _REGISTRY_LOCK:
        if _REGISTRY.get(worker.draft_id) is worker:
            del _REGISTRY[worker.draft_id]
