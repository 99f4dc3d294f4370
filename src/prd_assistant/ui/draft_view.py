"""The draft: every section with its status, cost, flags in place, and its editing controls.

Edit by hand, regenerate with an instruction, lock, revert to an earlier version (with a
side-by-side diff), redraft stale sections, retry failed ones. Every change is saved at once.
"""

from __future__ import annotations

import streamlit as st

from prd_assistant import register
from prd_assistant.dismissed import Dismissal
from prd_assistant.document import Draft, SectionDraft, SectionStatus, Usage
from prd_assistant.ui import actions, highlight, labels, redraft_offers, run, state, versions
from prd_assistant.ui.highlight import Located
from prd_assistant.ui.run import plural, request_run, status_line


def _draft() -> Draft:
    current = state.draft()
    assert current is not None
    return current


def _open_editor(key: str) -> None:
    section = _draft().section(key)
    if section.locked:
        state.flash("warning", f"'{section.title}' is locked: unlock it to edit it.")
        return
    st.session_state[f"editor_{key}"] = section.text
    st.session_state["editing"] = st.session_state["editing"] | {key}


def _close_editor(key: str) -> None:
    st.session_state["editing"] = st.session_state["editing"] - {key}


def _save_editor(key: str) -> None:
    draft = _draft()
    try:
        note = actions.edit(draft, key, st.session_state.get(f"editor_{key}", ""))
    except actions.LockedError as exc:
        state.flash("warning", str(exc))  # the editor stays open: the typed text is kept
        return
    _close_editor(key)
    if note:
        state.save(note)


def _toggle_lock(key: str) -> None:
    draft = _draft()
    state.save(actions.set_locked(draft, key, not draft.section(key).locked))


def _regenerate(key: str) -> None:
    draft = _draft()
    instruction = st.session_state.get(f"instruction_{key}", "")
    request_run(draft, [key], instruction, source="regenerate")
    st.session_state[f"instruction_{key}"] = ""


def _redraft(keys: list[str]) -> None:
    request_run(_draft(), keys, source="redraft")


def _redraft_all() -> None:
    request_run(_draft(), None, source="redraft")


def _tokens_and_cost(usage: Usage) -> str:
    approx = "" if usage.exact else "~"
    cost = f"${usage.cost_usd:.4f}" if usage.cost_usd is not None else "cost n/a"
    return f"{approx}{usage.total_tokens:,} tokens · {cost}"


def _spent_in_all(draft: Draft, usage: Usage) -> str:
    """Every model call on the draft, when that is more than its sections' current text cost:
    rewrites, retried or cancelled tries, suggestions, clarifying questions."""
    spent = state.spent_on(draft.id)
    if spent is None or spent.total_tokens <= usage.total_tokens:
        return ""
    return f" · {_tokens_and_cost(spent)} in all model calls on this draft"


