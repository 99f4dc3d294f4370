"""Drafting runs: queue one from a click, then stream it into the page section by section.

A run is kept in ``st.session_state["run"]`` until every section in it is done or failed, so
a run interrupted by a click or a refresh picks up the sections not finished yet. Streamed
text goes into per-section placeholders, throttled, instead of rebuilding the page per token.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import streamlit as st

from prd_assistant.document import Draft, SectionDraft, SectionStatus
from prd_assistant.events import (
    SectionDelta,
    SectionDone,
    SectionFailed,
    SectionRetrying,
    SectionStarted,
    ServerWaiting,
    apply_event,
)
from prd_assistant.ui import highlight, sidebar, state

UPDATE_INTERVAL = 0.1  # seconds between repaints of streamed text (~10 per second)
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
    if new:
        state.set_draft(draft, "created")
    if keys is None:
        include_edited = bool(st.session_state["include_edited"])
        keys = [s.key for s in draft.sections if not s.locked and (include_edited or not s.edited)]
    targets = [k for k in keys if not draft.section(k).locked]
    for key in targets:
        draft.section(key).status = SectionStatus.WAITING
    st.session_state["run"] = {
        "keys": targets,
        "instruction": instruction,
        "source": source,
        "done": [],
        "started": time.time(),
    }


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
            and draft.section(k).versions
            and draft.section(k).versions[-1].source not in ("outline",)
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
        parts.append("🔒 locked")
    if section.edited:
        parts.append("✏️ edited")
    if section.stale:
        parts.append("⚠️ stale")
    return " · ".join(parts)


def in_place_keys(draft: Draft | None) -> set[str]:
    """Sections of a pending run that streams into its own cards (not a whole-draft run).

    Regenerating or redrafting some sections keeps the page, the review pane and the scroll
    position: only those sections' cards change while the text streams in.
    """
    run = st.session_state["run"]
    if run is None or draft is None or len(run["keys"]) >= len(draft.sections):
        return set()
    return set(run["keys"])


def execute_pending_run(slots: dict[str, tuple] | None = None) -> bool:
    """Streams the pending run into the page; returns False if there is none.

    Ends with ``st.rerun()`` so the finished draft is shown with its editing controls.
    """
    run = st.session_state["run"]
    draft = state.draft()
    if run is None or draft is None:
        return False
    if slots is None and in_place_keys(draft):
        return False  # the page is drawn first; the cards' slots come back here
    # The drafting engine (langchain, the tokenizer) loads with the first run, not on first paint.
    from prd_assistant.drafting import Drafter

    remaining = [k for k in run["keys"] if k not in run["done"]]
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
    drafter = Drafter(
        draft.template(),
        model,
        model_name=model_name,
        concurrency=int(st.session_state["concurrency"]),
        retries=sidebar.retries(),
        slots=server_slots,
    )
    total = len(run["keys"])
    if slots is None:
        progress = st.progress(len(run["done"]) / max(total, 1), text="Drafting…")
        slots = _section_slots(draft, set(run["keys"]))
    else:
        progress = _SectionProgress(slots)
    live: dict[str, str] = {}
    dirty: set[str] = set()
    last_paint = 0.0
    failures: list[str] = []
    for event in drafter.stream(draft, remaining, run["instruction"]):
        apply_event(draft, event, run["source"])
        if isinstance(event, ServerWaiting):
            progress.progress(
                len(run["done"]) / max(total, 1),
                text=f"Waiting for the model server: nothing received for {event.seconds:.0f} s",
            )
            continue
        section = draft.section(event.key)
        if isinstance(event, SectionRetrying):
            slots[event.key][0].caption(
                f"🔁 retrying ({event.reason}; try {event.attempt} in {event.wait:.0f} s)"
            )
            continue
        if isinstance(event, SectionDelta):
            live[event.key] = live.get(event.key, "") + event.text
            dirty.add(event.key)
        elif isinstance(event, SectionStarted):
            live[event.key] = ""
            slots[event.key][0].caption(status_line(section))
        else:
            dirty.discard(event.key)
            run["done"].append(event.key)
            slots[event.key][0].caption(status_line(section))
            if isinstance(event, SectionDone):
                slots[event.key][1].markdown(highlight.render(section.text), unsafe_allow_html=True)
            elif isinstance(event, SectionFailed):
                failures.append(event.error)
                slots[event.key][1].error(event.error)
            done = len(run["done"])
            progress.progress(done / max(total, 1), text=f"Drafting… {done} of {total} sections")
            state.save(f"{run['source']}: {section.title}", version=False)
        now = time.monotonic()
        if dirty and now - last_paint >= UPDATE_INTERVAL:
            for key in dirty:
                slots[key][1].markdown(highlight.render(live[key]), unsafe_allow_html=True)
            dirty.clear()
            last_paint = now
    st.session_state["run"] = None
    st.session_state["meta"]["wall_seconds"] = round(time.time() - run["started"], 1)
    state.save(_run_note(run, draft))
    if failures:
        state.flash(
            "error",
            f"{plural(len(failures), 'section')} failed: {sidebar.panel_wording(failures[0])} "
            "Fix the cause and press Retry on a failed section (the others are kept).",
        )
    st.rerun()
    return True


class _SectionProgress:
    """In-place runs show progress in each section's own status line, not a page-wide bar."""

    def __init__(self, slots: dict[str, tuple]) -> None:
        self.slots = slots

    def progress(self, _value: float, text: str = "") -> None:
        if text.startswith("Waiting"):
            for status, _body in self.slots.values():
                status.caption("⏳ " + text)


def _run_note(run: dict, draft: Draft) -> str:
    if len(run["keys"]) == 1:
        return f"{run['source']}: {draft.section(run['keys'][0]).title}"
    return f"{run['source']}: {len(run['keys'])} sections"


def _section_slots(draft: Draft, targets: set[str]) -> dict[str, tuple]:
    """One (status, body) placeholder pair per section, under its heading."""
    slots = {}
    st.markdown(highlight.render(highlight.display_heading(draft.title)), unsafe_allow_html=True)
    for section in draft.sections:
        with st.container(border=True):
            st.markdown(
                highlight.render(highlight.display_heading(section.heading)),
                unsafe_allow_html=True,
            )
            status, body = st.empty(), st.empty()
            status.caption(status_line(section))
            if section.key not in targets and section.text.strip():
                body.markdown(highlight.render(section.text), unsafe_allow_html=True)
        slots[section.key] = (status, body)
    return slots
