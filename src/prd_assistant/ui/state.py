"""Session state: one guarded place for every key, the current draft and saving it.

Every change to the draft goes through :func:`save`, which writes it to the store and puts its
id in the URL (``?draft=<id>``), so a refreshed or reopened tab finds the work where it was.
"""

from __future__ import annotations

import copy
import json
import os
from typing import TYPE_CHECKING, Any

import streamlit as st

from prd_assistant.document import Draft, Usage
from prd_assistant.redaction import error_text
from prd_assistant.store import LOCAL_USER
from prd_assistant.template import DEFAULT_TEMPLATE_NAME, default_template_text
from prd_assistant.ui import meta_merge

if TYPE_CHECKING:  # the database layer loads after the first paint's form is drawn
    from prd_assistant.store import DraftStore
    from prd_assistant.usage_meter import Book

QUERY_KEY = "draft"

# Every session_state key the app uses, with its initial value. Widget keys are here too so
# their defaults are set once, before the widget exists (no "value=" + state conflicts).
DEFAULTS: dict[str, Any] = {
    "draft": None,  # Draft being worked on
    "user": LOCAL_USER,  # who is logged in (ui.auth.require_user sets it on every run)
    "meta": {},  # UI state saved with the draft: {"dismissed": [finding ids]}
    "run": None,  # pending drafting run: {"keys", "instruction", "source", "done"}
    "followed": set(),  # runs of other pages this session tried to pick up (ids)
    "editing": set(),  # section keys whose editor is open
    "flash": [],  # (kind, message) shown once after a rerun
    "models": {},  # server URL -> model names from /v1/models
    "server_slots": {},  # server URL -> calls it runs at once (llama.cpp /props), None: unknown
    "connection": None,  # {"ok": bool, "message": str} from "Test connection"
    "connection_pending": False,  # Test connection clicked; runs under a spinner
    "model_pick": None,  # model chosen by Test connection, selected on the next run
    "clarify": None,  # {"questions": [...], "draft": Draft} while the clarify form is open
    "confirm_outline": None,
    "suggest_pending": False,  # Suggest clicked; the model call runs under a spinner
    "suggest_error": None,  # why the last Suggest failed, shown beside the button  # a run waiting for "write the outline anyway"
    "clarify_pending": None,  # Draft waiting for its clarifying questions (spinner showing)
    "suggestions": None,  # assist.Suggestions for the current draft
    "accepted": set(),  # suggestion ids accepted into the draft
    "proposal": None,  # id of the finding whose fix or answer is being previewed
    "proposal_error": None,  # why the last Accept was refused
    "undo": None,  # {"key", "before", "title"}: the last accepted change, for Undo
    "revision": 0,  # stored revision the draft in this tab is based on (0: not stored yet)
    "base_texts": {},  # section texts at that revision, for merging after a conflict
    "base_meta": {},  # the UI state ("meta") at that revision, merged the same way
    "conflict": None,  # {"message", "revision"} when a save was refused as stale
    "save_error": None,  # why the last save failed; shown until a save succeeds
    "deleted": None,  # {"draft", "meta"} of the draft just deleted, for Undo
    "section_history": None,  # ((draft id, revision), {section key: [SectionRevision]})
    "version_preview": None,  # id of the saved version of the draft being previewed
    "version_confirm": False,  # "Open this version" clicked; asking before replacing
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


# Keys that last one page run: set afresh at the top of every run.
PER_RUN: dict[str, Any] = {
    "store_warned": False,  # the store failed and this run has said so
}


def init_state() -> None:
    """Sets every key in :data:`DEFAULTS` that the session does not have yet, and resets the
    keys in :data:`PER_RUN`."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if isinstance(value, dict | set | list) else value
    st.session_state.update(PER_RUN)


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> DraftStore:
    from prd_assistant.store import DraftStore

    return DraftStore(url)


def store() -> DraftStore | None:
    """The draft store acting for the session's user, or None if it fails.

    A failure is said once per page run: history, sharing and saving each ask for the store,
    and a failed open is not cached (the next run tries again, so a fixed database is used).
    """
    from prd_assistant.store import default_url

    try:
        return _open_store(default_url()).as_user(st.session_state.get("user") or LOCAL_USER)
    except Exception as exc:  # a broken database must leave the form usable
        if not st.session_state.get("store_warned"):
            st.session_state["store_warned"] = True
            st.warning(f"Drafts are not being saved: {failure_text(exc)}", icon="⚠️")
        return None


def usage_book(draft_id: str, model: str) -> Book | None:
    """Books this user's model calls for ``draft_id`` ("" for none) as they are made, with
    ``model``'s name (None: the store cannot be opened, and nothing is booked).

    Safe to call from any thread: it holds the store, not the session.
    """
    target = store()
    if target is None:
        return None
    return lambda what, usage: target.book_usage(draft_id, what, model, usage)


def spent_on(draft_id: str) -> Usage | None:
    """What this user's model calls on a draft cost in all, from the usage ledger (None: the
    store cannot be read)."""
    target = store()
    if target is None:
        return None
    from prd_assistant.store.usage import spent_on_draft

    try:
        return spent_on_draft(target, draft_id)
    except Exception:  # a figure beside the draft: never worth failing the page for
        return None


def draft() -> Draft | None:
    """The draft being worked on."""
    return st.session_state["draft"]


def set_draft(
    new: Draft | None,
    note: str = "",
    meta: dict[str, Any] | None = None,
    revision: int | None = 0,
) -> None:
    """Makes ``new`` the current draft and resets per-draft UI state.

    Args:
        new: The draft, or None to start over.
        note: Version note; a draft that is not stored yet (``revision`` 0) is saved with it.
        meta: UI state stored with the draft.
        revision: The stored revision ``new`` was loaded at; 0 for a draft not stored yet.
    """
    st.session_state["draft"] = new
    st.session_state["meta"] = meta if meta is not None else {"dismissed": []}
    st.session_state["editing"] = set()
    st.session_state["suggestions"] = None
    st.session_state["accepted"] = set()
    st.session_state["proposal"] = None
    st.session_state["undo"] = None
    st.session_state["conflict"] = None
    st.session_state["version_preview"] = None
    st.session_state["revision"] = revision
    st.session_state["base_texts"] = _texts(new) if new is not None else {}
    st.session_state["base_meta"] = copy.deepcopy(st.session_state["meta"])
    if new is None:
        st.query_params.pop(QUERY_KEY, None)
        return
    if revision == 0:
        # A new draft is stored at once (so the link works) but is not a version until it has text.
        save(note, version=any(s.text.strip() for s in new.sections))
    elif st.query_params.get(QUERY_KEY) != new.id:
        st.query_params[QUERY_KEY] = new.id


def _texts(draft: Draft) -> dict[str, str]:
    return {s.key: s.text for s in draft.sections}


def save(note: str = "", version: bool = True, *, force: bool = False) -> bool:
    """Saves the current draft and its UI state; keeps ``?draft=<id>`` in the URL.

    Every save says which stored revision it was based on, so a save from a tab that missed
    another tab's save is refused (and shown as a conflict) instead of undoing that work.

    Args:
        note: What changed, for the version list.
        version: False while drafting streams in, so one drafting run is one version.
        force: Save over whatever is stored ("keep mine" after a conflict).

    Returns:
        Whether the draft was saved.
    """
    current = draft()
    if current is None:
        return False
    if st.query_params.get(QUERY_KEY) != current.id:
        st.query_params[QUERY_KEY] = current.id
    target = store()
    if target is None:
        # store() said why; the draft lives only in this tab until the database works again.
        st.session_state["save_error"] = (
            "Could not save the draft (the database cannot be used); it is kept in this tab "
            "only. Download it below to keep it."
        )
        return False
    if st.session_state["conflict"] and not force:
        return False  # nothing is saved over the other tab's work until the PM decides
    from prd_assistant.store import ConflictError

    base = None if force else st.session_state["revision"]
    try:
        revision = target.save(
            current, note, meta=st.session_state["meta"], version=version, base_revision=base
        )
    except ConflictError as exc:
        st.session_state["conflict"] = {"message": str(exc), "revision": exc.current_revision}
        return False
    except Exception as exc:  # saving must never lose the page
        st.session_state["save_error"] = (
            f"Could not save the draft ({failure_text(exc)}); it is kept in this tab only. "
            "Download it below, or free disk space and keep working: the next change saves again."
        )
        return False
    st.session_state["revision"] = revision
    st.session_state["save_error"] = None
    st.session_state["base_texts"] = _texts(current)
    st.session_state["base_meta"] = copy.deepcopy(st.session_state["meta"])
    return True


def failure_text(exc: Exception) -> str:
    """A failure's own first line for the PM (store errors say what to do), never a trace.

    Redacted: an unexpected error may carry a key or a URL with its password.
    """
    return error_text(exc, limit=400)  # room for a file path and what to do about it


def _reload() -> None:
    """The stored draft replaces this tab's, but a run's unsaved text here is offered on it.

    Reload drops the PM's unsaved changes. A model's text was paid for, so, as Merge does, it
    is kept as an offer on its section (saved at once, which books its tokens).
    """
    current = draft()
    target = store()
    loaded = target.load_versioned(current.id) if target and current else None
    if current is None or target is None or loaded is None:
        flash("warning", "The draft is no longer in the database; keeping this tab's copy.")
        st.session_state["conflict"] = None
        st.session_state["revision"] = 0
        return
    from prd_assistant.ui import redraft_offers  # it saves through this module

    theirs, revision = loaded
    offers = _unsaved_run_texts(current, theirs)
    set_draft(
        theirs, meta=redraft_offers.keep(target.load_meta(theirs.id), offers), revision=revision
    )
    message = "Reloaded the saved draft; this tab's unsaved changes were dropped."
    if offers:
        save("kept the model's unsaved text as offers after a reload", version=False)
        titles = ", ".join(s.title for s in theirs.sections if s.key in offers)
        message += f" The model's text written here is offered on {titles}, to use or discard."
    flash("info", message)


def _unsaved_run_texts(mine: Draft, theirs: Draft) -> dict[str, Any]:
    """Offers of the texts a run wrote in this tab since its last save that ``theirs`` lacks."""
    from prd_assistant.ui import redraft_offers

    base = st.session_state["base_texts"]
    stored = {s.key: s.text for s in theirs.sections}
    return {
        s.key: redraft_offers.Offer.from_section(s)
        for s in mine.sections
        if redraft_offers.written_by_run(s)
        and s.text != base.get(s.key, s.text)
        and stored.get(s.key, s.text) != s.text
    }


def _keep_mine() -> None:
    """This tab's draft over the stored one; what was saved elsewhere in ``meta`` stays."""
    current = draft()
    target = store()
    if current is not None and target is not None:
        # Offers a run saved and findings dismissed elsewhere are not this tab's to drop.
        _merge_meta(target.load_meta(current.id))
    st.session_state["conflict"] = None
    save("kept this tab's version over a change made elsewhere", force=True)