def render_summary(draft: Draft, dismissals: list[Dismissal]) -> None:
    """Totals, bulk actions and export buttons above the draft (``dismissals`` go into the
    exports)."""
    usage = draft.usage
    done = sum(1 for s in draft.sections if s.status == SectionStatus.DONE)
    # The wall time the PM waited, not the sum of section times (sections run in parallel).
    seconds = st.session_state["meta"].get("wall_seconds")
    st.caption(
        f"{done} of {len(draft.sections)} sections done · {_tokens_and_cost(usage)}"
        + _spent_in_all(draft, usage)
        + (f" · drafted in {seconds:.1f} s" if seconds else "")
        + (" · outline mode" if draft.outline else "")
    )
    include_edited = bool(st.session_state["include_edited"])
    stale = [
        s.key
        for s in draft.sections
        if s.stale and not s.locked and (include_edited or not s.edited)
    ]
    failed = [s.key for s in draft.sections if s.status == SectionStatus.FAILED and not s.locked]
    # A run cut short by a closed tab leaves sections waiting; offer to finish them.
    unfinished = [
        s.key
        for s in draft.sections
        if s.status in (SectionStatus.WAITING, SectionStatus.WRITING) and not s.locked
    ]
    busy = run.running()
    if unfinished and not busy:
        st.button(
            f"Finish drafting ({plural(len(unfinished), 'section')})",
            key="finish_drafting",
            type="primary",
            on_click=_redraft,
            args=(unfinished,),
        )
    cols = st.columns(4)
    cols[0].button(
        f"Redraft stale ({len(stale)})",
        key="redraft_stale",
        on_click=_redraft,
        args=(stale,),
        disabled=not stale or busy,
        help="Redraft the sections that depend on text that changed (hand-edited ones only "
        "when ticked; each stale section also has its own Redraft button).",
    )
    cols[1].button(
        f"Retry failed ({len(failed)})",
        key="retry_failed",
        on_click=_redraft,
        args=(failed,),
        disabled=not failed or busy,
    )
    cols[2].button(
        "Redraft all",
        key="redraft_all",
        on_click=_redraft_all,
        disabled=busy,
        help="Redraft every section except locked ones (and hand-edited ones unless ticked).",
    )
    cols[3].checkbox("Include hand-edited", key="include_edited")
    st.caption("Redrafting never touches locked sections, nor hand-edited ones unless ticked.")
    run.render_outline_confirmation()
    render_exports(draft, dismissals)
    # Trackers (and the review engine they use) load with the first draft, not on first paint.
    from prd_assistant.ui.handoff_pane import render_handoff

    render_handoff(draft)


def render_exports(draft: Draft, dismissals: list[Dismissal]) -> None:
    """Markdown, JSON and DOCX downloads, with the review flags the PM dismissed."""
    from prd_assistant import export  # python-docx loads with the first draft shown

    cols = st.columns(3)
    cols[0].download_button(
        "⬇ Markdown",
        export.to_markdown(draft, dismissals),
        file_name=export.filename(draft, "md"),
        mime="text/markdown",
        key="download_md",
        on_click="ignore",
        width="stretch",
    )
    cols[1].download_button(
        "⬇ JSON",
        export.to_json(draft, dismissals),
        file_name=export.filename(draft, "json"),
        mime="application/json",
        key="download_json",
        on_click="ignore",
        width="stretch",
    )
    cols[2].download_button(
        "⬇ DOCX",
        _docx(draft, dismissals),
        file_name=export.filename(draft, "docx"),
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="download_docx",
        on_click="ignore",
        width="stretch",
    )


def _docx(draft: Draft, dismissals: list[Dismissal]) -> bytes:
    # Building a DOCX takes tens of milliseconds; only rebuild when the text changed.
    from prd_assistant import export

    markdown = export.to_markdown(draft, dismissals)
    cached = st.session_state["docx_cache"]
    if cached and cached[0] == markdown:
        return cached[1]
    data = export.to_docx(draft, dismissals)
    st.session_state["docx_cache"] = (markdown, data)
    return data


def render_draft(draft: Draft, located: list[Located]) -> dict[str, tuple]:
    """Every section of the draft with its controls.

    Returns:
        (status, body) placeholders of the sections a pending in-place run will stream into.
    """
    live: dict[str, tuple] = {}
    streaming = run.in_place_keys(draft)
    st.markdown(highlight.render(highlight.display_heading(draft.title)), unsafe_allow_html=True)
    by_key: dict[str, list[Located]] = {}
    for item in located:
        by_key.setdefault(item.key, []).append(item)
    if draft.clarifications:
        with st.expander(f"Clarifying answers and assumptions ({len(draft.clarifications)})"):
            rows = [r for r in register.rows(draft) if r.section == register.CLARIFYING]
            st.markdown(highlight.render(register.clarified(rows)), unsafe_allow_html=True)
    for section in draft.sections:
        if section.key in streaming:
            live[section.key] = _render_streaming(section)
        else:
            _render_section(draft, section, by_key.get(section.key, []))
    return live


