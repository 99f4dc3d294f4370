"""Drafting runs: queue one from a click, then stream it into the page section by section.

A run is kept in ``st.session_state["run"]`` until every section in it is done or failed. Its
model calls run in a thread of their own (:mod:`prd_assistant.ui.run_worker`), so a click
during the run, which reruns the page script, goes on reading the same run, and a refreshed
page picks it up, instead of requesting sections again. Another tab on the same draft watches
the run as it goes and reloads the saved result at its end. Streamed text goes into
per-section placeholders, throttled, instead of rebuilding the page per token.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import streamlit as st

from prd_assistant.document import Draft, SectionDraft, SectionStatus
from prd_assistant.events import (
    DraftEvent,
    SectionDelta,
    SectionDone,
    SectionFailed,
    SectionRetrying,
    SectionStarted,
    ServerWaiting,
    apply_event,
)
from prd_assistant.redaction import get_logger, redact
from prd_assistant.ui import highlight, redraft_offers, run_worker, sidebar, state
from prd_assistant.ui.run_worker import ORPHAN_GRACE, RunWorker

if TYPE_CHECKING:  # the database layer loads after the first paint's form is drawn
    from prd_assistant.store import DraftStore

_LOG = get_logger(__name__)

UPDATE_INTERVAL = 0.1  # seconds between repaints of streamed text (~10 per second)
# How long a page waits for the script run a click interrupted to stop reading the run.
READER_WAIT = 10.0
# How long a refreshed page waits for its old session to let go of the run before watching it.
FOLLOW_WAIT = 0.5
# A watching page takes a run over once no page has held it this long (its tab is gone; a
# click's rerun lets go of it for far less).
TAKE_OVER_IDLE = 1.5
STATUS_ICON = {
    SectionStatus.WAITING: "⏳ waiting",
    SectionStatus.WRITING: "✍️ writing",
    SectionStatus.DONE: "✅ done",
    SectionStatus.FAILED: "❌ failed",
    SectionStatus.TRUNCATED: "✂️ truncated (stopped at the length limit)",
}


def start_run(
    draft: Draft,
    keys: Iterable[str] | None = None,
    instruction: str = "",
    source: str = "draft",
    *,
    new: bool = False,
) -> None:
    """Queues drafting of ``keys`` (default: every section not locked or hand-edited).

    Args:
        draft: The draft to work on; with ``new`` it becomes the current draft.
        keys: Sections to draft. Locked sections are always left out.
        instruction: The PM's instruction for a regeneration ("shorter", "add GDPR").
        source: Version source recorded for the new texts.
        new: Whether ``draft`` is a new draft (saved and put in the URL first).
    """
    if running() or run_worker.find(draft.id) is not None:
        # One run at a time: starting another would drop the sections in flight.
        state.flash(
            "info",
            "Drafting of this draft is still running (here or in another tab); "
            "try again when it has finished.",
        )
        return
    if new:
        state.set_draft(draft, "created")
    if keys is None:
        include_edited = bool(st.session_state["include_edited"])
        keys = [s.key for s in draft.sections if not s.locked and (include_edited or not s.edited)]
    targets = [k for k in keys if not draft.section(k).locked]
    if not targets:
        state.flash("info", "Nothing to draft: the sections asked for are locked.")
        return
    for key in targets:
        draft.section(key).status = SectionStatus.WAITING
    spec = {"keys": targets, "instruction": instruction, "source": source, "started": time.time()}
    st.session_state["run"] = _new_run(spec, "page" if new else "cards")


def _new_run(spec: dict[str, Any], layout: str) -> dict[str, Any]:
    """A run as the session keeps it: what it drafts and how far this page has read it."""
    return {
        **spec,
        "layout": layout,
        "worker": None,
        "read": 0,  # events of the worker applied to this page's draft
        "done": [],
        "live": {},  # section key -> text streamed so far
        "notes": {},  # section key -> retry note shown instead of its status
        "failures": [],
        "offers": {},  # section key -> Offer: written after the PM changed it elsewhere
        "waiting": 0.0,  # seconds the server has been silent (0: it is answering)
        "watching": False,  # another tab saves this run; this page only shows it
    }


def follow_run(draft: Draft | None) -> None:
    """Follows a run of ``draft`` under way in this process (tried once per run and session).

    A run that lost its page (a refresh, a closed tab) is picked up: this page saves it from
    now on. A run another tab is reading is watched: its sections stream in here too, the
    saved draft is reloaded when it ends, and the run is taken over if that tab goes away
    (:data:`TAKE_OVER_IDLE`). Either way its events are applied again from
    the start to the draft as stored, so nothing is lost and nothing is requested again.
    """
    if draft is None or running():
        return
    worker = run_worker.find(draft.id)
    tried = st.session_state["followed"]
    if worker is None or id(worker) in tried:
        return
    tried.add(id(worker))
    probe = uuid.uuid4().hex
    with st.spinner("Picking up the drafting under way…"):
        picked_up = worker.claim(probe, wait=FOLLOW_WAIT, idle=TAKE_OVER_IDLE)
    if picked_up:
        worker.release(probe)
    _follow(worker, draft, watching=not picked_up)


def _follow(worker: RunWorker, draft: Draft, *, watching: bool) -> None:
    """Makes ``worker`` this page's run, read from its first event on."""
    run = _new_run(worker.spec, "cards")
    for key in run["keys"]:
        draft.section(key).status = SectionStatus.WAITING
    run["worker"] = worker
    run["watching"] = watching
    st.session_state["run"] = run


