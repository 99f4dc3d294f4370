"""Sharing the current draft with named people or the whole workspace (team modes only)."""

from __future__ import annotations

import streamlit as st

from prd_assistant import identity, store
from prd_assistant.store import WORKSPACE
from prd_assistant.ui import auth, labels, state


def _who(principal: str) -> str:
    return "Everyone in the workspace" if principal == WORKSPACE else principal


def _share() -> None:
    target, current = state.store(), state.draft()
    if target is None or current is None:
        return
    can_edit = st.session_state.get("share_access") == "Can edit"
    names = st.session_state.get("share_with", "").replace(";", ",").split(",")
    people = [identity.clean_user(n) for n in names if n.strip()]
    if any(p is None for p in people):
        state.flash("error", "Write people as user names or e-mails, separated by commas.")
        return
    principals = [p for p in people if p] + (
        [WORKSPACE] if st.session_state.get("share_all") else []
    )
    if not principals:
        state.flash("warning", "Name someone to share with, or tick the whole workspace.")
        return
    try:
        for principal in principals:
            target.share(current.id, principal, can_edit=can_edit)
    except store.StoreError as exc:
        state.flash("error", str(exc))
        return
    st.session_state["share_with"] = ""
    state.flash("success", f"Shared with {', '.join(_who(p) for p in principals)}.")


def _unshare(principal: str) -> None:
    target, current = state.store(), state.draft()
    if target is None or current is None:
        return
    try:
        target.unshare(current.id, principal)
    except store.StoreError as exc:
        state.flash("error", str(exc))


def render_sharing() -> None:
    """The "Sharing" part of the sidebar; nothing in local mode or without a saved draft."""
    current, target = state.draft(), state.store()
    if current is None or target is None or auth.settings().mode == "local":
        return
    try:
        access = target.access(current.id)
        shares = target.shares(current.id) if access == "owner" else []
    except store.StoreError as exc:
        st.warning(str(exc))
        return
    st.subheader("Sharing")
    if access is None:
        st.caption("This draft is not saved yet.")
        return
    if access != "owner":
        kind = "editable" if access == "edit" else "read-only"
        st.caption(f"Shared with you ({kind}).")
        return
    for share in shares:
        kind = "can edit" if share.can_edit else "can view"
        left, right = st.columns([3, 1])
        left.caption(f"{_who(share.principal)} · {kind}")
        right.button(
            labels.named("Stop", f"sharing with {_who(share.principal)}"),
            key=f"unshare_{share.principal}",
            on_click=_unshare,
            args=(share.principal,),
        )
    st.text_input("Share with (e-mails, comma-separated)", key="share_with")
    st.checkbox("Everyone in the workspace", key="share_all")
    st.radio("Access", ["Can view", "Can edit"], key="share_access", horizontal=True)
    st.button("Share", key="share_button", on_click=_share)