def _merge_meta(stored: dict[str, Any]) -> None:
    """Takes into this tab's ``meta`` what was saved elsewhere since this tab's last save."""
    mine = st.session_state["meta"]
    st.session_state["meta"] = meta_merge.merge(st.session_state["base_meta"], mine, stored)


def _merge() -> None:
    """Sections changed only here keep this tab's text; all others take the stored text."""
    mine = draft()
    target = store()
    loaded = target.load_versioned(mine.id) if target and mine else None
    if mine is None or loaded is None:
        _keep_mine()
        return
    theirs, revision = loaded
    from prd_assistant.ui import redraft_offers  # it saves through this module

    base = st.session_state["base_texts"]
    both: list[str] = []
    offers: dict[str, redraft_offers.Offer] = {}
    for section in mine.sections:
        try:
            other = theirs.section(section.key)
        except KeyError:
            continue
        changed_here = section.text != base.get(section.key, section.text)
        changed_there = other.text != base.get(section.key, other.text)
        if changed_here and changed_there and other.text != section.text:
            if redraft_offers.written_by_run(section) and not redraft_offers.written_by_run(other):
                # A run's text here, the PM's there: the PM's stays, the run's is offered.
                offers[section.key] = redraft_offers.Offer.from_section(section)
                continue
            both.append(section.title)
        if changed_here:
            theirs.sections[theirs.sections.index(other)] = section
    theirs.register = mine.register or theirs.register
    st.session_state["draft"] = theirs
    st.session_state["revision"] = revision
    st.session_state["conflict"] = None
    st.session_state["editing"] = set()
    # Offers saved elsewhere stay offered, and the ones this tab used or discarded stay gone.
    _merge_meta(target.load_meta(mine.id) if target else {})
    st.session_state["meta"] = redraft_offers.keep(st.session_state["meta"], offers)
    save("merged with a change made elsewhere")
    if offers:
        flash(
            "info",
            "Kept the text written elsewhere in "
            + ", ".join(s.title for s in theirs.sections if s.key in offers)
            + "; the model's new text is offered on the section to use or discard.",
        )
    if both:
        flash(
            "warning",
            "Changed in both places, this tab's text kept (the other is in the version list): "
            + ", ".join(both),
        )
    else:
        flash("success", "Merged: your changes and the ones made elsewhere are all kept.")


