"""``streamlit run app.py`` as a real server on a free 127.0.0.1 port, for multi-process tests."""

from __future__ import annotations

import contextlib
import os
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.support.ports import free_port
from tests.support.processes import server_process

ROOT = Path(__file__).resolve().parents[2]
# Settings of the developer's shell that must not leak into a test server.
_DROPPED = {"OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_DATABASE_URL", "PRD_DB_PATH", "PRD_AUTH"}


@contextlib.contextmanager
def streamlit_server(
    env: dict[str, str], log_path: Path, *, port: int | None = None, args: tuple[str, ...] = ()
) -> Iterator[str]:
    """Runs the app with ``env`` added to a clean environment; yields its base URL.

    ``args`` are extra ``streamlit run`` options (``--secrets.files``, ...).
    """
    port = port or free_port()
    full_env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    full_env.update(STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **env)
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--server.fileWatcherType", "none", *args,
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def failure(log: str) -> Exception:
        return RuntimeError("streamlit did not start:\n" + log)

    with server_process(
        command,
        log_path,
        ready=lambda: _healthy(url),
        start_timeout=60,
        failure=failure,
        cwd=ROOT,
        env=full_env,
    ):
        yield url


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return bool(reply.read().strip() == b"ok")
    except OSError:
        return False
