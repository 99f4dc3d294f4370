"""The app's hand-off pane: preview, push exactly that, push again without duplicates
(AppTest; PyGithub against the local fake GitHub server; outline mode, no model)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from prd_assistant.trackers import github
from tests.support.tracker_servers import GitHubServer, running
from tests.test_app import APP, TIMEOUT

TOKEN = "ghp_app_fake_token_321"
DESCRIPTION = (
    "Shelf is a library app for small public libraries. Members search the catalogue. "
    "Librarians check books in and out."
)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PRD_DB_PATH", str(tmp_path / "drafts.sqlite3"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL", "PRD_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setattr(github, "WRITE_INTERVAL", 0.0)


def test_preview_then_push_then_push_again_changes_nothing() -> None:
    with running(GitHubServer(TOKEN)) as gh:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state["clarify_enabled"] = False
        at.run()
        at.text_area(key="description").input(DESCRIPTION)
        at.button(key="draft_button").click().run()
        assert not at.exception
        assert at.button(key="handoff_push").disabled  # no preview yet
        at.text_input(key="handoff_repo").input("acme/shop")
        at.text_input(key="handoff_api").input(gh.url)
        at.button(key="handoff_preview").click().run()
        preview = at.code[-1].value
        assert "to create" in preview and "+ create FR-1" in preview
        assert gh.issues == {}
        to_create = preview.count("+ create")
        at.button(key="handoff_push").click().run()
        assert len(gh.issues) == to_create
        assert any("Pushed:" in s.value for s in at.success)
        at.button(key="handoff_preview").click().run()
        again = at.code[-1].value
        assert "0 to create, 0 to update" in again
        page = "\n".join(
            str(e.value)
            for kind in ("markdown", "code", "success", "error", "caption")
            for e in getattr(at, kind)
        )
        assert TOKEN not in page
        state = at.session_state
        assert all(TOKEN not in str(state[k]) for k in state if not str(k).startswith("$$"))
