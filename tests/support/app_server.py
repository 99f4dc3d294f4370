"""``streamlit run app.py`` as a real server on a free 127.0.0.1 port, for multi-process tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Settings of the developer's shell that must not leak into a test server.
_DROPPED = {"OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_DATABASE_URL", "PRD_DB_PATH", "PRD_AUTH"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    with open(log_path, "wb") as log:
        app = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                        if reply.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if app.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError("streamlit did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(0.3)
            yield url
        finally:
            app.terminate()
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()
