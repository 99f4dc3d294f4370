"""The store under faults: damage, full disk, locks, silent servers, old schemas."""

import json
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, text

from prd_assistant.document import Draft
from prd_assistant.store import DraftStore, EngineSettings, StoreError, schema, sqlite_url
from prd_assistant.store.engine import open_engine
from prd_assistant.store.migrate import HEAD, current_revision
from prd_assistant.template import load_template

FAST = EngineSettings(connect_timeout=2, statement_timeout=0.5, pool_size=2)


def new_draft(name="ParcelPing") -> Draft:
    return Draft.from_template(load_template(), f"{name} sends delivery updates.", name)


def test_a_corrupted_page_is_a_store_error_that_says_what_to_do(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore(sqlite_url(path))
    for n in range(20):
        store.save(new_draft(f"Service{n}"))
    store.engine.dispose()  # checkpoints the WAL into the file
    raw = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page, len(raw), page):
        raw[offset : offset + 100] = b"\xff" * 100
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match=r"damaged.*Move the file aside") as caught:
        DraftStore(sqlite_url(path)).list_drafts()
    assert "sqlalchemy" not in str(caught.value).lower()


def test_a_full_disk_is_a_store_error_and_the_old_state_survives(tmp_path):
    store = DraftStore(sqlite_url(tmp_path / "drafts.sqlite3"))
    draft = new_draft()
    store.save(draft)

    @event.listens_for(store.engine, "connect")
    def _tiny(dbapi_conn, _record):
        # SQLite's page cap gives the same SQLITE_FULL error as a full disk.
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    store.engine.dispose()
    draft.section("overview").set_text("x" * 200_000, "edit")
    with pytest.raises(StoreError, match=r"full.*Free some space"):
        store.save(draft, base_revision=1)
    assert store.load_versioned(draft.id)[1] == 1


def test_a_locked_database_is_a_store_error_after_the_timeout(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore(sqlite_url(path), settings=FAST)
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"busy.*Try again"):
            store.save(new_draft())
        assert time.monotonic() - started < 10
    finally:
        blocker.rollback()
        blocker.close()
    store.save(new_draft())


