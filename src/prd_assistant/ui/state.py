"""Session state: one guarded place for every key, the current draft and saving it.

Every change to the draft goes through :func:`save`, which writes it to the store and puts its
id in the URL (``?draft=<id>``), so a refreshed or reopened tab finds the work where it was.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from prd_assistant.document import Draft
from prd_assistant.store import LOCAL_USER, DraftStore, StoreError, default_url
from prd_assistant.template import DEFAULT_TEMPLATE_NAME, default_template_text

QUERY_KEY = "draft"

# Every session_state key the app uses, with its initial value. Widget keys are here too so
# their defaults are set once, before the widget exists (no "value=" + state conflicts).
DEFAULTS: dict[str, Any] = {
    "draft": None,  # Draft being worked on
    "user": LOCAL_USER,  # who is logged in (ui.auth.require_user sets it on every run)
    "meta": {},  # UI state saved with the draft: {"dismissed": [finding ids]}
    "run": None,  # pending drafting run: {"keys", "instruction", "source", "done"}
    "editing": set(),  # section keys whose editor is open
    "flash": [],  # (kind, message) shown once after a rerun
    "models": {},  # server URL -> model names from /v1/models
    "connection": None,  # {"ok": bool, "message": str} from "Test connection"
    "clarify": None,  # {"questions": [...], "draft": Draft} while the clarify form is open
    "suggestions": None,  # assist.Suggestions for the current draft
    "accepted": set(),  # suggestion ids accepted into the draft
    "proposal": None,  # id of the finding whose fix or answer is being previewed
    "proposal_error": None,  # why the last Accept was refused
    "undo": None,  # {"key", "before", "title"}: the last accepted change, for Undo
    "template_text": None,  # uploaded template text (None: the default template)
    "template_name": DEFAULT_TEMPLATE_NAME,
    "template_error": None,
    "restored": False,
    "input_error": None,
    "docx_cache": None,  # (markdown, docx bytes): DOCX is rebuilt only when the text changes
    # widgets
    "provider": None,
    "custom_url": "",
    "api_key": "",
    "model_choice": None,
    "model_text": "",
    "temperature": 0.2,
    "concurrency": 6,
    "description": "",
    "service_name": "",
    "audience": "",
    "constraints": "",
    "numbers": "",
    "clarify_enabled": True,
    "include_edited": False,
}


def init_state() -> None:
    """Sets every key in :data:`DEFAULTS` that the session does not have yet."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if isinstance(value, dict | set | list) else value


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> DraftStore:
    return DraftStore(url)


def store() -> DraftStore | None:
    """The draft store acting for the session's user, or None (with a warning) if it fails."""
    try:
        return _open_store(default_url()).as_user(st.session_state.get("user") or LOCAL_USER)
    except StoreError as exc:
        st.warning(f"Drafts are not being saved: {exc}", icon="⚠️")
        return None


def draft() -> Draft | None:
    """The draft being worked on."""
    return st.session_state["draft"]


def set_draft(new: Draft | None, note: str = "", meta: dict[str, Any] | None = None) -> None:
    """Makes ``new`` the current draft (saving it) and resets per-draft UI state."""
    st.session_state["draft"] = new
    st.session_state["meta"] = meta if meta is not None else {"dismissed": []}
    st.session_state["editing"] = set()
    st.session_state["suggestions"] = None
    st.session_state["accepted"] = set()
    st.session_state["proposal"] = None
    st.session_state["undo"] = None
    if new is None:
        st.query_params.pop(QUERY_KEY, None)
        return
    save(note)


def save(note: str = "", version: bool = True) -> None:
    """Saves the current draft and its UI state; keeps ``?draft=<id>`` in the URL.

    Args:
        note: What changed, for the version list.
        version: False while drafting streams in, so one drafting run is one version.
    """
    current = draft()
    if current is None:
        return
    if st.query_params.get(QUERY_KEY) != current.id:
        st.query_params[QUERY_KEY] = current.id
    target = store()
    if target is not None:
        try:
            target.save(current, note, meta=st.session_state["meta"], version=version)
        except Exception as exc:  # saving must never lose the page
            st.warning(
                f"Could not save the draft ({exc.__class__.__name__}); it is kept in this tab."
            )


def restore_from_url() -> None:
    """Once per session: reopens the draft named in ``?draft=`` if the session has none."""
    if st.session_state["restored"]:
        return
    st.session_state["restored"] = True
    draft_id = st.query_params.get(QUERY_KEY)
    if not draft_id or draft() is not None:
        return
    target = store()
    loaded = target.load(draft_id) if target else None
    if loaded is None:
        flash("info", "The draft in the link was not found in this database; starting fresh.")
        st.query_params.pop(QUERY_KEY, None)
        return
    st.session_state["draft"] = loaded
    st.session_state["meta"] = target.load_meta(draft_id) if target else {}
    st.session_state["meta"].setdefault("dismissed", [])
    st.session_state["description"] = loaded.description


def dismissed() -> set[str]:
    """Ids of the findings the PM dismissed on this draft."""
    return set(st.session_state["meta"].get("dismissed", []))


def set_dismissed(ids: set[str]) -> None:
    st.session_state["meta"] = {**st.session_state["meta"], "dismissed": sorted(ids)}


def flash(kind: str, message: str) -> None:
    """Queues a message to show at the top of the next run."""
    st.session_state["flash"].append((kind, message))


def show_flashes() -> None:
    """Shows and clears the queued messages."""
    for kind, message in st.session_state["flash"]:
        getattr(st, kind, st.info)(message)
    st.session_state["flash"] = []


def template_source() -> tuple[str, str]:
    """(text, name) of the template chosen in the sidebar."""
    text = st.session_state["template_text"]
    if text is None:
        return default_template_text(), DEFAULT_TEMPLATE_NAME
    return text, st.session_state["template_name"]


def env_or_secret(name: str) -> str:
    """A value from the environment or ``st.secrets`` ("" if neither has it)."""
    if os.environ.get(name):
        return os.environ[name]
    try:
        value = st.secrets.get(name)
    except Exception:  # no secrets file is the normal case
        return ""
    return str(value) if value else ""
