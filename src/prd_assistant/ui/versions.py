"""Versions: one history of saved draft versions, shown per section and for the whole draft.

Every save that changes the draft is a version in the store. A section's versions are the
saved versions where its text changed; Revert brings back that version of the section with
its caption (tokens, time). An old version of the whole draft is previewed first, and opened
only after a confirmation; the current draft stays in the list.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import streamlit as st

from prd_assistant.document import Draft, SectionDraft
from prd_assistant.ui import actions, highlight, run, state
from prd_assistant.ui.labels import named
from prd_assistant.ui.run import status_line

if TYPE_CHECKING:  # the database layer loads after the first paint's form is drawn
    from prd_assistant.store import SectionRevision, VersionSummary


def when(timestamp: float) -> str:
    """A version's time as the lists show it."""
    return time.strftime("%d %b %H:%M:%S", time.localtime(timestamp))


def section_history() -> dict[str, list[SectionRevision]]:
    """Each section's saved versions (oldest first), read once per saved revision."""
    current = state.draft()
    target = state.store()
    if current is None or target is None:
        return {}
    key = (current.id, st.session_state["revision"])
    cached = st.session_state["section_history"]
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        history = target.section_history(current.id)
    except Exception:  # versions are optional: the draft must still show
        history = {}
    st.session_state["section_history"] = (key, history)
    return history


def _revert(key: str) -> None:
    chosen = st.session_state.get(f"version_{key}")
    draft = state.draft()
    if chosen is None or draft is None:
        return
    revision = next(
        (r for r in section_history().get(key, []) if r.version_id == int(chosen)), None
    )
    if revision is None:
        return
    try:
        note = actions.revert(draft, key, revision.section, when(revision.saved_at))
    except actions.LockedError as exc:
        state.flash("warning", str(exc))
        return
    state.save(note)


def render_section_versions(column, section: SectionDraft) -> None:
    """The "Versions (n)" toggle of a section card, with a diff and Revert when open."""
    revisions = section_history().get(section.key, [])
    # Newest first, and only those a Revert would change anything with.
    earlier = [r for r in reversed(revisions) if r.section.text != section.text]
    if not earlier:
        return
    key = section.key
    if not column.toggle(
        named(f"Versions ({max(len(revisions), len(earlier) + 1)})", section.title),
        key=f"versions_{key}",
        help=f"Earlier texts of {section.title}",
    ):
        return
    labels = {r.version_id: _label(r) for r in earlier}
    if st.session_state.get(f"version_{key}") not in labels:
        st.session_state[f"version_{key}"] = earlier[0].version_id
    st.selectbox(
        f"Compare {section.title} now with",
        list(labels),
        key=f"version_{key}",
        format_func=labels.__getitem__,
    )
    chosen = next(r for r in earlier if r.version_id == st.session_state[f"version_{key}"])
    old, new = highlight.side_by_side(chosen.section.text, section.text)
    left, right = st.columns(2)
    left.caption(f"{when(chosen.saved_at)} · {status_line(chosen.section)}")
    left.html(highlight.STYLE + old)
    right.caption(f"Now · {status_line(section)}")
    right.html(highlight.STYLE + new)
    st.button(
        named("Revert to this version", section.title),
        key=f"revert_{key}",
        on_click=_revert,
        args=(key,),
        disabled=section.locked,
        help=f"Unlock {section.title} to revert it."
        if section.locked
        else f"Bring back this text of {section.title}, with its tokens and time.",
    )


def _label(revision: SectionRevision) -> str:
    who = f" · {revision.saved_by}" if revision.saved_by else ""
    return f"{when(revision.saved_at)} · {revision.note or 'saved'}{who}"


def _preview(version_id: int) -> None:
    st.session_state["version_preview"] = version_id
    st.session_state["version_confirm"] = False


def _close_preview() -> None:
    st.session_state["version_preview"] = None
    st.session_state["version_confirm"] = False


def _ask_to_open() -> None:
    st.session_state["version_confirm"] = True


