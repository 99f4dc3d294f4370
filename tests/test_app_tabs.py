"""A run redrafting a section never writes over the PM's edit of it made in another tab.

The run's text is offered on the section's card instead (Use / Discard). The model is faked
at the model boundary; the page, the drafting engine, the run worker and the store are real.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from prd_assistant.cli import main
from prd_assistant.document import SectionStatus
from prd_assistant.drafting import Drafter
from prd_assistant.ui import actions, redraft_offers, run_worker
from prd_assistant.ui import run as run_module
from prd_assistant.ui.run_worker import RunWorker
from tests.support.fake_models import SectionModel
from tests.test_app import (  # noqa: F401 - fixtures
    TIMEOUT,
    _edit,
    _open_in_new_tab,
    current,
    draft,
    fake_model,
    isolated,
    new_app,
    page_text,
    state_store,
)

PM_TEXT = "Written by the PM in tab B while the model was rewriting it."
REGENERATED = "Regenerated overview: shorter, with a p95 target of 5 s."


def _regenerated(heading: str, prompt: str) -> str:
    return REGENERATED if heading.startswith("## 1.") else f"Body of {heading}."


def _booked(draft_id: str, capsys) -> tuple[int, int]:
    """(model calls, tokens) ``prd usage`` reports for the draft, from the app's database."""
    capsys.readouterr()
    assert main(["usage", "--by", "draft", "--json"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out)["rows"] if r["draft"] == draft_id)
    return row["sections"], row["total_tokens"]


def _when_saved(store, draft_id: str, then: threading.Event) -> None:
    """Sets ``then`` once the PM's edit is in the store (tab B saved it)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if store.load(draft_id).section("overview").text == PM_TEXT:
            break
        time.sleep(0.05)
    then.set()


def _regenerate_while_edited_elsewhere(first, store, doc_id: str, fake_model) -> None:  # noqa: F811
    """Tab A regenerates the overview ("shorter") while the PM's edit of it is saved in
    another tab, as it lands in the store once the model has started writing."""

    def reply(heading: str, prompt: str) -> str:
        if heading.startswith("## 1."):  # the other tab's save, as it lands in the store
            edited, revision = store.load_versioned(doc_id)
            actions.edit(edited, "overview", PM_TEXT)
            store.save(edited, "edit: Overview", base_revision=revision)
        return _regenerated(heading, prompt)

    fake_model["model"] = SectionModel(reply=reply)
    first.text_input(key="instruction_overview").input("shorter")
    first.button(key="regenerate_overview").click().run()


@pytest.mark.parametrize("choice", ["use", "discard"])
def test_a_run_picked_up_by_the_tab_that_edited_its_section_offers_its_text(
    fake_model,  # noqa: F811
    monkeypatch,
    capsys,
    choice,
):
    """Tab A asked to regenerate the overview and went away. Tab B had the overview's editor
    open, and the PM saves an edit there while the model writes. Tab B then picks the run up
    (as a refreshed or other tab does): the PM's text stays, the regenerated one is offered."""
    monkeypatch.setattr(run_module, "TAKE_OVER_IDLE", 0.0)  # tab A is gone: no wait for it
    first = draft(new_app(key="sk-test-key"))
    doc_id = current(first).id
    second = _open_in_new_tab(doc_id)
    second.button(key="edit_overview").click().run()

    store = state_store()
    written = threading.Event()

    def reply(heading: str, prompt: str) -> str:
        if heading.startswith("## 1."):
            written.wait(timeout=TIMEOUT)
        return _regenerated(heading, prompt)

    # What tab A's "Regenerate" started (ui.run._start_worker) before its tab was closed.
    spec = {"keys": ["overview"], "instruction": "shorter", "source": "regenerate"}
    stored = store.load(doc_id)
    drafter = Drafter(stored.template(), SectionModel(reply=reply), model_name="gpt-4o-mini")
    RunWorker(
        drafter,
        stored,
        {**spec, "started": time.time()},
        save_orphan=lambda w: run_module.save_unread_run(store, w),
    )
    threading.Thread(target=_when_saved, args=(store, doc_id, written), daemon=True).start()
    second.text_area(key="editor_overview").input(PM_TEXT)
    second.button(key="save_overview").click().run()

    assert not second.exception
    overview = current(second).section("overview")
    assert (overview.text, overview.status) == (PM_TEXT, SectionStatus.DONE)
    assert store.load(doc_id).section("overview").text == PM_TEXT
    assert "changed elsewhere" in page_text(second)
    assert REGENERATED in "".join(h.proto.body for h in second.get("html"))

    offered = redraft_offers.pending(store.load_meta(doc_id))["overview"].usage
    second.button(key=f"redraft_{choice}_overview").click().run()
    kept = REGENERATED if choice == "use" else PM_TEXT
    assert current(second).section("overview").text == kept
    assert store.load(doc_id).section("overview").text == kept
    assert not any(b.key == "redraft_use_overview" for b in second.button)
    reopened = _open_in_new_tab(doc_id)
    assert not any(b.key == "redraft_use_overview" for b in reopened.button)
    # The regeneration's tokens were spent whichever text the PM kept: booked once, either way.
    drafted = current(first).sections
    expected = sum(s.usage.total_tokens for s in drafted) + offered.total_tokens
    assert offered.total_tokens and _booked(doc_id, capsys) == (len(drafted) + 1, expected)


