"""History in the sidebar: start over, reopen earlier drafts or versions, import JSON."""

from __future__ import annotations

import time
import uuid

import streamlit as st

from prd_assistant import export
from prd_assistant.store import DraftStore
from prd_assistant.ui import state


def _when(timestamp: float) -> str:
    return time.strftime("%d %b %H:%M", time.localtime(timestamp))


def _new() -> None:
    state.set_draft(None)
    st.session_state["run"] = None
    st.session_state["clarify"] = None
    for key in ("description", "service_name", "audience", "constraints", "numbers"):
        st.session_state[key] = ""


def _open(draft_id: str) -> None:
    target = state.store()
    loaded = target.load(draft_id) if target else None
    if loaded is None:
        state.flash("warning", "That draft is no longer in the database.")
        return
    st.session_state["run"] = None
    meta = target.load_meta(draft_id) if target else {}
    meta.setdefault("dismissed", [])
    state.set_draft(loaded, meta=meta)
    st.session_state["description"] = loaded.description


def _open_version() -> None:
    target = state.store()
    version_id = st.session_state.get("history_version")
    current = state.draft()
    if target is None or version_id is None or current is None:
        return
    old = target.load_version(int(version_id))
    st.session_state["run"] = None
    st.session_state["draft"] = old
    state.save(f"restored the version of {_when(_version_time(target, current.id, version_id))}")


def _version_time(target: DraftStore, draft_id: str, version_id: int) -> float:
    for version in target.versions(draft_id):
        if version.id == version_id:
            return version.saved_at
    return time.time()


def _import() -> None:
    upload = st.session_state.get("import_json")
    if upload is None:
        return
    try:
        draft = export.from_json(upload.getvalue())
    except ValueError as exc:
        state.flash("error", str(exc))
        return
    target = state.store()
    if target is not None and target.load(draft.id) is not None:
        # Importing a file next to the draft it came from must not overwrite that draft.
        draft.id = uuid.uuid4().hex
    state.set_draft(draft, "imported from JSON")
    st.session_state["description"] = draft.description
    state.flash("success", "Draft imported.")


def render_history() -> None:
    """The "History" part of the sidebar."""
    st.subheader("History")
    st.button("➕ New draft", key="new_draft", on_click=_new)
    target = state.store()
    if target is None:
        return
    current = state.draft()
    drafts = target.list_drafts(limit=15)
    for summary in drafts:
        mark = "▶ " if current is not None and summary.id == current.id else ""
        # Drafts shared with the user name their owner.
        owner = "" if summary.access == "owner" else f" · {summary.owner}"
        st.button(
            f"{mark}{summary.title[:48]} · {_when(summary.updated_at)}{owner}",
            key=f"open_{summary.id}",
            on_click=_open,
            args=(summary.id,),
            width="stretch",
        )
    if not drafts:
        st.caption("Drafts are saved here automatically.")
    if current is not None:
        versions = target.versions(current.id)
        if len(versions) > 1:
            labels = {v.id: f"{_when(v.saved_at)} · {v.note or 'saved'}" for v in versions}
            st.selectbox(
                "Versions of this draft",
                list(labels),
                key="history_version",
                format_func=labels.__getitem__,
            )
            st.button("Open this version", key="open_version", on_click=_open_version)
    st.file_uploader("Import a JSON draft", type=["json"], key="import_json")
    st.button("Import", key="import_button", on_click=_import)
