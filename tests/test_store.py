import multiprocessing
import sqlite3
import threading

import pytest

from prd_assistant import store as store_module
from prd_assistant.document import Draft, SectionStatus
from prd_assistant.store import ConflictError, DraftStore, StoreError
from prd_assistant.template import load_template


def new_draft(name="ParcelPing") -> Draft:
    return Draft.from_template(load_template(), f"{name} sends delivery updates.", name)


@pytest.fixture
def store(database_url):
    """A store on a fresh database, on SQLite and on PostgreSQL."""
    opened = DraftStore(database_url)
    yield opened
    opened.engine.dispose()


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
    assert store.save(draft, "created") == 1
    assert store.save(draft, "nothing changed") == 1
    draft.section("overview").set_text("v2", "edit")
    assert store.save(draft, "edit: Overview") == 2
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
    monkeypatch.setattr(store, "max_versions", 3)
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


# --- compare-and-set: every save can say which revision it was based on ----------------------


def test_save_returns_the_revision_that_load_versioned_reports(store):
    draft = new_draft()
    assert store.load_versioned(draft.id) is None
    assert store.save(draft) == 1
    loaded, revision = store.load_versioned(draft.id)
    assert (loaded.to_dict(), revision) == (draft.to_dict(), 1)
    draft.section("overview").set_text("second", "edit")
    assert store.save(draft, base_revision=1) == 2
    assert store.load_versioned(draft.id)[1] == 2


def test_a_save_based_on_a_stale_revision_is_refused_and_writes_nothing(store):
    draft = new_draft()
    store.save(draft)
    tab_a, base_a = store.load_versioned(draft.id)
    tab_b, base_b = store.load_versioned(draft.id)
    tab_a.section("overview").set_text("from tab A", "edit")
    assert store.save(tab_a, "A", base_revision=base_a) == 2
    tab_b.section("overview").set_text("from tab B", "edit")
    with pytest.raises(ConflictError) as caught:
        store.save(tab_b, "B", meta={"dismissed": ["x"]}, base_revision=base_b)
    assert caught.value.current_revision == 2
    assert "changed elsewhere" in str(caught.value)
    assert isinstance(caught.value, StoreError)
    kept, revision = store.load_versioned(draft.id)
    assert (kept.section("overview").text, revision) == ("from tab A", 2)
    assert store.load_meta(draft.id) == {}
    assert [v.note for v in store.versions(draft.id)] == ["A", ""]
    # Told, tab B reloads and saves on top of A's change.
    assert store.save(tab_b, "B", base_revision=caught.value.current_revision) == 3


def test_saving_what_is_already_stored_keeps_other_tabs_current(store):
    draft = new_draft()
    store.save(draft, meta={"dismissed": []})
    opened_elsewhere, base = store.load_versioned(draft.id)
    # Opening a draft saves it unchanged; that must not make the first tab's base stale.
    assert store.save(opened_elsewhere, meta={"dismissed": []}, base_revision=base) == base
    draft.section("overview").set_text("edit", "edit")
    assert store.save(draft, base_revision=base) == base + 1


def test_meta_changes_are_changes(store):
    draft = new_draft()
    store.save(draft, meta={"dismissed": []})
    assert store.save(draft, meta={"dismissed": ["f1"]}, base_revision=1) == 2
    with pytest.raises(ConflictError):
        store.save(draft, meta={"dismissed": ["f2"]}, base_revision=1)
    assert store.load_meta(draft.id) == {"dismissed": ["f1"]}


def test_a_streaming_save_without_version_is_versioned_by_the_final_save(store):
    draft = new_draft()
    store.save(draft, "created")
    draft.section("overview").set_text("streamed", "draft")
    store.save(draft, "streaming", version=False)
    assert store.save(draft, "drafted Overview") == 2
    assert [v.note for v in store.versions(draft.id)] == ["drafted Overview", "created"]


def test_base_zero_means_new_and_a_deleted_draft_is_a_conflict(store):
    draft = new_draft()
    assert store.save(draft, base_revision=0) == 1
    copy = Draft.from_dict(draft.to_dict())
    copy.section("overview").set_text("other", "edit")
    with pytest.raises(ConflictError) as exists:
        store.save(copy, base_revision=0)
    assert exists.value.current_revision == 1
    store.delete(draft.id)
    with pytest.raises(ConflictError, match="deleted") as deleted:
        store.save(copy, base_revision=1)
    assert deleted.value.current_revision == 0
    assert store.load(draft.id) is None


def test_racing_first_saves_of_one_new_draft_never_raise(store):
    draft = new_draft()
    stores = [DraftStore(store.url) for _ in range(4)]
    barrier = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def first_save(target: DraftStore, n: int) -> None:
        mine = Draft.from_dict(draft.to_dict())
        mine.section("overview").set_text(f"writer {n}", "edit")
        barrier.wait()
        try:
            target.save(mine, f"writer {n}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_save, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.load_versioned(draft.id)[1] == len(stores)
    assert len(store.versions(draft.id)) == len(stores)


def _edit_loop(url: str, draft_id: str, writer: str, rounds: int, out) -> None:
    target = DraftStore(url)
    saved = refused = 0
    for n in range(rounds):
        current, base = target.load_versioned(draft_id)
        current.section("overview").set_text(f"{current.section('overview').text}|{writer}{n}", "x")
        try:
            target.save(current, f"{writer}{n}", base_revision=base)
            saved += 1
        except ConflictError:
            refused += 1
    out.put((writer, saved, refused))


def test_compare_and_set_holds_across_processes(store):
    draft = new_draft()
    store.save(draft)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    rounds = 40
    workers = [
        context.Process(target=_edit_loop, args=(store.url, draft.id, name, rounds, out))
        for name in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    assert all(worker.exitcode == 0 for worker in workers)
    saved = sum(r[1] for r in results)
    assert saved + sum(r[2] for r in results) == rounds * len(workers)
    final, revision = store.load_versioned(draft.id)
    # Every accepted save is in the text: none overwrote another.
    tokens = [t for t in final.section("overview").text.split("|") if t]
    assert revision == 1 + saved
    assert len(tokens) == saved


def test_a_section_error_saved_before_redaction_is_redacted_whenever_it_is_loaded(store):
    """Drafts saved before errors were redacted as they were made may hold a key or a URL
    with its password in a section's error: loading (the draft, a version, a JSON file)
    cleans it, in a new process where neither secret was ever remembered."""
    import json

    from prd_assistant import redaction

    key, password = "sk-saved-before-fix-0123456789", "pw-unremembered-4711"
    raw = f"Cannot reach http://bob:{password}@models.internal/v1 with key {key}"
    draft = new_draft()
    draft.section("overview").status = SectionStatus.FAILED
    draft.section("overview").error = raw  # as the old code saved it: not redacted
    draft.base_url = f"http://bob:{password}@models.internal/v1"
    store.save(draft)
    assert redaction.redact(password) == password  # never remembered: as in a new process
    loaded = [
        DraftStore(store.url).load(draft.id),
        store.load_version(store.versions(draft.id)[0].id),
        Draft.from_dict(json.loads(json.dumps(draft.to_dict()))),
    ]
    for copy in loaded:
        error = copy.section("overview").error
        assert error == "Cannot reach http://***@models.internal/v1 with key [key hidden]"
        assert copy.base_url == "http://models.internal/v1"
        assert key not in copy.to_markdown() and password not in json.dumps(copy.to_dict())