def test_a_tab_reading_a_regeneration_asks_before_writing_over_an_edit_made_elsewhere(
    fake_model,  # noqa: F811
    capsys,
):
    """Tab A reads its own regeneration of the overview; the PM saves an edit of the overview
    in another tab while the model writes. Tab A's save is refused and it asks (reload / keep
    mine / merge); Merge keeps the PM's text and offers the regenerated one."""
    first = draft(new_app(key="sk-test-key"))
    doc_id = current(first).id
    store = state_store()

    _regenerate_while_edited_elsewhere(first, store, doc_id, fake_model)

    assert any("Changed elsewhere" in e.value for e in first.error)
    assert store.load(doc_id).section("overview").text == PM_TEXT
    first.button(key="conflict_merge").click().run()
    assert current(first).section("overview").text == PM_TEXT
    assert store.load(doc_id).section("overview").text == PM_TEXT
    assert first.button(key="redraft_use_overview")
    first.button(key="redraft_use_overview").click().run()
    assert store.load(doc_id).section("overview").text == REGENERATED
    # Booked once: when Merge saved the offer, not again when it was used.
    assert _booked(doc_id, capsys)[0] == len(current(first).sections) + 1


def _offer_saved_by_tab_a(first, store, doc_id: str, fake_model) -> None:  # noqa: F811
    """Tab A regenerates the overview while an edit of it lands elsewhere; Merge keeps that
    edit and saves the regenerated text as an offer."""
    _regenerate_while_edited_elsewhere(first, store, doc_id, fake_model)
    first.button(key="conflict_merge").click().run()
    assert redraft_offers.pending(store.load_meta(doc_id))["overview"].text == REGENERATED


@pytest.mark.parametrize("choice", ["keep", "merge"])
def test_resolving_a_conflict_keeps_the_offer_another_tab_saved(fake_model, choice):  # noqa: F811
    """Tab B was opened before tab A's run saved an offer on the overview. B edits another
    section, its save is refused, and the PM keeps B's version (or merges): B's text is saved,
    and A's offer is still pending, on B's page and in the store."""
    first = draft(new_app(key="sk-test-key"))
    doc_id = current(first).id
    second = _open_in_new_tab(doc_id)
    store = state_store()
    _offer_saved_by_tab_a(first, store, doc_id, fake_model)

    _edit(second, "problem-statement", "Saved in tab B.")
    assert any("Changed elsewhere" in e.value for e in second.error)
    second.button(key=f"conflict_{choice}").click().run()

    assert not second.exception
    assert store.load(doc_id).section("problem-statement").text == "Saved in tab B."
    assert redraft_offers.pending(store.load_meta(doc_id))["overview"].text == REGENERATED
    assert second.button(key="redraft_use_overview")