def request_run(
    draft: Draft, keys: Iterable[str] | None = None, instruction: str = "", source: str = "draft"
) -> None:
    """Starts a run, but asks first when it would write outlines over model-written text.

    With a model connection that cannot work, nothing starts: the PM is told what to fix
    instead of getting outlines marked done.
    """
    problem = sidebar.setup_problem()
    if problem:
        state.flash("error", f"Nothing was redrafted. {problem}")
        return
    chosen = list(keys) if keys is not None else None
    if sidebar.outline_chosen():
        targets = chosen if chosen is not None else [s.key for s in draft.sections]
        written = [
            draft.section(k).title
            for k in targets
            if draft.section(k).text.strip()
            and not draft.section(k).locked
            and draft.section(k).source != "outline"
        ]
        if written:
            st.session_state["confirm_outline"] = {
                "keys": chosen,
                "instruction": instruction,
                "source": source,
                "titles": written,
            }
            return
    start_run(draft, chosen, instruction, source)


def _confirm_outline() -> None:
    pending = st.session_state["confirm_outline"]
    st.session_state["confirm_outline"] = None
    current = state.draft()
    if pending and current is not None:
        start_run(current, pending["keys"], pending["instruction"], pending["source"])


def _cancel_outline() -> None:
    st.session_state["confirm_outline"] = None


def render_outline_confirmation() -> None:
    """Asks before an outline replaces text a model or the PM wrote."""
    pending = st.session_state["confirm_outline"]
    if not pending:
        return
    titles = pending["titles"]
    shown = ", ".join(titles[:5]) + ("…" if len(titles) > 5 else "")
    with st.container(border=True, key="outline_confirm"):
        st.warning(
            f"The provider is '{sidebar.OUTLINE}', so this would replace written text in "
            f"{plural(len(titles), 'section')} ({shown}) with an outline"
            + (" and ignore your instruction" if pending["instruction"] else "")
            + f". To redraft with a model, pick a provider in {sidebar.PANEL}.",
            icon="⚠️",
        )
        left, right = st.columns(2)
        left.button("Write the outline anyway", key="outline_yes", on_click=_confirm_outline)
        right.button("Cancel", key="outline_no", type="primary", on_click=_cancel_outline)


