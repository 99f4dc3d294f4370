"""Several app processes on one database, people told apart by a trusted proxy's header.

Two ``streamlit run`` servers share one PostgreSQL (SQLite when PostgreSQL is not installed),
as two replicas behind a load balancer would. Headless Chromium plays the proxy by sending
``X-Forwarded-Email``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from prd_assistant.document import Draft
from prd_assistant.store import DraftStore
from prd_assistant.template import load_template
from tests.support.app_server import ROOT, streamlit_server
from tests.support.postgres import PostgresUnavailable

pytestmark = pytest.mark.browser


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


EDITOR = textwrap.dedent(
    """
    import sys
    from prd_assistant.store import ConflictError, DraftStore
    url, draft_id, name, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = DraftStore(url, user="dana@example.com")
    saved = refused = 0
    for n in range(rounds):
        draft, base = store.load_versioned(draft_id)
        section = draft.section("overview")
        section.set_text(section.text + f"|{name}{n}", "edit")
        try:
            store.save(draft, f"{name}{n}", base_revision=base)
            saved += 1
        except ConflictError:
            refused += 1
    print(saved, refused)
    """
)


def test_two_processes_editing_one_draft_keep_every_accepted_edit(
    two_servers, shared_url, chromium
):
    url_a, url_b = two_servers
    draft = seeded(shared_url, "dana@example.com", "start")
    rounds = 30
    editors = [
        subprocess.Popen(
            [sys.executable, "-c", EDITOR, shared_url, draft.id, name, str(rounds)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    counts = [tuple(map(int, e.communicate(timeout=120)[0].split())) for e in editors]
    saved = sum(c[0] for c in counts)
    assert sum(c[0] + c[1] for c in counts) == 2 * rounds
    store = DraftStore(shared_url, user="dana@example.com")
    final, revision = store.load_versioned(draft.id)
    kept = final.section("overview").text.split("|")[1:]
    assert len(kept) == saved == revision - 1  # every accepted edit is there, none overwritten
    assert len(store.versions(draft.id)) == saved + 1
    store.engine.dispose()
    # Both app processes show the same, final state.
    last = kept[-1]
    for url in (url_a, url_b):
        page = page_as(chromium, "dana@example.com")
        page.goto(f"{url}/?draft={draft.id}")
        page.get_by_text(last, exact=False).first.wait_for(timeout=30_000)


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
