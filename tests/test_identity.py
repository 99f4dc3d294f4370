"""Login modes: the rules, and what the page does before it knows who the user is."""

import pytest
from streamlit.testing.v1 import AppTest

from prd_assistant import identity
from prd_assistant.identity import AuthSettings, IdentityError
from tests.test_app import APP, TIMEOUT


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PRD_DB_PATH", str(tmp_path / "drafts.sqlite3"))
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "PRD_DATABASE_URL",
        "PRD_AUTH",
        "PRD_AUTH_HEADER",
    ):
        monkeypatch.delenv(name, raising=False)


def test_modes_default_to_local_and_a_wrong_one_says_what_to_use():
    assert AuthSettings.from_values("") == AuthSettings("local", "X-Forwarded-Email")
    assert AuthSettings.from_values(" Proxy ", "X-Auth-Request-User").mode == "proxy"
    with pytest.raises(IdentityError, match="local, oidc, proxy"):
        AuthSettings.from_values("ldap")


def test_the_proxy_header_is_matched_case_insensitively_and_cleaned():
    headers = {"x-forwarded-email": "  Alice@Example.COM ", "X-Forwarded-User": "alice"}
    assert identity.user_from_headers(headers, "X-Forwarded-Email") == "alice@example.com"
    assert identity.user_from_headers(headers, "X-Forwarded-User") == "alice"
    assert identity.user_from_headers(headers, "X-Remote-User") is None
    # The workspace marker and blank or odd values never become users.
    assert identity.user_from_headers({"X-Forwarded-Email": "*"}, "X-Forwarded-Email") is None
    assert identity.user_from_headers({"X-Forwarded-Email": "a b"}, "X-Forwarded-Email") is None


def test_an_oidc_user_is_their_email_or_else_their_subject():
    assert identity.user_from_claims({"email": "Bo@X.org", "sub": "123"}) == "bo@x.org"
    assert identity.user_from_claims({"sub": "auth0|123"}) == "auth0|123"
    assert identity.user_from_claims({"name": "No Id"}) is None


def test_local_mode_needs_no_login():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert not at.error
    assert at.session_state["user"] == "local"
    assert not any("Signed in" in c.value for c in at.sidebar.caption)


def test_proxy_mode_without_its_header_stops_before_any_draft(monkeypatch):
    monkeypatch.setenv("PRD_AUTH", "proxy")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "X-Forwarded-Email header" in at.error[0].value
    assert not at.text_area  # no description form, no history
    assert not at.sidebar.button


def test_oidc_mode_asks_to_log_in_first(monkeypatch):
    monkeypatch.setenv("PRD_AUTH", "oidc")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "test-only",
        "client_id": "prd",
        "client_secret": "test-only",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.run()
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.text_area


def test_oidc_mode_without_an_auth_section_says_what_to_configure(monkeypatch):
    monkeypatch.setenv("PRD_AUTH", "oidc")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "[auth] section" in at.error[0].value
    assert not at.button


def test_a_wrong_mode_is_an_error_on_the_page(monkeypatch):
    monkeypatch.setenv("PRD_AUTH", "ldap")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "is not a login mode" in at.error[0].value
    assert not at.text_area