@pytest.mark.parametrize("choice", ["keep", "merge"])
def test_an_offer_discarded_here_stays_discarded_after_a_conflict(fake_model, choice):  # noqa: F811
    """The other direction: tab B discards an offer, but its save meets a change made in tab A.
    Keep mine (or merge) saves B's choice: the offer stays discarded, while A's change to the
    draft's other UI state (a dismissed finding) is kept."""
    first = draft(new_app(key="sk-test-key"))
    doc_id = current(first).id
    store = state_store()
    _offer_saved_by_tab_a(first, store, doc_id, fake_model)
    second = _open_in_new_tab(doc_id)
    meta, revision = store.load_meta(doc_id), store.load_versioned(doc_id)[1]
    store.save(
        store.load(doc_id), meta={**meta, "dismissed": ["from-tab-a"]}, base_revision=revision
    )

    second.button(key="redraft_discard_overview").click().run()
    assert any("Changed elsewhere" in e.value for e in second.error)
    second.button(key=f"conflict_{choice}").click().run()

    stored = store.load_meta(doc_id)
    assert "overview" not in redraft_offers.pending(stored)
    assert "from-tab-a" in stored["dismissed"]
    assert not any(b.key == "redraft_use_overview" for b in second.button)


def test_a_section_locked_while_its_run_went_on_keeps_its_text_and_is_offered_the_run(
    fake_model,  # noqa: F811
    monkeypatch,
    capsys,
):
    """Tab A's regeneration of the overview runs when the overview is locked elsewhere, and
    tab A has gone away, so the run saves itself. The locked text stays; what the run wrote is
    offered (to use once unlocked) and its tokens are booked, as they were spent."""
    monkeypatch.setattr(run_worker, "ORPHAN_GRACE", 0.0)  # no page will come for the run
    first = draft(new_app(key="sk-test-key"))
    doc_id = current(first).id
    store = state_store()
    before = store.load(doc_id).section("overview").text

    def reply(heading: str, prompt: str) -> str:
        if heading.startswith("## 1."):  # the lock, saved elsewhere while the model writes
            locked, revision = store.load_versioned(doc_id)
            actions.set_locked(locked, "overview", True)
            store.save(locked, "lock: Overview", base_revision=revision)
        return _regenerated(heading, prompt)

    spec = {"keys": ["overview"], "instruction": "shorter", "source": "regenerate"}
    stored = store.load(doc_id)
    drafter = Drafter(stored.template(), SectionModel(reply=reply), model_name="gpt-4o-mini")
    worker = RunWorker(
        drafter,
        stored,
        {**spec, "started": time.time()},
        save_orphan=lambda w: run_module.save_unread_run(store, w),
    )
    assert worker.wait_settled(timeout=TIMEOUT) and worker.persisted

    overview = store.load(doc_id).section("overview")
    assert overview.locked and overview.text == before
    assert redraft_offers.pending(store.load_meta(doc_id))["overview"].text == REGENERATED
    assert _booked(doc_id, capsys)[0] == len(stored.sections) + 1
    reopened = _open_in_new_tab(doc_id)
    assert reopened.button(key="redraft_use_overview").disabled  # unlock it first


def test_reload_after_a_conflict_offers_what_this_tabs_run_wrote(fake_model, capsys):  # noqa: F811
    """Tab A's regeneration of the overview meets an edit saved elsewhere, and the PM picks
    Reload: the saved draft comes back, and the regenerated text, paid for and never saved, is
    offered on the overview instead of being dropped (its tokens are booked)."""
    first = draft(new_app(key="sk-test-key"))
    doc_id = current(first).id
    store = state_store()

    _regenerate_while_edited_elsewhere(first, store, doc_id, fake_model)
    assert any("Changed elsewhere" in e.value for e in first.error)
    first.button(key="conflict_reload").click().run()

    assert current(first).section("overview").text == PM_TEXT
    assert store.load(doc_id).section("overview").text == PM_TEXT
    assert redraft_offers.pending(store.load_meta(doc_id))["overview"].text == REGENERATED
    assert first.button(key="redraft_use_overview")
    assert _booked(doc_id, capsys)[0] == len(current(first).sections) + 1
