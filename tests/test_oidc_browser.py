"""OIDC login end to end: real Chromium, ``streamlit run`` with ``st.login``, a local provider.

The provider is ``oidc-provider-mock`` on 127.0.0.1; its authorize page asks for the subject
to log in as. A second user cannot open the first user's draft by its link.
"""

from __future__ import annotations

import pytest

from prd_assistant.document import Draft
from prd_assistant.store import DraftStore
from prd_assistant.template import load_template
from tests.support.app_server import streamlit_server
from tests.support.ports import free_port

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
oidc_mock = pytest.importorskip("oidc_provider_mock")
USERS = {"alice": "alice@example.com", "bob": "bob@example.com"}


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory):
    """(app URL, provider URL, database URL) with PRD_AUTH=oidc."""
    tmp = tmp_path_factory.mktemp("oidc")
    users = [oidc_mock.User(sub=sub, claims={"email": email}) for sub, email in USERS.items()]
    with oidc_mock.run_server_in_thread(user_claims=users) as provider:
        issuer = f"http://localhost:{provider.server_port}"
        port = free_port()
        secrets = tmp / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "test-only-cookie-secret"\n'
            'client_id = "prd-test"\n'
            'client_secret = "test-only-client-secret"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        )
        database = f"sqlite:///{tmp / 'drafts.sqlite3'}"
        env = {"PRD_AUTH": "oidc", "PRD_DATABASE_URL": database}
        with streamlit_server(
            env, tmp / "app.log", port=port, args=("--secrets.files", str(secrets))
        ) as url:
            yield url, issuer, database


def logged_in(chromium, url: str, issuer: str, sub: str):
    """A page in a fresh browser context, logged in through the provider as ``sub``."""
    page = chromium.new_context(viewport={"width": 1300, "height": 900}).new_page()
    page.goto(url)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{issuer}/**", timeout=30_000)
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text(f"Signed in as {USERS[sub]}").first.wait_for(timeout=30_000)
    return page


def test_oidc_login_then_a_second_user_cannot_open_the_first_users_draft(oidc_app, chromium):
    url, issuer, database = oidc_app
    anonymous = chromium.new_context().new_page()
    anonymous.goto(url)
    anonymous.get_by_role("button", name="Log in").wait_for(timeout=30_000)
    assert "Describe the service" not in anonymous.content()

    draft = Draft.from_template(load_template(), "A service.", "Alice Service")
    draft.section("overview").set_text("Alice's unreleased pricing plan", "edit")
    store = DraftStore(database, user=USERS["alice"])
    store.save(draft, "created")
    store.engine.dispose()

    alice = logged_in(chromium, url, issuer, "alice")
    alice.get_by_role("button", name="Alice Service", exact=False).first.wait_for(timeout=30_000)
    alice.goto(f"{url}/?draft={draft.id}")
    alice.get_by_text("Alice's unreleased pricing plan").first.wait_for(timeout=30_000)

    bob = logged_in(chromium, url, issuer, "bob")
    assert "Alice Service" not in bob.content()  # not in Bob's History
    bob.goto(f"{url}/?draft={draft.id}")
    bob.get_by_text("was not found").first.wait_for(timeout=30_000)
    assert "unreleased pricing plan" not in bob.content()
