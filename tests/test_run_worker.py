"""Drafting runs outlive their page: a finished run nobody reads is saved, then released.

The run is real (the drafting engine with a fake chat model at the model boundary) and so is
the store (SQLite in a temporary folder); only the page is missing, which is the point.
"""

from __future__ import annotations

import time

import pytest

from prd_assistant import drafting
from prd_assistant.document import Draft, SectionStatus
from prd_assistant.drafting import Drafter
from prd_assistant.store import DraftStore
from prd_assistant.template import load_template
from prd_assistant.ui import actions, redraft_offers, run, run_worker
from prd_assistant.ui.run_worker import RunWorker
from tests.support.fake_models import SectionModel

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS and email "
    "updates to shoppers when a parcel ships, up to 2,000 notifications per minute at peak."
)


@pytest.fixture
def store(tmp_path):
    opened = DraftStore(f"sqlite:///{tmp_path / 'drafts.sqlite3'}")
    yield opened
    opened.engine.dispose()


@pytest.fixture(autouse=True)
def short_grace(monkeypatch):
    monkeypatch.setattr(run_worker, "ORPHAN_GRACE", 0.1)


def stored_draft(store: DraftStore) -> Draft:
    draft = Draft.from_template(load_template(), DESCRIPTION, "ParcelPing")
    store.save(draft, "created", base_revision=0)
    return draft


def start(store: DraftStore, draft: Draft, model: SectionModel, saves: list) -> RunWorker:
    """A run of every section whose orphan saver writes into ``store`` (and counts calls)."""

    def save(worker: RunWorker) -> bool:
        saves.append(worker)
        return run.save_unread_run(store, worker)

    keys = [s.key for s in draft.sections]
    spec = {"keys": keys, "instruction": "", "source": "draft", "started": 0.0}
    drafter = Drafter(draft.template(), model, model_name="test-model")
    return RunWorker(drafter, draft, spec, save_orphan=save)


def finished(worker: RunWorker) -> None:
    with worker._changed:
        assert worker._changed.wait_for(lambda: worker.finished, timeout=60)


def test_a_finished_run_no_page_reads_is_saved_then_released(store):
    draft = stored_draft(store)
    model = SectionModel()
    saves: list = []
    worker = start(store, draft, model, saves)
    assert run_worker.find(draft.id) is worker

    assert worker.wait_settled(timeout=60)
    assert worker.persisted and saves == [worker]
    assert run_worker.find(draft.id) is None  # nothing of it stays in memory
    saved = store.load(draft.id)
    assert all(s.status is SectionStatus.DONE for s in saved.sections)
    assert saved.section("overview").text.startswith("Body of ## 1. Overview")
    assert len(model.prompts) == len(draft.sections)  # saving it asked the model nothing
    assert store.versions(draft.id)[0].note == f"draft: {len(draft.sections)} sections"


def test_a_run_a_page_holds_is_left_to_that_page_until_it_lets_go(store):
    draft = stored_draft(store)
    saves: list = []
    worker = start(store, draft, SectionModel(delay=0.01), saves)
    assert worker.claim("page")
    finished(worker)
    # The page reads it: no save of its own is even scheduled.
    assert worker._orphan_timer is None and not worker.settled
    assert saves == [] and run_worker.find(draft.id) is worker
    worker.release("page")  # the tab was closed before it read the end
    assert worker.wait_settled(timeout=30)
    assert saves == [worker] and run_worker.find(draft.id) is None
    assert all(s.status is SectionStatus.DONE for s in store.load(draft.id).sections)


def test_a_run_its_page_saved_or_cancelled_is_not_saved_again(store):
    draft = stored_draft(store)
    saves: list = []
    worker = start(store, draft, SectionModel(), saves)
    assert worker.claim("page")
    finished(worker)
    worker.settle(True)  # what the page does once it saved the result itself
    run_worker.forget(worker)
    worker.release("page")

    other = Draft.from_template(load_template(), DESCRIPTION, "ShiftSwap")
    store.save(other, "created", base_revision=0)
    cancelled = start(store, other, SectionModel(delay=0.2), saves)
    cancelled.cancel()
    finished(cancelled)
    assert worker._orphan_timer is None and cancelled._orphan_timer is None
    assert saves == []
    assert run_worker.find(other.id) is None
    assert not any(s.text for s in store.load(other.id).sections)


def test_a_page_takes_over_only_a_run_nobody_has_held_for_a_while(store):
    draft = stored_draft(store)
    worker = start(store, draft, SectionModel(delay=0.05), [])
    try:
        assert worker.claim("tab A")
        assert not worker.claim("tab B", idle=0.2)  # tab A holds it
        worker.release("tab A")  # between two script runs of a click in tab A
        assert not worker.claim("tab B", idle=30)
        assert worker.claim("tab B", wait=5, idle=0.2)  # tab A is gone: B saves it now
        assert not worker.claim("tab A")
    finally:
        worker.cancel()


