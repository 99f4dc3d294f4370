"""Real-browser tests: ONE ``streamlit run app.py`` + headless Chromium + the local test server.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``); Playwright drives
it, never downloading a browser of its own. Without Chromium the test is skipped, except in CI
(``CI=true``), where that is an error.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from prd_assistant.store import DraftStore
from prd_assistant.template import load_template
from tests.support.app_server import streamlit_server
from tests.support.openai_server import OpenAIStubServer, default_reply

pytestmark = pytest.mark.browser
# How long (ms) any one thing may take to show up or settle. Never what a test tells apart: a
# guard against a hang, far above the few seconds anything takes on a quiet machine (under
# load, a page with a whole draft took over a minute to redraw, and 30 s limits failed).
WAIT = 180_000
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


def draft_in_browser(page, url: str, description: str = DESCRIPTION, *, wait: bool = True) -> None:
    """Opens the app, types a description and drafts, skipping the clarifying form if shown.

    ``wait``: wait until every section is done (otherwise return once drafting has started).
    """
    page.goto(url)
    page.get_by_text("PRD Assistant").first.wait_for(timeout=WAIT)
    box = page.get_by_label("Service description")
    box.fill(description)
    box.press("Control+Enter")
    # The estimate appears once the server has the description; only then is Draft reliable.
    page.get_by_text("Estimate before drafting").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Draft PRD").click()
    # A configured model means the clarifying form comes first; Skip is one click.
    skip = page.get_by_role("button", name="Skip", exact=True)
    skip.wait_for(timeout=WAIT)
    skip.click()
    if wait:
        page.get_by_text("19 of 19 sections done").wait_for(timeout=WAIT)


def new_page(browser, **options):
    """A page in a fresh browser context (``options`` for it) whose clicks, fills and other
    actions wait up to WAIT; close it with ``page.context.close()``."""
    context = browser.new_context(**options)
    context.set_default_timeout(WAIT)
    return context.new_page()


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)


# Sections of this service take SLOW_SECONDS each, so a test can click while they are in flight.
SLOW_SERVICE = "SlowPing"
SLOW_SECONDS = 1.5
SLOW_ASK = "SlowAsk"  # clarifying questions and suggestions about it take ASK_SECONDS
ASK_SECONDS = 3.0  # long enough to see the spinner even on a busy machine
OVERVIEW_TEXT = (
    "The service must be fast. Latency stays ≤ __ ms at peak.\n\n![pixel]({pixel}/p.png?leak=draft)"
)


class PixelServer:
    """Counts every request: a remote image that loads shows up here."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def pixel():
    server = PixelServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app(tmp_path_factory, pixel, browser):
    """ONE streamlit server and model server for every browser test: (url, model server, db)."""
    chromium_or_skip()
    folder = tmp_path_factory.mktemp("browser")
    overview = OVERVIEW_TEXT.format(pixel=pixel.url)

    def reply(body: dict) -> str:
        prompt = str(body.get("messages", [{}])[-1].get("content", ""))
        if SLOW_SERVICE in prompt and "response_format" not in body:
            # Long enough to click while the section is in flight; "take your time" (an
            # instruction) makes one section slow enough to watch on a loaded machine.
            time.sleep(SLOW_SECONDS * (4 if "take your time" in prompt else 1))
        if SLOW_ASK in prompt and "response_format" in body:
            time.sleep(ASK_SECONDS)  # a slow structured call: its spinner must show
        if "response_format" not in body and "Now write the section ## 1. Overview" in prompt:
            return overview
        return default_reply(body)

    with running_app(folder / "drafts.sqlite3", delay=0.05, reply=reply) as (url, server):
        warm_up(browser, url, folder / "drafts.sqlite3")
        yield url, server, folder / "drafts.sqlite3"


