"""Takes the README screenshots of the app's main states into docs/.

Runs ``streamlit run app.py`` against the local OpenAI-compatible test server (no network,
no key) and drives Debian's Chromium with Playwright, like the browser test::

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshot-*.png

The test server answers with the canned ParcelPing text below, so the pictures look like a
real session; nothing here is a real model's output.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

DOCS = ROOT / "docs"
VIEWPORT = {"width": 1440, "height": 1000}
CLARIFY = {
    "questions": [
        {
            "question": "Which channels must be live at launch?",
            "topic": "constraints",
            "options": ["SMS and email", "Email only", "SMS, email and push"],
            "recommended": "SMS and email",
        },
        {
            "question": "Where must shopper phone numbers and emails be stored?",
            "topic": "compliance",
            "options": ["EU only", "EU and US", "No residency requirement"],
            "recommended": "EU only",
        },
        {
            "question": "What is the first success metric?",
            "topic": "success_metric",
            "options": ["Fewer 'where is my order' tickets", "Delivery message open rate"],
            "recommended": "Fewer 'where is my order' tickets",
        },
    ]
}
BODIES = {
    "Overview": (
        "ParcelPing sends shoppers SMS and email updates when their parcel ships, is out for "
        "delivery or is delayed, so merchants answer fewer 'where is my order' questions. It "
        "must be fast and easy to set up for any merchant."
    ),
    "Problem Statement": (
        "- Shoppers contact support when they do not know where a parcel is; merchants report "
        "that 20–35% of support tickets are 'where is my order'.\n"
        "- Carrier tracking pages differ per carrier and are rarely opened.\n\n"
        "Open question: which merchants share their ticket numbers for a baseline?"
    ),
    "Goals & Non-Goals": (
        "### Goals\n- Cut 'where is my order' tickets by 30% within 3 months of launch.\n"
        "- Deliver 99% of notifications within 60 s of a carrier scan.\n\n"
        "### Non-Goals\n- Marketing messages.\n- Returns handling."
    ),
}


def reply(body: dict[str, Any]) -> str:
    """Canned answers: JSON for the clarifying questions, ParcelPing text for sections."""
    if body.get("response_format") or body.get("tools"):
        return json.dumps(CLARIFY if "questions" in json.dumps(body)[:4000] else {})
    prompt = str(body["messages"][-1]["content"])
    match = re.search(r"Now write the section ##\s*(?:\d+\.\s*)?([^\n]+)", prompt)
    title = match.group(1).strip() if match else "this part"
    return BODIES.get(
        title,
        f"- The {title.lower()} covers merchants with up to 2,000 notifications per minute at "
        "peak.\n- It should be highly available and scale as needed.\n\n"
        f"Assumption: the first 50 merchants join in the pilot.\n\n"
        f"Open question: who owns the {title.lower()} after launch?",
    )


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 2
    DOCS.mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_app(Path(tmp) / "drafts.sqlite3", delay=1.5, reply=reply) as (url, _server),
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
        page.get_by_role("button", name="Draft with these answers").click()
        page.get_by_text("✍️ writing").first.wait_for(timeout=30_000)
        page.wait_for_timeout(2500)
        shot(page, "screenshot-3-drafting.png")
        page.get_by_text("19 of 19 sections done").wait_for(timeout=120_000)
        page.wait_for_timeout(3000)
        shot(page, "screenshot-4-draft-and-review.png")

        page.get_by_role("button", name="Edit").first.click()
        editor = page.get_by_label("Edit Overview")
        editor.wait_for(timeout=15_000)
        editor.fill(
            "ParcelPing tells shoppers where their parcel is, by SMS and email, within 60 s of a "
            "carrier scan, for merchants sending up to 2,000 notifications per minute at peak."
        )
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("✏️ edited").first.wait_for(timeout=15_000)
        page.get_by_text("Versions (").first.click()
        page.locator("div.prd-del").first.wait_for(timeout=15_000)
        page.locator("div.prd-del").first.scroll_into_view_if_needed()
        page.mouse.wheel(0, 250)
        page.wait_for_timeout(500)
        shot(page, "screenshot-5-edit-diff.png")

        # A flagged phrase: the fix is previewed with its blanks as fields before anything is saved.
        page.keyboard.press("Home")
        pane = page.locator(".st-key-review_pane")
        pane.locator("summary").nth(1).click()
        pane.get_by_role("button", name="Suggest a fix…").first.click()
        pane.get_by_role("button", name="Accept").first.wait_for(timeout=15_000)
        pane.get_by_role("button", name="Accept").first.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        shot(page, "screenshot-6-suggestion.png")
        browser.close()
    return 0


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(DOCS / name))
    print(DOCS / name)


if __name__ == "__main__":
    sys.exit(main())