def _render_streaming(section: SectionDraft) -> tuple:
    """A section card whose text is about to stream in: heading, status and body slots."""
    with st.container(border=True, key=f"section_{section.key}"):
        st.html(f'<span id="sec-{section.key}"></span>')
        st.markdown(
            highlight.render(highlight.display_heading(section.heading)), unsafe_allow_html=True
        )
        status, body = st.empty(), st.empty()
        status.caption(status_line(section))
        if section.text.strip():
            body.markdown(highlight.render(section.text.strip()), unsafe_allow_html=True)
    return status, body


def _render_section(draft: Draft, section: SectionDraft, marks: list[Located]) -> None:
    key = section.key
    with st.container(border=True, key=f"section_{key}"):
        st.html(f'<span id="sec-{key}"></span>')
        st.markdown(
            highlight.render(highlight.display_heading(section.heading)), unsafe_allow_html=True
        )
        flags = [m for m in marks if m.finding.severity != "info"]
        back = f" · [{plural(len(flags), 'flag')} ↗ review](#review-{key})" if flags else ""
        st.caption(status_line(section) + back)
        redraft_offers.render(section)
        if section.status == SectionStatus.FAILED:
            st.error(section.error or "Drafting this section failed.")
            st.button(
                labels.named("Retry", section.title),
                key=f"retry_{key}",
                on_click=_redraft,
                args=([key],),
                disabled=section.locked or run.running(),
            )
        if section.stale and not section.locked:
            st.warning("A section this one builds on has changed.")
            st.button(
                labels.named("Redraft", section.title),
                key=f"redraft_{key}",
                on_click=_redraft,
                args=([key],),
                disabled=run.running(),
            )
        if key in st.session_state["editing"]:
            st.text_area(
                f"Edit {section.title}",
                key=f"editor_{key}",
                height=260,
                label_visibility="collapsed",
            )
            left, right = st.columns(2)
            left.button(
                labels.named("Save", section.title),
                key=f"save_{key}",
                type="primary",
                on_click=_save_editor,
                args=(key,),
                help=f"Save your edit of {section.title}",
            )
            right.button(
                labels.named("Cancel", section.title),
                key=f"cancel_{key}",
                on_click=_close_editor,
                args=(key,),
                help=f"Close the editor of {section.title} without saving",
            )
        elif section.text.strip():
            st.markdown(highlight.render(section.text.strip(), marks), unsafe_allow_html=True)
        else:
            st.caption("(empty)")
        _render_controls(section)


def _render_controls(section: SectionDraft) -> None:
    key = section.key
    cols = st.columns([1, 1, 1, 1.4])
    editing = key in st.session_state["editing"]
    cols[0].button(
        labels.named("Edit", section.title),
        key=f"edit_{key}",
        on_click=_open_editor,
        args=(key,),
        disabled=editing or section.locked,
        help=f"Unlock {section.title} to edit it." if section.locked else f"Edit {section.title}",
    )
    cols[1].button(
        labels.named("Unlock" if section.locked else "Lock", section.title),
        key=f"lock_{key}",
        on_click=_toggle_lock,
        args=(key,),
        # Locking under an open editor would leave a locked section with an unsaved edit.
        disabled=editing,
        help="Save or cancel your edit first."
        if editing
        else f"A locked section is never regenerated or edited ({section.title}).",
    )
    busy = run.running()
    blocked = section.locked or editing or busy
    with cols[2].popover(
        labels.named("Regenerate", section.title),
        disabled=blocked,
        help="Unlock to regenerate."
        if section.locked
        else "Save or cancel your edit first."
        if editing
        else "Wait for the drafting under way to finish."
        if busy
        else f"Regenerate {section.title}",
    ):
        st.text_input(
            "Instruction (optional)",
            key=f"instruction_{key}",
            placeholder="shorter · add GDPR · more detail on SLAs",
        )
        st.button(
            labels.named("Regenerate section", section.title),
            key=f"regenerate_{key}",
            on_click=_regenerate,
            args=(key,),
            disabled=blocked,
        )
    versions.render_section_versions(cols[3], section)