def _open_version() -> None:
    """Makes the previewed version the current draft (a new version; nothing is lost)."""
    target = state.store()
    current = state.draft()
    version_id = st.session_state["version_preview"]
    _close_preview()
    if target is None or current is None or version_id is None:
        return
    try:
        old = target.load_version(int(version_id))
    except Exception as exc:
        state.flash("warning", f"That version could not be opened: {state.failure_text(exc)}")
        return
    saved_at = next((v.saved_at for v in target.versions(current.id) if v.id == version_id), 0.0)
    for index, section in enumerate(old.sections):
        now = next((s for s in current.sections if s.key == section.key), None)
        if now is not None and now.locked:
            old.sections[index] = now  # a locked section is changed by nothing
        elif now is None or now.text != section.text:
            section.source = "revert"  # brought back, not written by a model again
    run.cancel_run()
    st.session_state["draft"] = old
    st.session_state["editing"] = set()
    state.save(f"opened the version of {when(saved_at)}")
    state.flash("success", f"Opened the version of {when(saved_at)}; the one before is in History.")


def render_draft_versions(versions: list[VersionSummary]) -> None:
    """The sidebar's list of the draft's versions, with a Preview button."""
    labels = {v.id: _version_label(v) for v in versions}
    st.selectbox(
        "Versions of this draft",
        list(labels),
        key="history_version",
        format_func=labels.__getitem__,
    )
    chosen = st.session_state.get("history_version")
    st.button(
        "Preview this version",
        key="preview_version",
        on_click=_preview,
        args=(chosen,),
        disabled=chosen is None,
        help="Shows what differs from now; opening it is asked for there.",
    )


def _version_label(version: VersionSummary) -> str:
    who = f" · {version.saved_by}" if version.saved_by else ""
    return f"{when(version.saved_at)} · {version.note or 'saved'}{who}"


def render_preview() -> None:
    """The previewed version of the draft: what differs from now, then Open (confirmed)."""
    version_id = st.session_state["version_preview"]
    current = state.draft()
    if version_id is None or current is None:
        return  # without opening the database: a first paint need not wait for it
    target = state.store()
    if target is None:
        return
    try:
        old = target.load_version(int(version_id))
        summary = next(v for v in target.versions(current.id) if v.id == version_id)
    except Exception:  # gone (trimmed, deleted) or damaged: nothing to preview
        _close_preview()
        return
    with st.container(border=True, key="version_preview_pane"):
        st.markdown(f"**Preview: the version of {when(summary.saved_at)}** · {summary.note}")
        changed = _differences(old, current)
        locked = [now.title for _, now in changed if now.locked]
        changed = [(before, now) for before, now in changed if not now.locked]
        filled = sum(1 for s in old.sections if s.text.strip())
        st.caption(
            f"{filled} of {len(old.sections)} sections written; "
            + (f"differs from now in {len(changed)}" if changed else "same text as now")
            + "."
            + (f" Locked, so kept as they are now: {', '.join(locked)}." if locked else "")
        )
        for before, now in changed:
            with st.expander(f"{before.title}: then · now"):
                old_html, new_html = highlight.side_by_side(before.text, now.text)
                left, right = st.columns(2)
                left.caption(f"Then · {status_line(before)}")
                left.html(highlight.STYLE + old_html)
                right.caption(f"Now · {status_line(now)}")
                right.html(highlight.STYLE + new_html)
        if st.session_state["version_confirm"]:
            st.warning(
                "Replace the current draft with this version? The current draft stays in "
                "History, so this can be undone by opening it again.",
                icon="⚠️",
            )
            yes, no = st.columns(2)
            yes.button(
                "Yes, open this version",
                key="confirm_open_version",
                type="primary",
                on_click=_open_version,
            )
            no.button("Cancel", key="cancel_open_version", on_click=_close_preview)
            return
        left, right = st.columns(2)
        left.button(
            "Open this version…",
            key="open_version",
            on_click=_ask_to_open,
            disabled=not changed,
            help="Asks before replacing the current draft.",
        )
        right.button("Close preview", key="close_preview", on_click=_close_preview)


def _differences(old: Draft, current: Draft) -> list[tuple[SectionDraft, SectionDraft]]:
    pairs = []
    for section in old.sections:
        now = next((s for s in current.sections if s.key == section.key), None)
        if now is not None and now.text != section.text:
            pairs.append((section, now))
    return pairs