def plural(count: int, noun: str) -> str:
    """``1 section``, ``2 sections``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def status_line(section: SectionDraft) -> str:
    """Status, tokens, cost and time of one section, for its caption.

    A text changed by hand is no longer the model's, so its run's tokens and time are not shown.
    """
    parts = [STATUS_ICON[section.status]]
    usage = section.usage
    from_model = not section.edited
    if from_model and section.status == SectionStatus.DONE and usage.total_tokens:
        approx = "" if usage.exact else "~"
        parts.append(f"{approx}{usage.total_tokens:,} tokens")
        if usage.cost_usd is not None:
            parts.append(f"${usage.cost_usd:.4f}")
    if from_model and section.seconds:
        parts.append(f"{section.seconds:.1f} s")
    if section.locked:
        parts.append("🔒 locked: unlock it to edit or regenerate it")
    if section.edited:
        parts.append("✏️ edited")
    if section.stale:
        parts.append("⚠️ stale")
    return " · ".join(parts)


def in_place_keys(draft: Draft | None) -> set[str]:
    """Sections of a pending run that streams into their own cards.

    Every run on a draft that is already on the page (regenerate, redraft, retry, finish,
    redraft all) keeps the page, the review pane and the scroll position: only those
    sections' cards change while the text streams in. Only the first run of a new draft
    uses the drafting layout.
    """
    run = st.session_state["run"]
    if run is None or draft is None or run.get("layout") == "page":
        return set()
    return set(run["keys"])


def running() -> bool:
    """Whether a drafting run is under way (its buttons are disabled meanwhile)."""
    return st.session_state["run"] is not None


def cancel_run() -> None:
    """Drops the pending run and stops its model calls (the PM left the draft)."""
    run = st.session_state["run"]
    st.session_state["run"] = None
    if run is not None and run["worker"] is not None and not run["watching"]:
        run["worker"].cancel(run["read"])  # a watched run belongs to the tab that saves it


def _start_worker(run: dict, draft: Draft) -> RunWorker:
    """Creates the model and starts the run's thread; a settings problem ends the run."""
    # The drafting engine (langchain, the tokenizer) loads with the first run, not on first paint.
    from prd_assistant.drafting import Drafter

    try:
        model = sidebar.create_model()
        server_slots = sidebar.server_slots() if model is not None else None
    except Exception as exc:  # a settings problem must reach the PM as text
        st.session_state["run"] = None
        for key in run["keys"]:
            section = draft.section(key)
            if section.status == SectionStatus.WAITING and section.text.strip():
                section.status = SectionStatus.DONE  # untouched: its text is still there
        state.flash("error", f"Cannot start drafting: {sidebar.explain(exc)}")
        st.rerun()
    model_name = sidebar.model_name() if model is not None else ""
    if len(run["keys"]) == len(draft.sections):
        # A whole draft written without a model is an outline; one section redone is not.
        draft.outline, draft.model = model is None, model_name
    if model is None and run["source"] == "draft":
        run["source"] = "outline"
    book = state.usage_book(draft.id, model_name) if model is not None else None
    drafter = Drafter(
        draft.template(),
        model,
        model_name=model_name,
        concurrency=int(st.session_state["concurrency"]),
        retries=sidebar.retries(),
        slots=server_slots,
        # Tries no section keeps (retried, cut, cancelled) are booked as they end, from the
        # run's threads; kept replies are booked by the save that brings them in.
        on_spent=book,
    )
    spec = {k: run[k] for k in ("keys", "instruction", "source", "started")}
    target = state.store()
    saver = (lambda worker: save_unread_run(target, worker)) if target is not None else None
    worker = RunWorker(drafter, draft, spec, save_orphan=saver, book=book)
    run["worker"] = worker
    return worker


