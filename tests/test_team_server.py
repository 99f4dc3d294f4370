"""Several app processes on one database, people told apart by a trusted proxy's header.

Two ``streamlit run`` servers share one PostgreSQL (SQLite when PostgreSQL is not installed),
as two replicas behind a load balancer would. Headless Chromium plays the proxy by sending
``X-Forwarded-Email``.
"""

from __future__ import annotations

import pytest

from prd_assistant.document import Draft
from prd_assistant.store import DraftStore
from prd_assistant.template import load_template
from tests.support.app_server import streamlit_server
from tests.support.postgres import PostgresUnavailable

# Two app servers start once per module; on a busy 2-core machine that alone can take a minute.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def shared_url(request, tmp_path_factory):
    """One database for both servers: PostgreSQL if installed, else a SQLite file."""
    try:
        return request.getfixturevalue("postgres_server").create_database()
    except (pytest.skip.Exception, PostgresUnavailable):
        return f"sqlite:///{tmp_path_factory.mktemp('team') / 'drafts.sqlite3'}"


@pytest.fixture(scope="module")
def two_servers(shared_url, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    env = {"PRD_DATABASE_URL": shared_url, "PRD_AUTH": "proxy"}
    with (
        streamlit_server(env, logs / "a.log") as url_a,
        streamlit_server(env, logs / "b.log") as url_b,
    ):
        yield url_a, url_b


def page_as(chromium, user: str | None):
    headers = {"X-Forwarded-Email": user} if user else {}
    context = chromium.new_context(
        extra_http_headers=headers, viewport={"width": 1300, "height": 900}
    )
    return context.new_page()


def seeded(url: str, owner: str, text: str) -> Draft:
    draft = Draft.from_template(load_template(), "A service.", f"Service of {owner}")
    draft.section("overview").set_text(text, "edit")
    store = DraftStore(url, user=owner)
    store.save(draft, "seeded")
    store.engine.dispose()
    return draft


def test_guessing_another_users_draft_link_shows_nothing_of_it(two_servers, shared_url, chromium):
    url_a, _ = two_servers
    secret = seeded(shared_url, "alice@example.com", "Alice's confidential launch plan")
    bob = page_as(chromium, "bob@example.com")
    bob.goto(f"{url_a}/?draft={secret.id}")
    bob.get_by_text("was not found").first.wait_for(timeout=30_000)
    assert "confidential launch plan" not in bob.content()
    assert "Service of alice" not in bob.content()
    alice = page_as(chromium, "Alice@Example.com")  # e-mails are matched case-insensitively
    alice.goto(f"{url_a}/?draft={secret.id}")
    alice.get_by_text("Alice's confidential launch plan").first.wait_for(timeout=30_000)
    alice.get_by_text("Signed in as").first.wait_for(timeout=10_000)


def test_without_the_proxy_header_the_app_shows_no_drafts(two_servers, shared_url, chromium):
    url_a, _ = two_servers
    seeded(shared_url, "carol@example.com", "Carol's draft")
    anonymous = page_as(chromium, None)
    anonymous.goto(url_a)
    anonymous.get_by_text("X-Forwarded-Email header").first.wait_for(timeout=30_000)
    assert "Describe the service" not in anonymous.content()
    assert "Service of carol" not in anonymous.content()


def test_sharing_from_the_sidebar_opens_the_draft_read_only(two_servers, shared_url, chromium):
    url_a, url_b = two_servers
    draft = seeded(shared_url, "erin@example.com", "Erin's roadmap notes")
    erin = page_as(chromium, "erin@example.com")
    erin.goto(f"{url_a}/?draft={draft.id}")
    erin.get_by_text("Erin's roadmap notes").first.wait_for(timeout=30_000)
    erin.get_by_label("Share with (e-mails, comma-separated)").fill("frank@example.com")
    erin.get_by_role("button", name="Share", exact=True).click()
    erin.get_by_text("Shared with frank@example.com").first.wait_for(timeout=30_000)
    frank = page_as(chromium, "frank@example.com")
    frank.goto(f"{url_b}/?draft={draft.id}")  # the other app process
    frank.get_by_text("Erin's roadmap notes").first.wait_for(timeout=30_000)
    frank.get_by_text("Shared with you (read-only)").first.wait_for(timeout=30_000)
    store = DraftStore(shared_url, user="frank@example.com")
    assert store.access(draft.id) == "read"
    store.engine.dispose()


def edit_section(page, key: str, text: str) -> None:
    page.locator(f".st-key-edit_{key} button").first.click()
    box = page.locator(f".st-key-editor_{key} textarea").first
    box.wait_for(timeout=30_000)
    box.fill(text)
    page.locator(f".st-key-save_{key} button").first.click()


def test_interleaved_edits_in_two_app_processes_are_refused_then_merged_never_lost(
    two_servers, shared_url, chromium
):
    url_a, url_b = two_servers
    draft = seeded(shared_url, "gina@example.com", "first overview")
    pages = []
    for url in (url_a, url_b):
        page = page_as(chromium, "gina@example.com")
        page.goto(f"{url}/?draft={draft.id}")
        page.get_by_text("first overview").first.wait_for(timeout=30_000)
        pages.append(page)
    tab_a, tab_b = pages

    edit_section(tab_a, "overview", "Overview written in process A")
    tab_a.get_by_text("Overview written in process A").first.wait_for(timeout=30_000)
    # B opened the draft before A's save: its save is refused, with a message, not applied.
    edit_section(tab_b, "problem-statement", "Problem written in process B")
    tab_b.get_by_text("Changed elsewhere").first.wait_for(timeout=30_000)
    store = DraftStore(shared_url, user="gina@example.com")
    stored = store.load(draft.id)
    assert stored.section("problem-statement").text != "Problem written in process B"
    tab_b.locator(".st-key-conflict_merge button").first.click()
    tab_b.get_by_text("Merged").first.wait_for(timeout=30_000)

    edit_section(tab_a, "goals-non-goals", "Goals written in process A")
    tab_a.get_by_text("Changed elsewhere").first.wait_for(timeout=30_000)
    tab_a.locator(".st-key-conflict_merge button").first.click()
    tab_a.get_by_text("Merged").first.wait_for(timeout=30_000)

    final, _ = store.load_versioned(draft.id)
    assert final.section("overview").text == "Overview written in process A"
    assert final.section("problem-statement").text == "Problem written in process B"
    assert final.section("goals-non-goals").text == "Goals written in process A"
    savers = {v.saved_by for v in store.versions(draft.id)}
    assert savers == {"gina@example.com"}
    store.engine.dispose()
