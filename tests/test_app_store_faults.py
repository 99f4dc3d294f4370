"""The page when its database fails: a damaged file or a full disk never costs the PM the form,
the draft or the news that it was not saved (AppTest, a real SQLite file, a faked model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from prd_assistant.document import Draft, SectionStatus
from prd_assistant.store import DraftStore, sqlite_url
from prd_assistant.template import load_template
from prd_assistant.ui import state
from tests.test_app import (
    APP,
    TIMEOUT,
    current,
    draft,
    fake_model,
    isolated,
    new_app,
    page_text,
)

__all__ = ["fake_model", "isolated"]  # the fixtures


def _damage(path: Path, from_page: float = 0.0) -> None:
    """Overwrites the start of every page from ``from_page`` (a share of the file) on, as torn
    writes or bad sectors do; the first page always survives."""
    store = DraftStore(sqlite_url(path))
    for n in range(20):
        store.save(Draft.from_template(load_template(), f"Service{n} sends updates.", f"S{n}"))
    store.engine.dispose()  # checkpoints the WAL into the file
    raw = bytearray(path.read_bytes())
    first = max(1, int(len(raw) // 4096 * from_page))
    for offset in range(4096 * first, len(raw), 4096):
        raw[offset : offset + 100] = b"\xff" * 100
    path.write_bytes(bytes(raw))


def test_a_damaged_database_leaves_the_form_and_drafting_with_a_warning(fake_model, isolated):
    _damage(isolated / "drafts.sqlite3")
    state._open_store.clear()
    at = new_app(key="sk-test-key")
    assert not at.exception
    assert at.text_area(key="description") is not None  # the form is there
    # One warning, though the history, sharing and save parts each ask for the store.
    [warning] = [w.value for w in at.warning]
    assert "damaged" in warning and warning.endswith("set PRD_DB_PATH to another file.")
    draft(at)
    assert not at.exception
    assert len(at.warning) == 1
    assert all(s.status is SectionStatus.DONE for s in current(at).sections)
    assert "Traceback" not in page_text(at)
    # Nothing could be saved: the draft is offered as a download instead.
    assert any("Could not save the draft" in e.value for e in at.error)
    assert _download_offered(at)


def test_damaged_history_is_a_warning_that_says_what_to_do_not_a_class_name(fake_model, isolated):
    _damage(isolated / "drafts.sqlite3", from_page=0.5)  # opens, but the drafts cannot be listed
    state._open_store.clear()
    at = new_app(key="sk-test-key")
    assert not at.exception
    [warning] = [w.value for w in at.warning if w.value.startswith("History is unavailable")]
    assert "damaged" in warning and "Move the file aside" in warning
    assert "Error" not in warning  # no StoreError / OperationalError
    draft(at)
    assert all(s.status is SectionStatus.DONE for s in current(at).sections)


def _download_offered(at) -> bool:
    return any("download_unsaved" in (b.proto.id or "") for b in at.get("download_button"))


@pytest.fixture
def disk(isolated):
    """Makes the app's SQLite file unable to grow (SQLITE_FULL, as on a full disk) while on."""
    full = {"on": False}

    def cap(dbapi_conn, _record):
        if full["on"]:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    event.listen(Engine, "connect", cap)
    try:
        yield full
    finally:
        event.remove(Engine, "connect", cap)
        state._open_store.clear()


def test_a_failed_save_stays_on_the_page_with_a_download_until_a_save_works(
    fake_model, disk, isolated
):
    at = new_app(key="sk-test-key")  # the database exists, empty
    disk["on"] = True
    state._open_store.clear()  # new connections: the cap applies
    draft(at)
    assert not at.exception
    assert all(s.status is SectionStatus.DONE for s in current(at).sections)
    # The drafting run ends with a rerun; the warning must survive it, with a way out.
    assert any("Could not save the draft" in e.value for e in at.error)
    assert _download_offered(at)
    at.run()  # and survive any later rerun while the disk is still full
    assert any("Could not save the draft" in e.value for e in at.error)
    disk["on"] = False
    state._open_store.clear()
    # The next change saves again, and the warning goes with it.
    at.button(key="edit_overview").click().run()
    at.text_area(key="editor_overview").input("ParcelPing tells shoppers where parcels are.")
    at.button(key="save_overview").click().run()
    assert not any("Could not save the draft" in e.value for e in at.error)
    stored = DraftStore(sqlite_url(isolated / "drafts.sqlite3")).load(current(at).id)
    assert stored is not None and "where parcels are" in stored.section("overview").text


def test_a_link_to_a_damaged_stored_draft_opens_the_page_with_a_warning(fake_model, isolated):
    store = DraftStore(sqlite_url(isolated / "drafts.sqlite3"))
    stored = Draft.from_template(load_template(), "ParcelPing sends delivery updates.", "P")
    store.save(stored)
    with store.engine.begin() as conn:  # a null section key and no template: unreadable
        conn.execute(
            text("UPDATE drafts SET data = :data"),
            {"data": json.dumps({"sections": [{"key": None}], "template_text": None})},
        )
    store.engine.dispose()
    state._open_store.clear()
    for _ in range(2):  # the link is opened again: it must not crash on every load
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state["clarify_enabled"] = False
        at.query_params["draft"] = stored.id
        at.run()
        assert not at.exception
        warning = " ".join(w.value for w in at.warning)
        assert "could not be opened" in warning and "damaged" in warning
        assert at.text_area(key="description") is not None