def save_unread_run(target: DraftStore, worker: RunWorker, tries: int = 3) -> bool:
    """Saves a finished run no page read to its end: its events applied to the stored draft.

    Runs outside any page (no session), as the user who started the run. A save that races
    another tab's is retried on the newer draft. Returns whether the result is stored.
    """
    from prd_assistant.store import ConflictError

    for _ in range(tries):
        loaded = target.load_versioned(worker.draft_id)
        if loaded is None:
            return True  # the draft was deleted meanwhile: nothing is left to keep
        draft, revision = loaded
        run = _new_run(worker.spec, "cards")
        _apply_events(run, draft, worker.read(0, timeout=0), worker.found_texts)
        if worker.error is not None:
            _stopped(run, draft, worker.error)
        meta = redraft_offers.keep(target.load_meta(draft.id), run["offers"])
        meta["wall_seconds"] = round(worker.finished_at - run["started"], 1)
        try:
            target.save(draft, _run_note(run, draft, run["keys"]), meta, base_revision=revision)
        except ConflictError:
            continue
        return True
    return False


def _stopped(run: dict, draft: Draft, error: Exception) -> None:
    """Marks the sections a run never finished as failed, saying what stopped it.

    Their earlier text stays (a failure keeps it), and Retry is offered on each.
    """
    message = (
        f"Drafting stopped on an unexpected error ({state.failure_text(error)}) before this section was "
        "written. Press Retry; if it fails again, the app's log has the details."
    )
    for key in run["keys"]:
        if key not in run["done"]:
            apply_event(draft, SectionFailed(key, message, 0.0))
            run["done"].append(key)
            run["failures"].append(message)


def execute_pending_run(slots: dict[str, tuple] | None = None) -> bool:
    """Streams the pending run into the page; returns False if there is none.

    A rerun (any click) while the run goes on comes back here and goes on reading the same
    run. Ends with ``st.rerun()`` so the finished draft is shown with its editing controls.
    """
    run = st.session_state["run"]
    draft = state.draft()
    if run is None or draft is None:
        return False
    if slots is None and run.get("layout") != "page":
        return False  # the page is drawn first; the cards' slots come back here
    worker = run["worker"] or _start_worker(run, draft)
    # With fast reruns, the script run a click interrupted may still be reading for a moment
    # beside this one; one reader at a time saves the run, so each event is saved once.
    reader = uuid.uuid4().hex
    if not run["watching"] and not worker.claim(reader, wait=READER_WAIT):
        # Another page picked the run up while this one was away: it saves it, this one
        # watches (from the start, on the draft as stored).
        _reload_stored(draft)
        _follow(worker, state.draft() or draft, watching=True)
        st.rerun()
    try:
        if st.session_state["run"] is not run:
            return True  # the other reader finished the run meanwhile
        if worker.settled:
            _end_watched_run(worker)  # saved while this page was away
        _read_run(run, draft, worker, slots, reader)
        if run["watching"]:
            with st.spinner("Waiting for the drafting to be saved…"):
                # The saving tab does it at once; a run whose tab was closed saves itself.
                worker.wait_settled(timeout=ORPHAN_GRACE + 30.0)
            if worker.error is None or worker.persisted:
                _end_watched_run(worker)  # saved with what stopped it, if anything did
        # This page holds the run: nobody else saves it meanwhile.
        run_worker.forget(worker)
        st.session_state["run"] = None
        if worker.error is not None:
            # The PM sees which sections it stopped and a Retry on each; the trace goes to
            # the log, never to the page.
            _LOG.error("Drafting stopped on an unexpected error", exc_info=worker.error)
            _stopped(run, draft, worker.error)
        st.session_state["meta"]["wall_seconds"] = round(time.time() - run["started"], 1)
        worker.settle(state.save(_run_note(run, state.draft() or draft, run["keys"])))
    finally:
        worker.release(reader)  # a click or a closed tab: the run goes on without this page
    failures = run["failures"]
    if failures:
        state.flash(
            "error",
            f"{plural(len(failures), 'section')} failed: {failures[0]} "
            "Fix the cause and press Retry on a failed section (the others are kept).",
        )
    st.rerun()
    return True


