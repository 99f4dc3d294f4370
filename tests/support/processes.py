"""Child servers for tests (streamlit, llama_cpp.server, the stub's command line): started,
waited for and always stopped the same way."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Ends a child process: SIGTERM, then SIGKILL if it is still running after ``timeout`` s.

    Always reaps it, so no zombie (or, with pipes, no open descriptor) is left behind.
    """
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def server_process(
    command: Sequence[str],
    log_path: Path,
    *,
    ready: Callable[[], bool],
    start_timeout: float,
    failure: Callable[[str], Exception],
    stop_timeout: float = 10.0,
    **popen: Any,
) -> Iterator[subprocess.Popen]:
    """Runs ``command`` with its output in ``log_path`` until the block ends; yields the process
    once ``ready()`` is true.

    Raises:
        Exception: ``failure(end of the log)`` when the process exits, or is not ready within
            ``start_timeout`` seconds (it is stopped first).
    """
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.monotonic() + start_timeout
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise failure(log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield process
    finally:
        stop(process, stop_timeout)
