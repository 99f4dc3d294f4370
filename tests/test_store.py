import sqlite3

import pytest

from prd_assistant import store as store_module
from prd_assistant.document import Draft, SectionStatus
from prd_assistant.store import DraftStore, StoreError
from prd_assistant.template import load_template


def new_draft(name="ParcelPing") -> Draft:
    return Draft.from_template(load_template(), f"{name} sends delivery updates.", name)


@pytest.fixture
def store(tmp_path):
    return DraftStore(store_module.sqlite_url(tmp_path / "sub" / "drafts.sqlite3"))


def test_saved_draft_loads_back_identical_in_a_new_store(tmp_path, store):
    draft = new_draft()
    draft.section("overview").set_text("Overview text", "draft")
    draft.section("overview").status = SectionStatus.DONE
    store.save(draft, meta={"dismissed": ["abc"]})
    reopened = DraftStore(store.url)
    assert reopened.load(draft.id).to_dict() == draft.to_dict()
    assert reopened.load_meta(draft.id) == {"dismissed": ["abc"]}
    assert reopened.load("missing") is None


def test_every_change_is_a_version_and_unchanged_saves_are_not(store):
    draft = new_draft()
    assert store.save(draft, "created")
    assert not store.save(draft, "nothing changed")
    draft.section("overview").set_text("v2", "edit")
    assert store.save(draft, "edit: Overview")
    versions = store.versions(draft.id)
    assert [v.note for v in versions] == ["edit: Overview", "created"]
    assert store.load_version(versions[-1].id).section("overview").text == ""
    assert store.load_version(versions[0].id).section("overview").text == "v2"
    with pytest.raises(KeyError):
        store.load_version(999_999)


def test_history_lists_newest_first_with_version_counts(store):
    first, second = new_draft("Alpha"), new_draft("Beta")
    store.save(first)
    store.save(second)
    first.section("overview").set_text("changed", "edit")
    store.save(first)
    listed = store.list_drafts()
    assert [d.title.split()[0] for d in listed] == ["Alpha", "Beta"]
    assert [d.versions for d in listed] == [2, 1]
    store.delete(first.id)
    assert [d.id for d in store.list_drafts()] == [second.id]
    assert store.versions(first.id) == []


def test_versions_are_capped_keeping_the_newest(store, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_VERSIONS_PER_DRAFT", 3)
    draft = new_draft()
    for n in range(6):
        draft.section("overview").set_text(f"v{n}", "edit")
        store.save(draft, f"v{n}")
    assert [v.note for v in store.versions(draft.id)] == ["v5", "v4", "v3"]


def test_location_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("PRD_DATABASE_URL", raising=False)
    monkeypatch.setenv("PRD_DB_PATH", str(tmp_path / "x.sqlite3"))
    assert store_module.default_url() == f"sqlite:///{tmp_path / 'x.sqlite3'}"
    monkeypatch.setenv("PRD_DATABASE_URL", "sqlite:///" + str(tmp_path / "y.db"))
    DraftStore().save(new_draft())
    assert sqlite3.connect(tmp_path / "y.db").execute("select count(*) from drafts").fetchone() == (
        1,
    )
    monkeypatch.delenv("PRD_DATABASE_URL")
    monkeypatch.delenv("PRD_DB_PATH")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert store_module.default_url().endswith("/xdg/prd-assistant/drafts.sqlite3")


def test_an_unwritable_location_fails_with_a_clear_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="PRD_DB_PATH"):
        DraftStore(store_module.sqlite_url(blocker / "drafts.sqlite3"))
