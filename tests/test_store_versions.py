"""One version model: a section's history is a view of its draft's saved versions, and the
per-section version lists of older drafts (stored or exported) become draft versions."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from prd_assistant.document import Draft, SectionStatus, Usage, legacy_section_versions
from prd_assistant.store import DraftStore
from prd_assistant.template import load_template


def new_draft() -> Draft:
    return Draft.from_template(load_template(), "ParcelPing sends delivery updates.", "ParcelPing")


@pytest.fixture
def store(database_url):
    opened = DraftStore(database_url)
    yield opened
    opened.engine.dispose()


def _write(draft: Draft, key: str, body: str, tokens: int, seconds: float) -> None:
    section = draft.section(key)
    section.set_text(body, "draft")
    section.status = SectionStatus.DONE
    section.usage, section.seconds = Usage(tokens, 10, exact=True), seconds


def test_a_section_history_is_the_draft_versions_where_its_text_changed(store):
    draft = new_draft()
    store.save(draft, "created", version=False)
    _write(draft, "overview", "First overview.", 100, 1.5)
    _write(draft, "problem-statement", "The problem.", 80, 2.0)
    store.save(draft, "draft: 19 sections")
    _write(draft, "overview", "Second overview.", 200, 3.5)
    store.save(draft, "regenerate: Overview")
    draft.section("problem-statement").locked = True
    store.save(draft, "lock: Problem Statement")
    history = store.section_history(draft.id)
    overview = history["overview"]
    assert [r.section.text for r in overview] == ["First overview.", "Second overview."]
    assert [r.note for r in overview] == ["draft: 19 sections", "regenerate: Overview"]
    # Each entry is the section as that version saved it: its caption comes with it.
    assert (overview[0].section.usage.prompt_tokens, overview[0].section.seconds) == (100, 1.5)
    assert [r.section.text for r in history["problem-statement"]] == ["The problem."]
    assert "goals-non-goals" not in history or history["goals-non-goals"] == []
    assert all(r.saved_by == "local" for r in overview)


def _legacy(draft: Draft) -> dict:
    """``draft`` as an app from before one version model saved it: per-section versions."""
    data = draft.to_dict()
    overview, problem = data["sections"][0], data["sections"][1]
    overview["versions"] = [
        {"text": "Old overview.", "source": "draft", "created_at": 100.0, "note": ""},
        {"text": "Edited overview.", "source": "edit", "created_at": 300.0, "note": ""},
    ]
    problem["versions"] = [
        {"text": "Old problem.", "source": "draft", "created_at": 101.0, "note": ""}
    ]
    overview["text"], problem["text"] = "Edited overview.", "Old problem."
    for section in (overview, problem):
        del section["source"]
    return data


def test_old_per_section_versions_replay_as_draft_states():
    data = _legacy(new_draft())
    states = legacy_section_versions(data)
    assert [(when, note) for when, note, _ in states] == [
        (101.0, "draft: 2 sections (earlier version)"),
        (300.0, "edit: Overview (earlier version)"),
    ]
    first = Draft.from_dict(states[0][2])
    assert (first.section("overview").text, first.section("problem-statement").text) == (
        "Old overview.",
        "Old problem.",
    )
    # The JSON of an older export still imports; the text's origin comes from its versions.
    old = Draft.from_dict(data)
    assert old.section("overview").source == "edit"
    assert "versions" not in json.dumps(old.to_dict())


def test_a_stored_draft_with_per_section_versions_is_migrated(database_url):
    store = DraftStore(database_url)
    draft = new_draft()
    store.save(draft, "created")
    legacy = json.dumps(_legacy(draft))
    # The database as the app before one version model left it: at migration 0003, with only
    # the latest state among the draft's own versions.
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE drafts SET data = :data"), {"data": legacy})
        conn.execute(
            text("UPDATE draft_versions SET data = :data, note = 'edit'"), {"data": legacy}
        )
        conn.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    store.engine.dispose()
    upgraded = DraftStore(database_url)
    history = upgraded.section_history(draft.id)
    assert [r.section.text for r in history["overview"]] == ["Old overview.", "Edited overview."]
    assert [v.note for v in upgraded.versions(draft.id)] == [
        "edit",
        "draft: 2 sections (earlier version)",
    ]
    assert upgraded.load(draft.id).section("overview").source == "edit"
    upgraded.engine.dispose()
    again = DraftStore(database_url)  # at the newest migration: nothing is added twice
    assert len(again.versions(draft.id)) == 2
    again.engine.dispose()


def test_an_old_export_brings_its_section_versions_into_the_history(store):
    data = _legacy(new_draft())
    draft = Draft.from_dict(data)
    store.save(draft, "imported from JSON")
    states = legacy_section_versions(data)
    assert store.add_history(draft.id, states) == 1  # the newest state is the draft itself
    assert store.add_history(draft.id, states) == 0
    history = store.section_history(draft.id)
    assert [r.section.text for r in history["overview"]] == ["Old overview.", "Edited overview."]