def render_save_problems() -> None:
    """A refused (conflicting) or failed save, shown until it is resolved."""
    conflict = st.session_state["conflict"]
    current = draft()
    if conflict:
        st.error(
            "**Changed elsewhere.** " + conflict["message"] + " Nothing from this tab is saved "
            "until you choose: reload / keep mine / merge.",
            icon="⚠️",
        )
        cols = st.columns(3)
        cols[0].button(
            "Reload",
            key="conflict_reload",
            on_click=_reload,
            help="Open the saved draft; drop this tab's unsaved changes.",
        )
        cols[1].button(
            "Keep mine",
            key="conflict_keep",
            on_click=_keep_mine,
            help="Save this tab's draft over the change made elsewhere (it stays in History).",
        )
        cols[2].button(
            "Merge",
            key="conflict_merge",
            type="primary",
            on_click=_merge,
            help="Keep the sections changed here and take every other section from the saved draft.",
        )
        st.caption(
            "Reload drops this tab's changes · Keep mine saves this tab's draft over the other "
            "change (which stays in History) · Merge keeps the sections changed here and takes "
            "the rest from the saved draft."
        )
    if st.session_state["save_error"] and current is not None:
        st.error(st.session_state["save_error"], icon="💾")
    if (conflict or st.session_state["save_error"]) and current is not None:
        st.download_button(
            "⬇ Download this draft (JSON)",
            json.dumps(current.to_dict(), ensure_ascii=False, indent=2),
            file_name=f"{current.id}.json",
            mime="application/json",
            key="download_unsaved",
            on_click="ignore",
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
    try:
        loaded = target.load_versioned(draft_id) if target else None
        meta = target.load_meta(draft_id) if target and loaded else {}
    except Exception as exc:  # a damaged row must not take the page down
        flash("warning", f"The draft in the link could not be opened ({failure_text(exc)}).")
        st.query_params.pop(QUERY_KEY, None)
        return
    if loaded is None:
        flash("info", "The draft in the link was not found in this database; starting fresh.")
        st.query_params.pop(QUERY_KEY, None)
        return
    opened, revision = loaded
    meta.setdefault("dismissed", [])
    set_draft(opened, meta=meta, revision=revision)
    st.session_state["description"] = opened.description


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
