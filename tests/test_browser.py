"""One real-browser test: ``streamlit run app.py`` + headless Chromium + the local test server.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``); Playwright drives
it, never downloading a browser of its own. Without Chromium the test is skipped, except in CI
(``CI=true``), where that is an error.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from prd_assistant.template import load_template
from tests.support.app_server import streamlit_server
from tests.support.openai_server import OpenAIStubServer

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PRD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS and email "
    "updates to shoppers when a parcel ships or is delayed, up to 2,000 notifications per minute."
)


@contextlib.contextmanager
def running_app(
    db_path: Path, *, delay: float = 0.2, reply: Callable[[dict], str] | None = None
) -> Iterator[tuple[str, OpenAIStubServer]]:
    """Starts the stub model server and ``streamlit run app.py``; yields (app URL, server)."""
    server = OpenAIStubServer(delay=delay, reply=reply, models=("test-model",)).start()
    env = {"OPENAI_BASE_URL": server.url, "PRD_MODEL": "test-model", "PRD_DB_PATH": str(db_path)}
    try:
        with streamlit_server(env, db_path.with_suffix(".log")) as url:
            yield url, server
    finally:
        server.stop()


def chromium_or_skip() -> str:
    """The Chromium path, or skip (fail under CI) when it is missing."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = f"Chromium not found at {CHROMIUM}: run `apt-get install chromium` (Debian)."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def draft_in_browser(page, url: str, description: str = DESCRIPTION) -> None:
    """Opens the app, types a description and drafts, skipping the clarifying form if shown."""
    page.goto(url)
    page.get_by_text("PRD Assistant").first.wait_for(timeout=30_000)
    box = page.get_by_label("Service description")
    box.fill(description)
    box.press("Control+Enter")
    # The estimate appears once the server has the description; only then is Draft reliable.
    page.get_by_text("Estimate before drafting").wait_for(timeout=30_000)
    page.get_by_role("button", name="Draft PRD").click()
    # A configured model means the clarifying form comes first; Skip is one click.
    skip = page.get_by_role("button", name="Skip", exact=True)
    skip.wait_for(timeout=60_000)
    skip.click()
    page.get_by_text("19 of 19 sections done").wait_for(timeout=90_000)


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)


def test_draft_review_and_download_markdown_in_a_real_browser(tmp_path):
    chromium_or_skip()
    sync_api = pytest.importorskip("playwright.sync_api")
    headings = [spec.heading for spec in load_template().sections]
    with running_app(tmp_path / "drafts.sqlite3") as (url, server), sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            try:
                draft_in_browser(page, url)
            except Exception:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                raise
            # The page reruns once drafting ends; wait for each heading rather than read a
            # half-painted page.
            for heading in headings:
                title = heading.removeprefix("## ")
                page.locator("h3", has_text=title).first.wait_for(timeout=30_000)
            page.locator("mark").first.wait_for(timeout=30_000)  # a review flag in place
            assert len(server.requests) >= 19
            with page.expect_download() as download:
                page.get_by_role("button", name="Markdown").click()
            markdown = Path(download.value.path()).read_text(encoding="utf-8")
            assert download.value.suggested_filename == "parcelping-prd.md"
            positions = [markdown.index(h + "\n") for h in headings]
            assert positions == sorted(positions)
        finally:
            browser.close()
