"""Locked sections and the version history of a draft, driven headless with ``AppTest``.

A locked section's text changes through no path (editor, suggestion, register, undo, revert,
a run). The model is faked at the model factory, as in ``test_app``.
"""

from __future__ import annotations

from prd_assistant.ui import actions, review_pane
from tests.support.fake_models import SectionModel
from tests.test_app import current, draft, fake_model, isolated, new_app  # noqa: F401


def _finding(at, key: str, match: str):
    for item in review_pane.findings(current(at)):
        if item.key == key and item.finding.match == match:
            return item
    raise AssertionError(f"no finding on {match!r} in {key}")


def test_a_locked_section_cannot_be_edited_by_any_button(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))
    text = current(at).section("overview").text
    # The editor, opened before locking: Lock waits for Save or Cancel.
    at.button(key="edit_overview").click().run()
    assert at.button(key="lock_overview").disabled
    at.text_area(key="editor_overview").input("Typed while unlocked.")
    actions.set_locked(current(at), "overview", True)  # locked meanwhile (another tab, a race)
    at.button(key="save_overview").click().run()
    assert current(at).section("overview").text == text
    assert "locked" in " ".join(w.value for w in at.warning)
    assert at.text_area(key="editor_overview").value == "Typed while unlocked."  # kept
    at.button(key="cancel_overview").click().run()
    assert at.button(key="edit_overview").disabled
    assert at.button(key="regenerate_overview").disabled


def test_a_locked_section_takes_no_undo_and_no_register_answer(fake_model):  # noqa: F811
    fake_model["model"] = SectionModel(
        reply=lambda h, p: (
            "The service must be fast.\n\n- Open question: which SMS provider?"
            if h.startswith("## 1.")
            else "Plain text."
        )
    )
    at = draft(new_app(key="sk-test-key"))
    item = _finding(at, "overview", "fast")
    at.button(key=f"apply_{item.id}").click().run()
    for index, value in enumerate(["200", "checkout", "50"]):
        at.text_input(key=f"blank_{item.id}_{index}").input(value)
    at.button(key=f"acceptfix_{item.id}").click().run()
    accepted = current(at).section("overview").text
    assert "≤ 200 ms" in accepted
    at.button(key="lock_overview").click().run()
    at.button(key="undo_button").click().run()
    assert current(at).section("overview").text == accepted
    rows = at.selectbox(key="register_row")
    index = next(i for i, label in enumerate(rows.options) if "which SMS provider?" in label)
    rows.select_index(index).run()
    at.text_area(key="register_answer").input("Twilio.")
    at.button(key="register_save").click().run()
    doc = current(at)
    assert doc.section("overview").text == accepted
    assert not any(r.answer == "Twilio." for r in doc.register)
    assert "locked" in " ".join(w.value for w in at.warning)