def _take_over(run: dict, current: Draft) -> Draft:
    """The page that saved the run let go of it (a refresh, a closed tab): this one saves it
    from now on, starting from the draft as stored, with every event applied again."""
    _reload_stored(current)
    stored = state.draft() or current
    run.update(_new_run(run, run["layout"]), worker=run["worker"], watching=False)
    for key in run["keys"]:
        stored.section(key).status = SectionStatus.WAITING
    return stored


def _end_watched_run(worker: RunWorker) -> None:
    """The run is over and saved elsewhere: this page shows the saved draft."""
    st.session_state["run"] = None
    current = state.draft()
    if worker.persisted and current is not None:
        _reload_stored(current)
    st.rerun()


def _reload_stored(current: Draft) -> None:
    """Replaces the page's draft by the stored one (nothing of this page's is unsaved)."""
    target = state.store()
    loaded = target.load_versioned(current.id) if target is not None else None
    if loaded is not None:
        stored, revision = loaded
        state.set_draft(stored, meta=target.load_meta(stored.id), revision=revision)


def _read_run(
    run: dict, draft: Draft, worker: RunWorker, slots: dict[str, tuple] | None, reader: str
) -> None:
    """Applies and paints the run's events as they come, until it has all been read.

    A page that watches the run takes it over (as ``reader``) once no other page holds it.
    """
    total = len(run["keys"])
    if slots is None:
        progress: Any = st.progress(len(run["done"]) / max(total, 1), text="Drafting…")
        slots = _section_slots(draft, set(run["keys"]), run)
    else:
        progress = _SectionProgress(slots)
        for key in run["keys"]:
            _paint(slots[key], draft.section(key), run)
    last_paint = 0.0
    while True:
        if run["watching"] and worker.claim(reader, idle=TAKE_OVER_IDLE):
            draft = _take_over(run, draft)
        events = worker.read(run["read"], timeout=1.0)
        # The events change the draft before anything is drawn: a rerun can interrupt the
        # drawing, never the bookkeeping, so no event is lost or applied twice.
        changed, ended = _apply_events(run, draft, events, worker.found_texts)
        run["read"] += len(events)
        if run["offers"] and not run["watching"]:
            meta = st.session_state["meta"]
            st.session_state["meta"] = redraft_offers.keep(meta, run["offers"])
        if ended and not run["watching"]:
            state.save(_run_note(run, draft, ended), version=False)
        for key in changed:
            _paint(slots[key], draft.section(key), run)
        done = len(run["done"])
        if run["waiting"]:
            text = f"Waiting for the model server: nothing received for {run['waiting']:.0f} s"
        else:
            text = f"Drafting… {done} of {total} sections"
        progress.progress(done / max(total, 1), text=text)
        if worker.read_all(run["read"]):
            return
        pause = UPDATE_INTERVAL - (time.monotonic() - last_paint)
        if pause > 0:
            time.sleep(pause)  # about ten repaints a second, however fast tokens arrive
        last_paint = time.monotonic()