def warm_up(browser, url: str, db_path: Path) -> None:
    """Has the server load what it loads once (the drafting engine and tokenizer for the
    estimate, the language pipeline for the first review), so that no test's waits carry it."""
    page = new_page(browser)
    try:
        page.goto(url)
        box = page.get_by_label("Service description")
        box.fill(DESCRIPTION)
        box.press("Control+Enter")
        page.get_by_text("Estimate before drafting").wait_for(timeout=WAIT)
        page.goto(f"{url}/?draft={stored_draft(db_path, {})}")
        _overview(page).get_by_text("Overview of ParcelPing.").wait_for(timeout=WAIT)
        settle(page)
    finally:
        page.context.close()


@pytest.fixture(scope="session")
def browser(chromium):
    chromium_or_skip()
    return chromium


@pytest.fixture
def page(browser, tmp_path):
    """A fresh browser context and page per test; a screenshot is kept when the test fails."""
    opened = new_page(browser, viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield opened
    opened.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    opened.context.close()


def test_draft_review_and_download_markdown_in_a_real_browser(app, page):
    url, server, _ = app
    headings = [spec.heading for spec in load_template().sections]
    before = len(server.requests)
    draft_in_browser(page, url)
    # The page reruns once drafting ends; wait for each heading rather than read a
    # half-painted page.
    for heading in headings:
        title = heading.removeprefix("## ")
        page.locator("h3", has_text=title).first.wait_for(timeout=WAIT)
    page.locator("mark").first.wait_for(timeout=WAIT)  # a review flag in place
    assert len(server.requests) - before >= 19
    with page.expect_download() as download:
        page.get_by_role("button", name="Markdown").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "parcelping-prd.md"
    positions = [markdown.index(h + "\n") for h in headings]
    assert positions == sorted(positions)
    assert "![" not in markdown and "[pixel](" in markdown  # the image is a link, not loaded


def _overview(page):
    return page.locator(".st-key-section_overview").first


def settle(page) -> None:
    """Waits until the script run is over and no stale element from the last one is left."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=WAIT,
    )


def click(page, key: str) -> None:
    """Clicks the button with widget key ``key`` once the page has settled."""
    settle(page)
    page.locator(f".st-key-{key} button:visible").first.click()


def test_blanks_show_images_stay_links_and_typed_text_survives_a_suggestion(app, page, pixel):
    url, _, _ = app
    draft_in_browser(page, url)
    overview = _overview(page)
    overview.get_by_text("Latency stays").wait_for(timeout=WAIT)
    text = overview.inner_text()
    assert "≤ __ ms at peak" in text  # the blank is visible, not eaten as bold markers
    assert not overview.locator("strong", has_text="ms at peak").count()
    # The image in model output is shown as a link; the browser never requested it.
    assert not overview.locator("img").count()
    assert pixel.hits == []
    # Typed, unsaved text in the editor survives accepting a suggestion into it.
    click(page, "edit_overview")
    editor = page.locator(".st-key-editor_overview textarea").first
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-editor_overview textarea')]"
        ".some(t => t.value.includes('Latency stays'))",
        timeout=WAIT,
    )
    editor.fill(editor.input_value() + "\nMy unsaved line.")
    settle(page)
    page.locator(".st-key-review_pane").get_by_text("Overview ·").first.click()
    card = page.locator('[class*="st-key-finding_"]', has_text="fast").filter(
        has=page.get_by_role("button", name="Suggest a fix…")
    )
    card.first.get_by_role("button", name="Suggest a fix…").click()
    settle(page)
    card = (
        page.locator('[class*="st-key-finding_"]', has_text="fast")
        .filter(has=page.get_by_role("button", name="Accept"))
        .first
    )
    fields = card.locator('[class*="st-key-blank_"] input')
    fields.first.wait_for(timeout=WAIT)
    for index, value in enumerate(["120", "tracking", "300"]):
        fields.nth(index).fill(value)
    card.get_by_role("button", name="Accept").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-editor_overview textarea')]"
        ".some(t => t.value.includes('≤ 120 ms for tracking'))",
        timeout=WAIT,
    )
    value = editor.input_value()
    assert "My unsaved line." in value and "p95 latency ≤ 120 ms for tracking at 300" in value
    assert "state the" not in value and "__ ms for" not in value
    click(page, "save_overview")
    overview.get_by_text("My unsaved line.").wait_for(timeout=WAIT)
    # The connection survives a refresh (the URL holds it, never the key).
    assert "provider=" in page.url and "key" not in page.url.split("?")[1]
    page.reload()
    page.get_by_text("Latency stays").first.wait_for(timeout=WAIT)
    assert page.get_by_label("Server URL").input_value() == app[1].url


def test_two_tabs_saving_one_draft_are_told_and_merge_keeps_both(app, page, browser):
    url, _, db_path = app
    draft_in_browser(page, url)
    link = page.url
    other = new_page(browser, viewport={"width": 1400, "height": 1000})
    try:
        other.goto(link)
        other.locator(".st-key-edit_problem-statement button").first.wait_for(timeout=WAIT)
        for tab, key, text in (
            (page, "overview", "Tab A."),
            (other, "problem-statement", "Tab B."),
        ):
            click(tab, f"edit_{key}")
            tab.locator(f".st-key-editor_{key} textarea").first.fill(text)
            click(tab, f"save_{key}")
            if tab is page:
                _overview(page).get_by_text("Tab A.").wait_for(timeout=WAIT)
        other.get_by_text("Changed elsewhere").wait_for(timeout=WAIT)
        click(other, "conflict_merge")
        other.get_by_text("Merged").wait_for(timeout=WAIT)
    finally:
        other.context.close()
    store = DraftStore(f"sqlite:///{db_path}")
    draft_id = link.split("draft=")[1].split("&")[0]
    saved = store.load(draft_id)
    store.engine.dispose()
    assert saved.section("overview").text == "Tab A."
    assert saved.section("problem-statement").text == "Tab B."


def _section_requests(server, since: int) -> Counter:
    """How many times each section of the slow service was requested since request ``since``."""
    counts: Counter = Counter()
    for body in server.requests[since:]:
        prompt = str(body.get("messages", [{}])[-1].get("content", ""))
        found = re.search(r"Now write the section (##[^\n]+)", prompt)
        if found and SLOW_SERVICE in prompt:
            counts[found.group(1).strip()] += 1
    return counts


SCROLLERS = '[data-testid="stMain"], [data-testid="stAppViewContainer"]'


def _scrolled(page) -> float:
    """How far the page is scrolled (Streamlit scrolls its main area, not the window)."""
    return page.evaluate(
        "() => Math.max(window.scrollY, ...[...document.querySelectorAll("
        f"'{SCROLLERS}')].map(e => e.scrollTop))"
    )


def _run_over(page) -> None:
    """Waits until no section is waiting or being written and the page has settled."""
    page.wait_for_function(
        "() => !/⏳ waiting|✍️ writing/.test(document.body.innerText)", timeout=WAIT
    )
    settle(page)


def test_clicks_during_drafting_request_each_section_once_and_redrafts_stay_in_place(app, page):
    url, server, _ = app
    headings = [spec.heading for spec in load_template().sections]
    since = len(server.requests)
    draft_in_browser(page, url, DESCRIPTION.replace("ParcelPing", SLOW_SERVICE), wait=False)
    # Clicks while sections are in flight rerun the page; the run must go on, not restart.
    page.get_by_text("✍️ writing").first.wait_for(timeout=WAIT)
    page.get_by_text("Describe the service").first.click()
    for name in ("ShiftSwap", "LedgerLens", "ParcelPing"):
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_timeout(400)
    assert page.get_by_text("⏳ waiting").count(), "the clicks came after the run had ended"
    page.get_by_text("19 of 19 sections done").wait_for(timeout=WAIT)
    assert _section_requests(server, since) == Counter(headings)

    # Redrafting every section streams into the cards: the review pane stays, with no
    # page-wide drafting layout, and clicks during it request nothing again.
    click(page, "lock_overview")
    page.locator(".st-key-lock_overview button", has_text="Unlock").first.wait_for(timeout=WAIT)
    settle(page)
    since = len(server.requests)
    page.locator(".st-key-redraft_all button").first.click()
    page.get_by_text("✍️ writing").first.wait_for(timeout=WAIT)
    assert page.locator(".st-key-review_pane").first.is_visible()
    assert not page.locator('[data-testid="stProgress"]').count()
    page.locator(".st-key-lock_overview button").first.click()  # unlock
    page.wait_for_timeout(400)
    page.locator(".st-key-include_edited label").first.click()
    assert page.get_by_text("⏳ waiting").count(), "the clicks came after the run had ended"
    _run_over(page)
    assert _section_requests(server, since) == Counter(h for h in headings[1:])

    # One section regenerated low on the page keeps the scroll position.
    settle(page)
    card = page.locator(".st-key-section_risks-mitigations").first
    card.get_by_role("button", name="Regenerate").click()  # scrolls down to it
    since = len(server.requests)
    before = _scrolled(page)
    assert before > 1000
    page.locator(".st-key-instruction_risks-mitigations input").first.fill("take your time")
    page.locator(".st-key-regenerate_risks-mitigations button").first.click()
    card.get_by_text("✍️ writing").wait_for(timeout=WAIT)
    assert page.locator(".st-key-review_pane").first.is_visible()
    _run_over(page)
    assert abs(_scrolled(page) - before) < 200
    assert sum(_section_requests(server, since).values()) == 1


def stored_draft(db_path: Path, texts: dict[str, str], meta: dict | None = None) -> str:
    """A finished draft written straight into the app's database; returns its id.

    Tests that only need a draft on the page open it by link instead of drafting one.
    """
    from prd_assistant.document import Draft, SectionStatus

    draft = Draft.from_template(load_template(), DESCRIPTION, "ParcelPing")
    for section in draft.sections:
        section.set_text(texts.get(section.key, f"{section.title} of ParcelPing."), "draft")
        section.status = SectionStatus.DONE
    store = DraftStore(f"sqlite:///{db_path}")
    try:
        store.save(draft, "test draft", meta or {"dismissed": []})
    finally:
        store.engine.dispose()
    return draft.id


PHONE_TEXT = (
    "The service must be fast. Latency stays ≤ __ ms at peak for __ users.\n\n"
    "See https://example.com/a/very/long/path/that/never/breaks/anywhere/on/a/narrow/screen and "
    "`averyveryverylongidentifierwithoutanybreaksatallx`.\n\n"
    "| Channel | Peak per minute | Retry policy | Owner team |\n|---|---|---|---|\n"
    "| SMS | 2,000 | three times, backing off | Messaging |"
)


def _overflow(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


def test_on_a_phone_nothing_scrolls_sideways(app, browser):
    url, _, db_path = app
    draft_id = stored_draft(db_path, {"overview": PHONE_TEXT})
    page = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page.goto(f"{url}/?draft={draft_id}")
        _overview(page).get_by_text("Latency stays").wait_for(timeout=WAIT)
        settle(page)
        assert _overflow(page) <= 0
        # The review pane, a suggestion's side-by-side preview and the editor stay inside too.
        page.locator(".st-key-review_pane").get_by_text("Overview ·").first.click()
        settle(page)
        page.get_by_role("button", name="Suggest a fix… 'fast' in Overview").click()
        page.locator('[class*="st-key-blank_"] input').first.wait_for(timeout=WAIT)
        settle(page)
        assert _overflow(page) <= 0
        click(page, "edit_overview")
        page.locator(".st-key-editor_overview textarea").first.wait_for(timeout=WAIT)
        settle(page)
        assert _overflow(page) <= 0
    finally:
        page.screenshot(path=str(db_path.with_name("phone.png")), full_page=True)
        page.context.close()


def test_repeated_buttons_name_their_section_and_explanations_are_on_the_page(app, page):
    url, _, db_path = app
    draft_id = stored_draft(
        db_path,
        {"overview": "The service must be fast.", "goals-non-goals": "Goals must be simple."},
    )
    page.goto(f"{url}/?draft={draft_id}")
    _overview(page).get_by_text("must be fast").wait_for(timeout=WAIT)
    settle(page)
    # One "Edit" per section, each announced with its section; the name is not shown.
    for title in ("Overview", "Goals & Non-Goals"):
        button = page.get_by_role("button", name=f"Edit {title}", exact=True)
        button.first.wait_for(timeout=WAIT)
        assert button.count() == 1
    edit = page.locator(".st-key-edit_overview button").first
    hidden = edit.locator(".stMarkdownColoredText").first.bounding_box()
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    page.locator(".st-key-review_pane").get_by_text("Overview ·").first.click()
    dismiss = page.get_by_role("button", name="Dismiss 'fast' in Overview", exact=True)
    dismiss.wait_for(timeout=WAIT)
    # A locked section says why its buttons are disabled, not only in a tooltip.
    click(page, "lock_overview")
    _overview(page).get_by_text("unlock it to edit or regenerate it").wait_for(timeout=WAIT)
    page.locator(".st-key-review_pane").get_by_text(
        "Overview is locked: unlock it to change its text."
    ).wait_for(timeout=WAIT)
    assert page.locator(".st-key-edit_overview button").first.is_disabled()


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight; }",
        selector,
    )


def test_the_review_pane_stays_beside_the_draft_and_links_both_ways(app, page):
    url, _, db_path = app
    draft_id = stored_draft(
        db_path, {"overview": "The service must be fast.", "risks-mitigations": "Risk: none."}
    )
    page.goto(f"{url}/?draft={draft_id}")
    _overview(page).get_by_text("must be fast").wait_for(timeout=WAIT)
    settle(page)
    # The uploaders state the real limit (config.toml), not Streamlit's default 200MB.
    dropzones = page.locator('[data-testid="stFileUploaderDropzoneInstructions"]')
    dropzones.first.wait_for(state="attached", timeout=WAIT)
    limits = dropzones.all_text_contents()
    assert limits and all("10MB per file" in t and "200MB" not in t for t in limits)
    # From a section's flag count to its findings, and from a finding back to its text.
    _overview(page).get_by_role("link", name=re.compile("flag.*review")).click()
    page.locator(".st-key-review_pane").get_by_text("Overview ·").first.click()
    link = page.locator('.st-key-review_pane a[href="#sec-overview"]').first
    link.wait_for(timeout=WAIT)
    page.locator(".st-key-section_risks-mitigations").first.scroll_into_view_if_needed()
    assert not _in_view(page, "#sec-overview")
    # Scrolled far down the draft, the pane is still on screen beside it.
    assert _in_view(page, ".st-key-review_pane")
    link.click()
    page.wait_for_function(
        "() => { const r = document.querySelector('#sec-overview').getBoundingClientRect();"
        " return r.top >= -5 && r.top < window.innerHeight; }",
        timeout=WAIT,
    )


def test_slow_model_calls_show_a_named_spinner_and_disable_their_button(app, page):
    url, _, _ = app
    page.goto(url)
    page.get_by_text("PRD Assistant").first.wait_for(timeout=WAIT)
    box = page.get_by_label("Service description")
    box.fill(DESCRIPTION.replace("ParcelPing", SLOW_ASK))
    box.press("Control+Enter")
    page.get_by_text("Estimate before drafting").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Draft PRD").click()
    page.get_by_text("Asking the model for clarifying questions…").wait_for(timeout=WAIT)
    assert page.get_by_role("button", name="Draft PRD").is_disabled()
    page.get_by_role("button", name="Skip", exact=True).click()
    page.get_by_text("19 of 19 sections done").wait_for(timeout=WAIT)
    settle(page)
    suggest = page.locator(".st-key-suggest_button button").first
    suggest.click()
    page.get_by_text("Asking the model for risks and open questions…").wait_for(timeout=WAIT)
    assert suggest.is_disabled()
    # Enabled again once the answer is in (the button is redrawn: look it up afresh).
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-suggest_button button')]"
        ".some(b => !b.disabled && b.offsetParent)",
        timeout=WAIT,
    )


def test_a_refresh_during_a_run_follows_it_without_requesting_sections_again(app, page):
    url, server, _ = app
    headings = [spec.heading for spec in load_template().sections]
    since = len(server.requests)
    draft_in_browser(page, url, DESCRIPTION.replace("ParcelPing", SLOW_SERVICE), wait=False)
    page.get_by_text("✍️ writing").first.wait_for(timeout=WAIT)
    page.reload()
    page.get_by_text("PRD Assistant").first.wait_for(timeout=WAIT)
    page.get_by_text("19 of 19 sections done").wait_for(timeout=WAIT)
    assert _section_requests(server, since) == Counter(headings)


def _stored_sections(db_path: Path, draft_id: str) -> list:
    store = DraftStore(f"sqlite:///{db_path}")
    try:
        saved = store.load(draft_id)
    finally:
        store.engine.dispose()
    return saved.sections if saved is not None else []


def _draft_id(page) -> str:
    return page.url.split("draft=")[1].split("&")[0]


# "take your time" makes every section slow: the run is still going when a test acts on it.
SLOWER = DESCRIPTION.replace("ParcelPing", SLOW_SERVICE) + " Please take your time."


def test_a_second_tab_follows_a_run_under_way_without_requesting_it_again(app, page, browser):
    url, server, db_path = app
    headings = [spec.heading for spec in load_template().sections]
    since = len(server.requests)
    draft_in_browser(page, url, SLOWER, wait=False)
    page.get_by_text("✍️ writing").first.wait_for(timeout=WAIT)
    other = new_page(browser, viewport={"width": 1400, "height": 1000})
    try:
        other.goto(page.url)
        # Tab B shows the sections streaming in (not the stored state of when it opened)...
        other.get_by_text("✍️ writing").first.wait_for(timeout=WAIT)
        stored = _stored_sections(db_path, _draft_id(page))
        assert any(s.status != "done" for s in stored), "the run was over before tab B opened"
        # ...and ends on the finished, saved draft, without a reload or a click.
        other.get_by_text("19 of 19 sections done").wait_for(timeout=WAIT)
        page.get_by_text("19 of 19 sections done").wait_for(timeout=WAIT)
        _overview(other).get_by_text("Latency stays").wait_for(timeout=WAIT)
    finally:
        other.context.close()
    assert _section_requests(server, since) == Counter(headings)
    assert all(s.status == "done" for s in _stored_sections(db_path, _draft_id(page)))


def test_a_run_whose_tab_was_closed_is_saved_by_itself(app, browser):
    url, server, db_path = app
    since = len(server.requests)
    closed = new_page(browser, viewport={"width": 1400, "height": 1000})
    try:
        draft_in_browser(closed, url, SLOWER, wait=False)
        closed.get_by_text("✍️ writing").first.wait_for(timeout=WAIT)
        draft_id = _draft_id(closed)
    finally:
        closed.context.close()  # the tab is gone mid-run: nobody reads the rest of it
    assert not all(s.status == "done" for s in _stored_sections(db_path, draft_id))
    deadline = time.monotonic() + WAIT / 1000
    while not all(s.status == "done" and s.text for s in _stored_sections(db_path, draft_id)):
        assert time.monotonic() < deadline, "the run's result never reached the database"
        time.sleep(0.5)  # polling the database: the condition is the saved draft
    assert sum(_section_requests(server, since).values()) == len(load_template().sections)
