"""Takes the README screenshots of the app's main states into docs/.

Runs ``streamlit run app.py`` against the local OpenAI-compatible test server (no network,
no key) and drives Debian's Chromium with Playwright, like the browser test::

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshot-*.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

DOCS = ROOT / "docs"
VIEWPORT = {"width": 1440, "height": 1000}


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 2
    DOCS.mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_app(Path(tmp) / "drafts.sqlite3", delay=1.5) as (
            url,
            _server,
        ),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
        page.goto(url)
        page.get_by_text("PRD Assistant").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="ParcelPing").click()
        page.get_by_text("Estimate before drafting").wait_for(timeout=30_000)
        shot(page, "screenshot-1-describe.png")

        page.get_by_role("button", name="Draft PRD").click()
        skip = page.get_by_role("button", name="Skip", exact=True)
        skip.wait_for(timeout=60_000)
        shot(page, "screenshot-2-clarify.png")
        skip.click()
        page.get_by_text("✍️ writing").first.wait_for(timeout=30_000)
        page.wait_for_timeout(2500)
        shot(page, "screenshot-3-drafting.png")
        try:
            page.get_by_text("19 of 19 sections done").wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path="/tmp/stuck.png", full_page=True)
            print(page.inner_text("body")[-3000:])
            raise
        page.wait_for_timeout(1000)
        page.get_by_text("Review", exact=True).scroll_into_view_if_needed()
        shot(page, "screenshot-4-draft-and-review.png")

        page.get_by_role("button", name="Edit").first.click()
        editor = page.get_by_label("Edit section")
        editor.wait_for(timeout=15_000)
        editor.fill(
            "ParcelPing tells shoppers where their parcel is, by SMS and email, within 60 s of a "
            "carrier scan, for merchants with up to 2,000 notifications per minute at peak."
        )
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("✏️ edited").first.wait_for(timeout=15_000)
        page.get_by_text("Versions (").first.click()
        page.locator("table.diff").first.wait_for(timeout=15_000)
        page.locator("table.diff").first.scroll_into_view_if_needed()
        page.mouse.wheel(0, -250)
        page.wait_for_timeout(500)
        shot(page, "screenshot-5-edit-diff.png")
        browser.close()
    return 0


def shot(page, name: str) -> None:
    page.screenshot(path=str(DOCS / name))
    print(DOCS / name)


if __name__ == "__main__":
    sys.exit(main())