def _apply_events(
    run: dict, draft: Draft, events: list[DraftEvent], found: dict[str, str]
) -> tuple[set, list]:
    """Applies events to the draft and the run; returns (sections to repaint, sections ended).

    ``found`` holds each section's text as the run found it. A section whose text in
    ``draft`` is neither that nor the run's own was changed elsewhere meanwhile (the PM, in
    another tab), or that was locked meanwhile, keeps its text, and what the run wrote is
    offered in ``run["offers"]``.
    """
    changed: set[str] = set()
    ended: list[str] = []
    for event in events:
        if isinstance(event, ServerWaiting):
            run["waiting"] = event.seconds
            continue
        run["waiting"] = 0
        changed.add(event.key)
        if isinstance(event, SectionRetrying):
            run["notes"][event.key] = (
                f"🔁 retrying ({event.reason}; try {event.attempt} in {event.wait:.0f} s)"
            )
            continue
        run["notes"].pop(event.key, None)
        section = draft.section(event.key)
        if section.locked:
            # Locked while the run went on (in another tab): its text stays as it was. What
            # the run wrote was paid for: it is offered, to use once the section is unlocked.
            if isinstance(event, SectionDone):
                run["offers"][event.key] = redraft_offers.Offer.from_event(event, run["source"])
            if isinstance(event, SectionDone | SectionFailed):
                section.status = SectionStatus.DONE
                run["done"].append(event.key)
                ended.append(event.key)
            continue
        if _changed_elsewhere(section, found, event):
            if isinstance(event, SectionDone):
                run["offers"][event.key] = redraft_offers.Offer.from_event(event, run["source"])
            if isinstance(event, SectionDone | SectionFailed):
                section.status = SectionStatus.DONE  # the PM's text, as they saved it
                run["done"].append(event.key)
                ended.append(event.key)
            continue
        apply_event(draft, event, run["source"])
        if isinstance(event, SectionDelta):
            run["live"][event.key] = run["live"].get(event.key, "") + event.text
        elif isinstance(event, SectionStarted):
            run["live"][event.key] = ""
        else:
            run["live"].pop(event.key, None)
            run["done"].append(event.key)
            ended.append(event.key)
            if isinstance(event, SectionFailed):
                run["failures"].append(event.error)
    return changed, ended


def _changed_elsewhere(section: SectionDraft, found: dict[str, str], event: DraftEvent) -> bool:
    """Whether ``section`` holds a text the run neither started from nor wrote itself."""
    if section.key not in found or section.text == found[section.key]:
        return False
    # A save of this run's own result (by the page that read it before it went away).
    return not (isinstance(event, SectionDone) and section.text == redact(event.text))


def _paint(slot: tuple, section: SectionDraft, run: dict) -> None:
    """A section's status and text as the run has them now."""
    status, body = slot
    status.caption(run["notes"].get(section.key) or status_line(section))
    live = run["live"].get(section.key, "")
    if section.status == SectionStatus.FAILED:
        body.error(section.error or "Drafting this section failed.")
    elif section.status == SectionStatus.WRITING and live:
        body.markdown(highlight.render(live), unsafe_allow_html=True)
    elif section.text.strip():
        body.markdown(highlight.render(section.text.strip()), unsafe_allow_html=True)
    else:
        body.empty()


class _SectionProgress:
    """In-place runs show progress in each section's own status line, not a page-wide bar."""

    def __init__(self, slots: dict[str, tuple]) -> None:
        self.slots = slots

    def progress(self, _value: float, text: str = "") -> None:
        if text.startswith("Waiting"):
            for status, _body in self.slots.values():
                status.caption("⏳ " + text)


def _run_note(run: dict, draft: Draft, keys: list[str]) -> str:
    if len(keys) == 1:
        return f"{run['source']}: {draft.section(keys[0]).title}"
    return f"{run['source']}: {len(keys)} sections"


def _section_slots(draft: Draft, targets: set[str], run: dict) -> dict[str, tuple]:
    """One (status, body) placeholder pair per section, under its heading."""
    slots = {}
    st.markdown(highlight.render(highlight.display_heading(draft.title)), unsafe_allow_html=True)
    for section in draft.sections:
        with st.container(border=True):
            st.markdown(
                highlight.render(highlight.display_heading(section.heading)),
                unsafe_allow_html=True,
            )
            slots[section.key] = (st.empty(), st.empty())
            if section.key in targets:
                _paint(slots[section.key], section, run)
            else:
                slots[section.key][0].caption(status_line(section))
                if section.text.strip():
                    slots[section.key][1].markdown(
                        highlight.render(section.text), unsafe_allow_html=True
                    )
    return slots
