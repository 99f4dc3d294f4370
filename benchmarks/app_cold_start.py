"""Cold start of the app: ``streamlit run app.py`` to a Draft PRD button a PM can click.

Each run starts a fresh server (new database, free port), opens it in headless Chromium and
stops the clock when the "Draft PRD" button is visible and enabled. Target: ≤ 3 s. The first
paint must not load langchain, openai, the tokenizer or the NLP pipeline; this script also
reports which of them a first page run imports (in a separate process, with AppTest).

Usage: ``python benchmarks/app_cold_start.py [--runs 5]`` (needs /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (one launch recipe)

HEAVY = ("langchain_core", "langchain_openai", "openai", "tiktoken", "spacy", "docx")
FIRST_PAINT = f"""
import sys
from streamlit.testing.v1 import AppTest
AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120).run()
print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(db: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_DATABASE_URL", "PRD_MODEL"}
    }
    env.update(PRD_DB_PATH=str(db), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    return env


def one_run(browser, folder: Path, index: int) -> tuple[float, float]:
    """(seconds to the server's health check, seconds to a clickable Draft PRD button)."""
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=_env(folder / f"cold-{index}.sqlite3"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as reply:
                    if reply.read().strip() == b"ok":
                        break
            except OSError:
                time.sleep(0.05)
        healthy = time.perf_counter() - started
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        button = page.get_by_role("button", name="Draft PRD")
        button.wait_for(state="visible", timeout=120_000)
        while not button.is_enabled():
            time.sleep(0.02)
        usable = time.perf_counter() - started
        page.close()
        return healthy, usable
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(describe())
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp) / "first-paint.sqlite3")
        loaded = (
            subprocess.run(
                [sys.executable, "-c", FIRST_PAINT],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()
        )
        print(f"heavy modules imported by the first paint: {(loaded or [''])[-1] or 'none'}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                results = [one_run(browser, Path(tmp), i) for i in range(args.runs)]
            finally:
                browser.close()
    print(f"load average after: {_load()} (another process's work inflates every number)")
    for index, (healthy, usable) in enumerate(results, start=1):
        print(f"run {index}: server healthy {healthy:.2f} s, Draft PRD clickable {usable:.2f} s")
    usable = [u for _, u in results]
    print(
        f"cold start to a clickable Draft PRD: median {statistics.median(usable):.2f} s, "
        f"best {min(usable):.2f} s, worst {max(usable):.2f} s (target ≤ 3 s)"
    )


if __name__ == "__main__":
    main()
