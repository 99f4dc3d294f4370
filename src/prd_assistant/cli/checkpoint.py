"""Saving a draft while it is written: the JSON after every section, safe from signals.

A draft that takes minutes must survive kill -9, Ctrl-C, SIGTERM and a full disk. The JSON is
rewritten atomically after every finished section, so at any moment the file on disk is a
complete draft that ``prd draft --resume`` can finish. SIGINT and SIGTERM are held off while a
file is being replaced, then end the run through :class:`Interrupted`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from prd_assistant.textfile import SaveError, write_text_atomic

if TYPE_CHECKING:
    from prd_assistant.document import Draft

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_KEPT = ("done", "truncated")  # statuses whose text is worth a file


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException so no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def default_checkpoint_path(output: str | None, draft_id: str) -> Path:
    """Where a model draft is saved when no ``--json`` is given.

    Beside ``-o prd.md`` as ``prd.draft.json``; for Markdown on stdout (or a device), in
    ``$XDG_STATE_HOME/prd-assistant/drafts/`` (default ``~/.local/state/...``), named by the
    draft's id, so no run ever overwrites another's.
    """
    out = Path(output) if output else None
    if out is not None and (not out.exists() or out.is_file()):  # not beside /dev/null
        return out.with_name(f"{out.stem}.draft.json")
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "prd-assistant" / "drafts" / f"{draft_id[:12]}.json"


def draft_json(draft: Draft) -> str:
    """The draft's JSON form as saved by the CLI."""
    return json.dumps(draft.to_dict(), indent=2, ensure_ascii=False) + "\n"


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Defers SIGINT/SIGTERM until the block ends, so a file write always completes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def interrupts_raised() -> Iterator[None]:
    """Turns SIGINT and SIGTERM into :class:`Interrupted` in the main thread for the block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


class Checkpoint:
    """Writes a draft's JSON to one path, atomically, and remembers whether the last save failed.

    Every finished section is saved at once while saving is cheap. Rewriting the whole JSON
    after each section costs time in proportion to the draft, so for very large drafts saves
    are held back once they have taken ``FREE_SECONDS`` plus ``SHARE`` of the run, and the
    held-back save is made at the next event that finds it due (events arrive with every
    streamed chunk, and every few seconds of silence). The final save is always made.

    A failed save is reported once on stderr (the disk may fill mid-run and free up later); the
    previous file stays as it was. A checkpoint the PM did not ask for (``only_with_work``) is
    not written until a section is done, so failed runs leave no files behind.
    """

    FREE_SECONDS = 1.0
    SHARE = 0.1

    def __init__(self, path: Path, *, only_with_work: bool = False) -> None:
        self.path = path
        self.only_with_work = only_with_work
        self.error: str | None = None
        self.pending = False
        self._started = time.monotonic()
        self._spent = 0.0

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def section_finished(self, draft: Draft) -> None:
        """Records that ``draft`` changed, and saves it unless saving is over its time budget."""
        self.pending = True
        self.save_if_due(draft)

    def save_if_due(self, draft: Draft) -> None:
        """Makes a held-back save once the time budget allows it again."""
        budget = self.FREE_SECONDS + self.SHARE * (time.monotonic() - self._started)
        if self.pending and self._spent <= budget:
            self.save(draft)

    def save(self, draft: Draft) -> bool:
        """Saves ``draft`` now; returns False (after one warning) when the file could not be written."""
        started = time.monotonic()
        try:
            return self._save(draft)
        finally:
            self._spent += time.monotonic() - started
            self.pending = False

    def _save(self, draft: Draft) -> bool:
        if self.only_with_work and not any(s.status in _KEPT for s in draft.sections):
            return True
        if self.only_with_work and not self.path.parent.is_dir():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                return self._failed(f"Could not save {self.path}: {exc.strerror or exc}.")
        text = draft_json(draft)
        try:
            with signals_held():
                write_text_atomic(self.path, text)
        except SaveError as exc:
            return self._failed(str(exc))
        self.error = None
        return True

    def _failed(self, error: str) -> bool:
        if self.error is None:
            print(f"prd: warning: {error}", file=sys.stderr, flush=True)
        self.error = error
        return False
