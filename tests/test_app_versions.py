"""Locked sections and the version history of a draft, driven headless with ``AppTest``.

A locked section's text changes through no path (editor, suggestion, register, undo, revert,
a run). The model is faked at the model factory, as in ``test_app``.
"""

from __future__ import annotations

import json

from prd_assistant.ui import actions, review_pane
from tests.support.fake_models import SectionModel
from tests.test_app import (  # noqa: F401 - fixtures
    current,
    draft,
    fake_model,
    isolated,
    new_app,
    state_store,
)


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


def test_revert_brings_back_the_text_with_its_own_tokens_and_time(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))
    first = current(at).section("overview")
    first_text, first_usage, first_seconds = first.text, first.usage, first.seconds
    fake_model["model"] = SectionModel(reply=lambda h, p: "A much longer overview. " * 40)
    at.button(key="regenerate_overview").click().run()
    assert current(at).section("overview").usage != first_usage
    at.toggle(key="versions_overview").set_value(True).run()
    assert at.toggle(key="versions_overview").label.startswith("Versions (2) ")
    at.button(key="revert_overview").click().run()
    section = current(at).section("overview")
    assert section.text == first_text
    assert (section.usage, section.seconds) == (first_usage, first_seconds)
    caption = f"{first_usage.total_tokens:,} tokens"
    assert any(caption in c.value and "✏️" not in c.value for c in at.caption)
    # Reverting is one more version of the draft, and the section's history shows it.
    at.toggle(key="versions_overview").set_value(True).run()
    assert at.toggle(key="versions_overview").label.startswith("Versions (3) ")


def test_an_old_version_is_previewed_and_opened_only_after_confirming(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))
    drafted = current(at).section("overview").text
    at.button(key="edit_overview").click().run()
    at.text_area(key="editor_overview").input("Edited overview.")
    at.button(key="save_overview").click().run()
    assert len(at.selectbox(key="history_version").options) == 2
    # Every version has text: the first one is the drafted draft, not an empty shell.
    store = state_store()
    saved = [v.id for v in store.versions(current(at).id)]
    for version_id in saved:
        assert any(s.text.strip() for s in store.load_version(version_id).sections)
    at.selectbox(key="history_version").set_value(saved[1]).run()
    at.button(key="preview_version").click().run()
    pane = " ".join(m.value for m in at.markdown) + " ".join(e.label for e in at.expander)
    assert "Preview: the version of" in pane and "Overview: then · now" in pane
    assert current(at).section("overview").text == "Edited overview."  # nothing replaced yet
    at.button(key="open_version").click().run()
    assert any("Replace the current draft" in w.value for w in at.warning)
    at.button(key="cancel_open_version").click().run()
    assert current(at).section("overview").text == "Edited overview."
    at.button(key="preview_version").click().run()
    at.button(key="open_version").click().run()
    at.button(key="confirm_open_version").click().run()
    assert current(at).section("overview").text == drafted
    assert len(at.selectbox(key="history_version").options) == 3  # the edit is still there


def test_opening_an_old_version_leaves_a_locked_section_as_it_is(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))
    for key, text in (("overview", "Edited overview."), ("problem-statement", "Edited problem.")):
        at.button(key=f"edit_{key}").click().run()
        at.text_area(key=f"editor_{key}").input(text)
        at.button(key=f"save_{key}").click().run()
    at.button(key="lock_overview").click().run()
    saved = [v.id for v in state_store().versions(current(at).id)]
    at.selectbox(key="history_version").set_value(saved[-1]).run()  # the drafted one
    at.button(key="preview_version").click().run()
    assert any("Locked, so kept as they are now: Overview" in c.value for c in at.caption)
    at.button(key="open_version").click().run()
    at.button(key="confirm_open_version").click().run()
    doc = current(at)
    assert doc.section("overview").text == "Edited overview." and doc.section("overview").locked
    assert doc.section("problem-statement").text.startswith("Body of 2. Problem Statement")


def test_an_old_json_export_imports_with_its_section_versions(fake_model):  # noqa: F811
    at = draft(new_app(key="sk-test-key"))
    data = current(at).to_dict()
    overview = data["sections"][0]
    overview["versions"] = [
        {"text": "The first overview.", "source": "draft", "created_at": 100.0, "note": ""},
        {"text": overview["text"], "source": "edit", "created_at": 200.0, "note": ""},
    ]
    del overview["source"]
    data["id"] = "0" * 32
    fresh = new_app()
    importer = next(u for u in fresh.get("file_uploader") if u.proto.id.endswith("import_json"))
    importer.set_value(("old.json", json.dumps(data).encode(), "application/json"))
    fresh.run()
    fresh.button(key="import_button").click().run()
    assert not fresh.exception
    assert current(fresh).section("overview").source == "edit"
    fresh.toggle(key="versions_overview").set_value(True).run()
    labels = fresh.selectbox(key="version_overview").options
    assert any("draft: Overview (earlier version)" in label for label in labels)
