"""Issue 9's minor defects, one ``AppTest`` regression test each (the model is faked at the
model factory, as in ``test_app``)."""

from __future__ import annotations

import re

from prd_assistant.document import SectionStatus
from tests.support.fake_models import SectionModel
from tests.test_app import (  # noqa: F401 - fixtures
    current,
    draft,
    fake_model,
    isolated,
    new_app,
    page_text,
    state_store,
)


def test_finish_drafting_counts_one_section_in_the_singular(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))
    current(at).section("overview").status = SectionStatus.WAITING
    at.run()
    assert at.button(key="finish_drafting").label == "Finish drafting (1 section)"
    current(at).section("problem-statement").status = SectionStatus.WAITING
    at.run()
    assert at.button(key="finish_drafting").label == "Finish drafting (2 sections)"


def test_the_drafting_time_is_the_wait_not_the_sum_of_sections(fake_model):  # noqa: F811
    fake_model["model"] = SectionModel(delay=0.1)
    at = draft(new_app(key="sk-test-key"))
    caption = next(c.value for c in at.caption if "drafted in" in c.value)
    waited = float(re.search(r"drafted in ([\d.]+) s", caption).group(1))
    summed = sum(s.seconds for s in current(at).sections)
    assert 0 < waited < summed * 0.75, (waited, summed)


def test_review_groups_start_collapsed(fake_model):  # noqa: F811
    fake_model["model"] = SectionModel(reply=lambda h, p: "The service must be fast. Owner: TBD.")
    at = draft(new_app(key="sk-test-key"))
    groups = [
        e for e in at.expander if "·" in e.label and ("error" in e.label or "warning" in e.label)
    ]
    assert len(groups) >= 10
    assert not any(e.proto.expanded for e in groups)


def test_a_question_card_never_says_question_twice(fake_model):  # noqa: F811
    fake_model["model"] = SectionModel(
        reply=lambda h, p: "We notify shoppers.\n\n- Open question: who owns the templates?"
    )
    at = draft(new_app(key="sk-test-key"))
    text = page_text(at)
    assert "Open question: who owns the templates?" in text
    assert not re.search(r"Question:\*?\s*Open question", text, re.IGNORECASE)


def test_history_renames_searches_deletes_and_undoes_the_delete(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))
    draft_id = current(at).id
    at.text_input(key="rename_text").input("Parcel alerts v2")
    at.button(key="rename_button").click().run()
    assert current(at).title == "# Parcel alerts v2"
    assert [d.title for d in state_store().list_drafts()] == ["Parcel alerts v2"]
    at.text_input(key="history_search").input("nothing like it").run()
    assert "No draft matches." in page_text(at)
    at.text_input(key="history_search").input("alerts").run()
    assert at.button(key=f"open_{draft_id}")
    at.button(key="delete_button").click().run()
    assert current(at) is None and state_store().list_drafts() == []
    at.button(key="undo_delete").click().run()
    assert current(at).id == draft_id
    assert [d.id for d in state_store().list_drafts()] == [draft_id]


def test_a_draft_link_alone_reopens_with_the_drafts_model(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))
    draft_id = current(at).id
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP, TIMEOUT

    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT)
    fresh.query_params["draft"] = draft_id
    fresh.run()
    assert current(fresh).id == draft_id
    assert fresh.session_state["provider"] == "OpenAI"
    assert fresh.session_state["model_text"] == current(fresh).model
    assert "Outline mode" not in page_text(fresh)


def _in_order(node) -> list:
    """Every element under ``node`` in page order."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [e for key in sorted(children) for e in _in_order(children[key])]


def test_a_failed_suggestion_is_reported_beside_its_button(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))  # the fake model answers with prose, not JSON
    at.button(key="suggest_button").click().run()
    page = _in_order(at.main)
    button = next(i for i, e in enumerate(page) if getattr(e, "key", None) == "suggest_button")
    errors = [
        i
        for i, e in enumerate(page)
        if type(e).__name__ == "Error" and "Could not get suggestions" in str(e.value)
    ]
    assert errors and all(i > button for i in errors)