def test_saving_an_unread_run_keeps_what_another_tab_wrote_meanwhile(store):
    """The run's own copy of the draft is older than the store: the PM edited a section the
    run does not redraft in another tab. The self-save writes the run's sections onto the
    stored draft, so that edit survives word for word."""
    draft = stored_draft(store)
    edited, revision = store.load_versioned(draft.id)
    edited.section("overview").text = "Written by the PM in another tab: keep me exactly."
    store.save(edited, "edited overview", base_revision=revision)

    redrafted = [s.key for s in draft.sections if s.key != "overview"]
    spec = {"keys": redrafted, "instruction": "", "source": "draft", "started": 0.0}
    drafter = Drafter(draft.template(), SectionModel(), model_name="test-model")
    worker = RunWorker(drafter, draft, spec, save_orphan=lambda w: run.save_unread_run(store, w))

    assert worker.wait_settled(timeout=60) and worker.persisted
    saved = store.load(draft.id)
    assert saved.section("overview").text == "Written by the PM in another tab: keep me exactly."
    assert all(saved.section(key).text.startswith("Body of ") for key in redrafted)


def test_a_redraft_finishing_after_the_pm_edited_its_section_elsewhere_is_offered(store):
    """A regeneration of the overview is under way when the PM edits the overview in another
    tab and saves. The run then ends with no page reading it: the PM's text stays, word for
    word, and the regenerated text is kept beside it as an offer, not written over it."""
    draft = stored_draft(store)
    pm_text = "Written by the PM in another tab while the model was rewriting it."

    def reply(heading: str, prompt: str) -> str:
        if heading.startswith("## 1."):  # the other tab saves while this reply is written
            edited, revision = store.load_versioned(draft.id)
            actions.edit(edited, "overview", pm_text)
            store.save(edited, "edit: Overview", base_revision=revision)
        return f"Body of {heading}, regenerated shorter."

    spec = {"keys": ["overview"], "instruction": "shorter", "source": "regenerate", "started": 0}
    drafter = Drafter(draft.template(), SectionModel(reply=reply), model_name="test-model")
    worker = RunWorker(drafter, draft, spec, save_orphan=lambda w: run.save_unread_run(store, w))

    assert worker.wait_settled(timeout=60) and worker.persisted
    saved = store.load(draft.id)
    overview = saved.section("overview")
    assert (overview.text, overview.edited, overview.status) == (pm_text, True, SectionStatus.DONE)
    offered = redraft_offers.pending(store.load_meta(draft.id))
    assert list(offered) == ["overview"]
    assert offered["overview"].text == "Body of ## 1. Overview, regenerated shorter."
    assert offered["overview"].source == "regenerate"
    assert run_worker.find(draft.id) is None


def test_a_run_that_dies_of_an_unexpected_error_with_no_page_is_saved_then_released(
    store, monkeypatch
):
    """An error outside any one section's model call (here building a later section's prompt)
    stops the run. With no page to show it, the sections written before it are saved, the
    others say what stopped them (and keep any text they had), and the run is released."""
    draft = stored_draft(store)

    def broken(*args, **kwargs):
        raise RuntimeError("the tokenizer broke")

    monkeypatch.setattr(drafting, "_shorten", broken)  # used only by sections with dependencies
    saves: list = []
    worker = start(store, draft, SectionModel(), saves)

    assert worker.wait_settled(timeout=30), "an errored run is never saved"
    assert isinstance(worker.error, RuntimeError) and worker.persisted and saves == [worker]
    assert run_worker.find(draft.id) is None
    saved = store.load(draft.id)
    done = [s for s in saved.sections if s.status is SectionStatus.DONE]
    failed = [s for s in saved.sections if s.status is SectionStatus.FAILED]
    assert done and all(s.text.startswith("Body of ") for s in done)
    assert failed and len(done) + len(failed) == len(saved.sections)
    assert all("the tokenizer broke" in s.error and "Retry" in s.error for s in failed)
    assert all(not s.text for s in failed)


@pytest.mark.parametrize("ends_first", [False, True])
def test_a_cancelled_run_books_the_sections_no_page_will_save_and_only_those(store, ends_first):
    """The PM left the draft: the sections the run finished after what the page applied
    (and saved) are never saved, so their calls are booked at the cancel, whether the run
    was still going or had just ended; the ones the page applied are not booked twice."""
    from prd_assistant.events import SectionDone

    draft = stored_draft(store)
    booked: list = []
    keys = [s.key for s in draft.sections]
    spec = {"keys": keys, "instruction": "", "source": "draft", "started": 0.0}
    drafter = Drafter(draft.template(), SectionModel(delay=0.02), model_name="test-model")
    worker = RunWorker(drafter, draft, spec, book=lambda key, usage: booked.append((key, usage)))
    with worker._changed:
        assert worker._changed.wait_for(
            lambda: sum(isinstance(e, SectionDone) for e in worker.events) >= 3, timeout=60
        )
        applied = next(
            i + 1 for i, e in enumerate(worker.events) if isinstance(e, SectionDone)
        )  # the page applied (and saved) up to the first finished section
    if ends_first:
        finished(worker)
    worker.cancel(applied)
    finished(worker)
    unsaved = [(e.key, e.usage) for e in worker.events[applied:] if isinstance(e, SectionDone)]
    deadline = time.monotonic() + 10  # the run's own thread books after it is marked finished
    while len(booked) < len(unsaved) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(unsaved) >= 2 and sorted(booked) == sorted(unsaved)
    assert all(usage.total_tokens for _, usage in booked)
