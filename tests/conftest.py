"""Fixtures shared by several test modules."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

# Compiled review patterns go to a cache folder of the run's own, not the user's ~/.cache
# (set before any test module imports the rules, which compile them at import; the CLI
# processes tests start inherit it). A folder the developer chose is kept.
if "PRD_PATTERN_CACHE" not in os.environ:
    _PATTERN_CACHE = tempfile.mkdtemp(prefix="prd-patterns-")
    atexit.register(shutil.rmtree, _PATTERN_CACHE, ignore_errors=True)
    os.environ["PRD_PATTERN_CACHE"] = _PATTERN_CACHE

from tests.support.postgres import PostgresServer, PostgresUnavailable


@pytest.fixture(autouse=True)
def private_draft_database(tmp_path_factory, monkeypatch):
    """Whatever opens the app's draft database by default (the page, `prd usage`, the CLI
    booking its model calls) gets a fresh one of its own, never the user's real one and never
    another test's; tests of the defaults set or remove these variables themselves."""
    monkeypatch.delenv("PRD_DATABASE_URL", raising=False)
    monkeypatch.setenv("PRD_DB_PATH", str(tmp_path_factory.mktemp("db") / "drafts.sqlite3"))


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL for the whole run (skipped, with the reason, if not installed)."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database on each backend the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sub' / 'drafts.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium through Playwright, one for the whole run (skipped without it).

    Playwright's sync API allows one running instance per thread, so every browser test
    shares this one rather than starting its own.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.test_browser import launch

    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
