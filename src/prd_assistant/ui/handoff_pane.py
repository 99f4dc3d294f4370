"""Hand-off pane: preview what a push to GitHub Issues or Jira will create, update or report as
deleted, then push exactly that; or download a Jira import CSV, Markdown that pastes into
Notion/Confluence, or Confluence HTML.

Tokens come from the environment or ``st.secrets`` only (never a widget, never session state),
so they are not stored, logged or exported. The preview keeps only plain text and the list of
changes (no client object, which would hold the token); the push plans again and refuses to
write when the tracker changed since the preview.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from prd_assistant.document import Draft
from prd_assistant.trackers import TrackerError, apply_plan, collect_items, plan_push
from prd_assistant.ui.state import env_or_secret

_TARGETS = ("GitHub Issues", "Jira")


def _init() -> None:
    for key, value in (("handoff_plan", None), ("handoff_result", "")):
        st.session_state.setdefault(key, value)


def _signature(draft: Draft) -> str:
    """What a preview was made for: the text and the target settings."""
    parts = [draft.to_markdown(), st.session_state.get("handoff_target", "")]
    parts += [
        str(st.session_state.get(k, ""))
        for k in ("handoff_repo", "handoff_api", "handoff_server", "handoff_project")
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _tracker():
    if st.session_state.get("handoff_target") == "Jira":
        from prd_assistant.trackers.jira import JiraTracker

        token = env_or_secret("JIRA_API_TOKEN") or env_or_secret("JIRA_PAT")
        if not token:
            raise TrackerError(
                "Set JIRA_API_TOKEN and JIRA_EMAIL (Jira Cloud) or JIRA_PAT in the environment or .streamlit/secrets.toml."
            )
        email = env_or_secret("JIRA_EMAIL") if env_or_secret("JIRA_API_TOKEN") else None
        return JiraTracker(
            st.session_state["handoff_server"],
            st.session_state["handoff_project"],
            token,
            email or None,
        )
    from prd_assistant.trackers.github import GitHubTracker

    token = env_or_secret("GITHUB_TOKEN")
    if not token:
        raise TrackerError(
            "Set GITHUB_TOKEN in the environment or .streamlit/secrets.toml (a token with issues: write)."
        )
    return GitHubTracker(st.session_state["handoff_repo"], token, st.session_state["handoff_api"])


def _plan(draft: Draft):
    tracker = _tracker()
    items = collect_items(draft.to_markdown())
    return tracker, plan_push(tracker, items, draft.id, draft.title.lstrip("# "))


def _preview(draft: Draft) -> None:
    st.session_state["handoff_result"] = ""
    try:
        _, plan = _plan(draft)
    except TrackerError as exc:
        st.session_state["handoff_plan"] = None
        st.session_state["handoff_result"] = f"error:{exc}"
        return
    changes = [(c.action, c.item_id) for c in plan.changes]
    st.session_state["handoff_plan"] = (_signature(draft), changes, plan.render())


def _push(draft: Draft) -> None:
    held = st.session_state["handoff_plan"]
    if held is None or held[0] != _signature(draft):
        st.session_state["handoff_result"] = (
            "error:The draft or the target changed since the preview; preview again."
        )
        return
    try:
        tracker, plan = _plan(draft)
        changes = [(c.action, c.item_id) for c in plan.changes]
        if changes != held[1]:
            st.session_state["handoff_plan"] = (held[0], changes, plan.render())
            st.session_state["handoff_result"] = (
                "error:The tracker changed since the preview; check the new preview, then push."
            )
            return
        done = apply_plan(tracker, plan)
    except TrackerError as exc:
        st.session_state["handoff_result"] = f"error:{exc}"
        return
    created = sum(c.action == "create" for c in done)
    st.session_state["handoff_result"] = (
        f"ok:Pushed: {created} created, {len(done) - created} updated; "
        f"{len(plan.of('deleted'))} issue(s) whose requirement left the PRD were left open."
    )
    st.session_state["handoff_plan"] = None


def render_handoff(draft: Draft) -> None:
    """The hand-off expander under the draft's exports."""
    _init()
    with st.expander("Hand off to a tracker"):
        target = st.radio("Tracker", _TARGETS, key="handoff_target", horizontal=True)
        if target == "Jira":
            st.text_input(
                "Jira URL", key="handoff_server", placeholder="https://example.atlassian.net"
            )
            st.text_input("Project key", key="handoff_project", placeholder="PRD")
        else:
            st.text_input("Repository", key="handoff_repo", placeholder="owner/name")
            st.text_input("API URL", key="handoff_api", value="https://api.github.com")
        st.caption(
            "The token is read from the environment or .streamlit/secrets.toml, never typed here."
        )
        left, right = st.columns(2)
        left.button("Preview push", key="handoff_preview", on_click=_preview, args=(draft,))
        held = st.session_state["handoff_plan"]
        fresh = held is not None and held[0] == _signature(draft)
        right.button(
            "Push",
            key="handoff_push",
            on_click=_push,
            args=(draft,),
            disabled=not fresh,
            help="Preview first; the push does exactly what the preview shows.",
        )
        if fresh:
            st.code(held[2], language=None)
        result = st.session_state["handoff_result"]
        if result.startswith("error:"):
            st.error(result[6:])
        elif result.startswith("ok:"):
            st.success(result[3:])
        from prd_assistant.export_wiki import confluence_html, html_page, paste_markdown
        from prd_assistant.trackers.jira_csv import jira_csv

        markdown = draft.to_markdown()
        title = draft.title.lstrip("# ")
        cols = st.columns(3)
        cols[0].download_button(
            "⬇ Jira import CSV",
            jira_csv(collect_items(markdown), draft.id, title),
            file_name="prd-issues.csv",
            mime="text/csv",
            key="download_jira_csv",
            on_click="ignore",
        )
        cols[1].download_button(
            "⬇ Notion / Confluence Markdown",
            paste_markdown(markdown),
            file_name="prd-paste.md",
            mime="text/markdown",
            key="download_paste_md",
            on_click="ignore",
            help="Tables and task lists that paste cleanly; one line per paragraph.",
        )
        cols[2].download_button(
            "⬇ Confluence HTML",
            html_page(title, confluence_html(markdown)),
            file_name="prd-confluence.html",
            mime="text/html",
            key="download_confluence_html",
            on_click="ignore",
            help="Confluence storage format (tables, task lists), sanitised.",
        )
