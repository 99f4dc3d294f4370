"""History in the sidebar: search, reopen, rename, delete (with undo), preview old versions, import.

Every database call here degrades to a warning: a damaged or locked database must never take
the description form down with it.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

import streamlit as st

from prd_assistant import dismissed
from prd_assistant.ui import run, state, versions

if TYPE_CHECKING:  # the database layer loads after the first paint's form is drawn
    from prd_assistant.store import DraftStore

LISTED = 15


def _when(timestamp: float) -> str:
    return time.strftime("%d %b %H:%M", time.localtime(timestamp))


def _new() -> None:
    state.set_draft(None)
    run.cancel_run()
    st.session_state["clarify"] = None
    for key in ("description", "service_name", "audience", "constraints", "numbers"):
        st.session_state[key] = ""


def _open(draft_id: str) -> None:
    target = state.store()
    try:
        loaded = target.load_versioned(draft_id) if target else None
        meta = target.load_meta(draft_id) if target and loaded else {}
    except Exception as exc:  # a damaged row: say so, keep the page
        state.flash("warning", f"That draft could not be opened: {state.failure_text(exc)}")
        return
    if loaded is None:
        state.flash("warning", "That draft is no longer in the database.")
        return
    run.cancel_run()
    meta.setdefault("dismissed", [])
    draft, revision = loaded
    state.set_draft(draft, meta=meta, revision=revision)
    st.session_state["description"] = draft.description


def _rename() -> None:
    current = state.draft()
    name = str(st.session_state.get("rename_text", "")).strip()
    if current is None or not name:
        return
    current.title = "# " + name.lstrip("# ")
    state.save(f"renamed to {name}")


def _delete() -> None:
    current = state.draft()
    target = state.store()
    if current is None or target is None:
        return
    try:
        target.delete(current.id)
    except Exception as exc:
        state.flash("warning", f"Could not delete the draft: {state.failure_text(exc)}")
        return
    st.session_state["deleted"] = {"draft": current, "meta": dict(st.session_state["meta"])}
    _new()


def _undo_delete() -> None:
    deleted: dict[str, Any] | None = st.session_state.get("deleted")
    st.session_state["deleted"] = None
    if deleted:
        state.set_draft(deleted["draft"], "restored after delete", meta=deleted["meta"])


def _import() -> None:
    upload = st.session_state.get("import_json")
    if upload is None:
        return
    from prd_assistant import export

    try:
        draft = export.from_json(upload.getvalue())
        draft.template()  # a damaged template is refused here, not on every later load
    except Exception as exc:  # any damage: one clear line, nothing replaced
        detail = str(exc) if isinstance(exc, ValueError) else exc.__class__.__name__
        state.flash("error", f"Could not import this file: {detail}")
        return
    target = state.store()
    stored = None
    if target is not None:
        try:
            stored = target.load_versioned(draft.id)
        except Exception:  # a damaged stored copy: import as a new draft
            stored = None
    if stored is not None and stored[0].to_dict() == draft.to_dict():
        # The same file again: open the stored draft instead of making a duplicate.
        _open(draft.id)
        state.flash("info", "This draft is already in History; opened it.")
        return
    if stored is not None:
        # Importing a file next to the draft it came from must not overwrite that draft.
        draft.id = uuid.uuid4().hex
    dismissed_ids = dismissed.ids_in_text(upload.getvalue())
    state.set_draft(draft, "imported from JSON", meta={"dismissed": dismissed_ids})
    st.session_state["description"] = draft.description
    state.flash("success", "Draft imported.")
    _import_section_history(target, draft.id, upload.getvalue())


def _import_section_history(target: DraftStore | None, draft_id: str, raw: bytes) -> None:
    """Files exported before one version model list each section's versions: keep them."""
    from prd_assistant.document import legacy_section_versions

    try:
        states = legacy_section_versions(json.loads(raw))
        if target is not None and states:
            target.add_history(draft_id, states)
    except Exception as exc:  # the draft is in; only its earlier versions are missing
        state.flash(
            "warning", f"Earlier versions in the file were not kept: {state.failure_text(exc)}"
        )


def render_history() -> None:
    """The "History" part of the sidebar."""
    from prd_assistant.store import display_title

    st.subheader("History")
    st.button("➕ New draft", key="new_draft", on_click=_new)
    deleted = st.session_state.get("deleted")
    if deleted:
        st.caption(f"Deleted '{display_title(deleted['draft'])}'.")
        st.button("Undo delete", key="undo_delete", on_click=_undo_delete)
    target = state.store()
    if target is not None:
        try:
            _render_drafts(target)
        except Exception as exc:  # history is optional: the form must still show
            st.warning(f"History is unavailable: {state.failure_text(exc)} New drafts still work.")
    st.file_uploader("Import a JSON draft", type=["json"], key="import_json")
    st.button("Import", key="import_button", on_click=_import)


def _render_drafts(target: DraftStore) -> None:
    from prd_assistant.store import display_title

    current = state.draft()
    query = st.text_input(
        "Search drafts", key="history_search", placeholder="Title contains…"
    ).strip()
    drafts = target.list_drafts(limit=200 if query else LISTED)
    if query:
        drafts = [d for d in drafts if query.casefold() in d.title.casefold()][:LISTED]
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
        st.caption("No draft matches." if query else "Drafts are saved here automatically.")
    if current is None:
        return
    with st.expander("This draft: rename, delete, versions"):
        st.text_input("New name", key="rename_text", placeholder=display_title(current))
        left, right = st.columns(2)
        left.button("Rename", key="rename_button", on_click=_rename)
        right.button("Delete", key="delete_button", on_click=_delete, help="Undo is offered.")
        saved = target.versions(current.id)
        if len(saved) > 1:
            versions.render_draft_versions(saved)