def test_a_postgres_lock_held_elsewhere_times_out_as_a_store_error(postgres_server):
    url = postgres_server.create_database()
    store = DraftStore(url, settings=FAST)
    draft = new_draft()
    store.save(draft)
    holder = create_engine(url)
    with holder.begin() as conn:
        conn.execute(text("LOCK TABLE drafts IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        with pytest.raises(StoreError, match="busy"):
            store.load(draft.id)
        assert time.monotonic() - started < 10
    holder.dispose()
    assert store.load(draft.id) is not None
    store.engine.dispose()


def test_a_server_that_accepts_and_never_answers_fails_within_the_connect_timeout():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted = []
    stop = threading.Event()

    def accept_and_hold():
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    port = silent.getsockname()[1]
    started = time.monotonic()
    try:
        with pytest.raises(StoreError, match=r"Cannot reach.*PRD_DATABASE_URL"):
            DraftStore(f"postgresql+psycopg://u:secret@127.0.0.1:{port}/db", settings=FAST)
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        silent.close()
    assert time.monotonic() - started < 15
    assert accepted, "the store never connected to the silent server"


def test_the_url_password_never_appears_in_messages():
    with pytest.raises(StoreError) as caught:
        DraftStore("postgresql+nosuchdriver://user:hunter2@127.0.0.1:1/db")
    assert "hunter2" not in str(caught.value)


def test_bad_timeout_settings_are_one_line_errors(monkeypatch):
    monkeypatch.setenv("PRD_DB_CONNECT_TIMEOUT", "soon")
    with pytest.raises(StoreError, match="PRD_DB_CONNECT_TIMEOUT must be a number"):
        EngineSettings.from_env()
    monkeypatch.setenv("PRD_DB_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("PRD_DB_POOL_SIZE", "0")
    with pytest.raises(StoreError, match="PRD_DB_POOL_SIZE"):
        EngineSettings.from_env()
    monkeypatch.setenv("PRD_DB_POOL_SIZE", "4")
    monkeypatch.setenv("PRD_DB_STATEMENT_TIMEOUT", "2.5")
    assert EngineSettings.from_env() == EngineSettings(3.0, 2.5, 4)


def test_postgres_sessions_get_the_timeouts_unless_the_url_sets_them(postgres_server):
    url = postgres_server.create_database()
    engine = open_engine(url, FAST)
    with engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "500ms"
        assert conn.execute(text("SHOW lock_timeout")).scalar() == "500ms"
    engine.dispose()
    own = open_engine(url + "&options=-c%20statement_timeout%3D7s", FAST)
    with own.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "7s"
    own.dispose()


def test_a_damaged_stored_draft_is_a_store_error_not_a_crash(database_url):
    store = DraftStore(database_url)
    draft = new_draft()
    store.save(draft)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE drafts SET data = :data"),
            {"data": json.dumps({"sections": [{"key": None}], "template_text": None})},
        )
    with pytest.raises(StoreError, match=r"damaged.*earlier version"):
        store.load(draft.id)
    assert store.load_version(store.versions(draft.id)[0].id).id == draft.id
    store.engine.dispose()


# The schema as create_all made it before migrations (commit dfc5b92).
SCHEMA_DFC5B92 = """
CREATE TABLE drafts (
    id VARCHAR(64) NOT NULL, title TEXT NOT NULL, created_at FLOAT NOT NULL,
    updated_at FLOAT NOT NULL, data TEXT NOT NULL, meta TEXT NOT NULL, PRIMARY KEY (id)
);
CREATE TABLE draft_versions (
    id SERIAL NOT NULL, draft_id VARCHAR(64) NOT NULL, saved_at FLOAT NOT NULL,
    note TEXT NOT NULL, digest VARCHAR(64) NOT NULL, data TEXT NOT NULL, PRIMARY KEY (id)
);
CREATE INDEX ix_draft_versions_draft_id ON draft_versions (draft_id);
"""


@pytest.mark.parametrize("with_revision", [False, True], ids=["dfc5b92", "1cd7e2a"])
def test_a_database_made_before_migrations_is_upgraded_in_place(database_url, with_revision):
    sql = SCHEMA_DFC5B92
    if database_url.startswith("sqlite"):
        sql = sql.replace("SERIAL", "INTEGER")
    if with_revision:  # what the first compare-and-set commit added with ALTER TABLE
        sql += "ALTER TABLE drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;"
    draft = new_draft()
    old = open_engine(database_url, FAST)
    with old.begin() as conn:
        for statement in filter(str.strip, sql.split(";")):
            conn.execute(text(statement))
        conn.execute(
            text(
                "INSERT INTO drafts (id, title, created_at, updated_at, data, meta) "
                "VALUES (:id, 'Old', 1.0, 2.0, :data, '{}')"
            ),
            {"id": draft.id, "data": json.dumps(draft.to_dict())},
        )
        conn.execute(
            text(
                "INSERT INTO draft_versions (draft_id, saved_at, note, digest, data) "
                "VALUES (:id, 1.0, 'created', 'x', :data)"
            ),
            {"id": draft.id, "data": json.dumps(draft.to_dict())},
        )
    old.dispose()
    store = DraftStore(database_url)
    loaded, revision = store.load_versioned(draft.id)
    assert (loaded.to_dict(), revision) == (draft.to_dict(), 1)
    assert [(v.note, v.saved_by) for v in store.versions(draft.id)] == [("created", "")]
    assert [d.owner for d in store.list_drafts()] == ["local"]
    draft.section("overview").set_text("after the upgrade", "edit")
    assert store.save(draft, base_revision=1) == 2
    with store.engine.connect() as conn:
        assert current_revision(conn) == HEAD
    store.engine.dispose()


def test_migrations_build_exactly_the_schema_the_queries_use(database_url):
    store = DraftStore(database_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    store.engine.dispose()
    assert diff == []


def test_opening_an_upgraded_database_again_changes_nothing(database_url):
    DraftStore(database_url).engine.dispose()
    again = DraftStore(database_url)
    with again.engine.connect() as conn:
        assert current_revision(conn) == HEAD
    again.engine.dispose()


def test_reopening_a_database_at_head_does_not_load_alembic(tmp_path):
    """Every start but the first: the schema check is one query, not an Alembic import."""
    url = f"sqlite:///{tmp_path / 'drafts.sqlite3'}"
    DraftStore(url).engine.dispose()
    probe = (
        "import sys\nfrom prd_assistant.store import DraftStore\n"
        f"DraftStore({url!r}).engine.dispose()\nprint('alembic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"
