"""The review pane lists traceability gaps (AppTest, model faked at the model factory)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from prd_assistant import llm
from tests.support.fake_models import SectionModel
from tests.test_app import APP, TIMEOUT

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS and email "
    "updates to shoppers, up to 2,000 notifications per minute at peak."
)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PRD_DB_PATH", str(tmp_path / "drafts.sqlite3"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL", "PRD_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_review_pane_shows_uncovered_use_cases_and_untestable_musts(monkeypatch) -> None:
    def reply(heading: str, prompt: str) -> str:
        if heading.startswith("## 4."):
            return "| ID | Actor | Flow |\n|---|---|---|\n| UC1 | Shopper | Tracks a parcel on the page |\n| UC2 | Agent | Resends an SMS to a shopper |\n"
        if heading.startswith("## 6."):
            return "- **FR-1** (MUST, serves UC1): The page MUST show the parcel status.\n"
        return "Notifications go out within 5 s at p95."

    model = SectionModel(reply=reply)
    monkeypatch.setattr(llm, "create_chat_model", lambda settings, **options: model)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["clarify_enabled"] = False
    at.session_state["provider"] = "OpenAI"  # outlines are an explicit choice
    at.session_state["api_key"] = "sk-test-key"
    at.run()
    at.text_area(key="description").input(DESCRIPTION)
    at.button(key="draft_button").click().run()
    assert not at.exception
    expanders = [e.label for e in at.expander]
    assert "Traceability (2)" in expanders
    text = "\n".join(str(m.value) for m in at.markdown)
    assert "Use case UC2 is not served by any functional requirement." in text
    assert "FR-1 is a MUST requirement without acceptance criteria" in text


def test_the_acceptance_criteria_style_setting_reaches_the_requirements_prompt(monkeypatch) -> None:
    model = SectionModel(reply=lambda heading, prompt: "Notifications go out within 5 s at p95.")
    monkeypatch.setattr(llm, "create_chat_model", lambda settings, **options: model)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["clarify_enabled"] = False
    at.session_state["provider"] = "OpenAI"
    at.session_state["api_key"] = "sk-test-key"
    at.run()
    at.radio(key="acceptance_style").set_value("ears")
    at.text_area(key="description").input(DESCRIPTION)
    at.button(key="draft_button").click().run()
    assert not at.exception
    assert at.session_state["draft"].acceptance_style == "ears"
    prompt = next(p for h, p in model.prompts if h.startswith("## 6."))
    assert "When <trigger>, the <system> shall <response>" in prompt
