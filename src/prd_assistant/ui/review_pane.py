"""The review pane: findings grouped by section, Apply / Dismiss / Restore, AI suggestions.

Review runs on every rerun but is cached by the document text, so unchanged text is never
reviewed twice and an edit is re-reviewed at once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import streamlit as st

from prd_assistant import assist, llm
from prd_assistant.consistency import Contradiction, check_consistency
from prd_assistant.document import Draft
from prd_assistant.review import Finding, review
from prd_assistant.ui import actions, highlight, sidebar, state
from prd_assistant.ui.highlight import DOCUMENT_KEY, Located

CATEGORY_LABEL = {"open_question": "Open questions", "unquantified_claim": "Unquantified claims"}


@lru_cache(maxsize=64)
def _review(markdown: str) -> tuple[Finding, ...]:
    return tuple(review(markdown))


@lru_cache(maxsize=64)
def _contradictions(markdown: str) -> tuple[Contradiction, ...]:
    return tuple(check_consistency(markdown))


def findings(draft: Draft) -> list[Located]:
    """Every finding on the draft, located in its section (dismissed ones included)."""
    markdown = draft.to_markdown()
    return highlight.locate(draft, markdown, _review(markdown))


def active(located: list[Located]) -> list[Located]:
    """The findings the PM has not dismissed."""
    hidden = state.dismissed()
    return [item for item in located if item.id not in hidden]


def _apply(item: Located) -> None:
    draft = state.draft()
    if draft is None or not item.key:
        return
    note = actions.apply_finding(draft, item)
    if note:
        state.save(note)
    # Open the editor so the PM fills in the rewrite's placeholders.
    st.session_state[f"editor_{item.key}"] = draft.section(item.key).text
    st.session_state["editing"] = st.session_state["editing"] | {item.key}


def _dismiss(finding_id: str) -> None:
    state.set_dismissed(state.dismissed() | {finding_id})
    state.save("dismiss finding")


def _restore(finding_id: str) -> None:
    state.set_dismissed(state.dismissed() - {finding_id})
    state.save("restore finding")


def render_review(draft: Draft, located: list[Located]) -> None:
    """The review pane for ``draft``."""
    hidden = state.dismissed()
    active = [item for item in located if item.id not in hidden]
    st.subheader("Review")
    counts = {cat: sum(1 for i in active if i.finding.category == cat) for cat in CATEGORY_LABEL}
    cols = st.columns(len(counts))
    for col, (category, count) in zip(cols, counts.items(), strict=True):
        col.metric(CATEGORY_LABEL[category], count)
    if not active:
        st.success("No open questions or unquantified claims flagged.")
    titles = {s.key: s.title for s in draft.sections}
    order = [DOCUMENT_KEY, *titles]
    for key in order:
        group = [item for item in active if item.key == key]
        if not group:
            continue
        with st.expander(f"{titles.get(key, 'Title')} ({len(group)})", expanded=True):
            for item in group:
                _render_finding(item, locked=bool(key) and draft.section(key).locked)
    gone = [item for item in located if item.id in hidden]
    if gone:
        with st.expander(f"Dismissed ({len(gone)})"):
            for item in gone:
                st.markdown(
                    f"~~{highlight.render(item.finding.match)}~~ — {titles.get(item.key, '')}",
                    unsafe_allow_html=True,
                )
                st.button("Restore", key=f"restore_{item.id}", on_click=_restore, args=(item.id,))
    _render_contradictions(draft)
    _render_suggestions(draft)


def _render_contradictions(draft: Draft) -> None:
    found = _contradictions(draft.to_markdown())
    if not found:
        return
    with st.expander(f"Contradictions ({len(found)})", expanded=True):
        for item in found:
            with st.container(border=True):
                st.markdown(
                    f"⚖️ {highlight.render(item.message)}  \n"
                    f"*Question:* {highlight.render(item.question)}",
                    unsafe_allow_html=True,
                )


def _render_finding(item: Located, locked: bool) -> None:
    finding = item.finding
    icon = "❓" if finding.category == "open_question" else "📏"
    with st.container(border=True, key=f"finding_{item.id}"):
        st.markdown(
            f"{icon} **{highlight.render(finding.match)}** — {highlight.render(finding.message)}",
            unsafe_allow_html=True,
        )
        st.markdown(f"*Question:* {highlight.render(finding.question)}", unsafe_allow_html=True)
        if finding.suggestion:
            st.markdown(
                f"*Suggested rewrite:* {highlight.render(finding.suggestion)}",
                unsafe_allow_html=True,
            )
        left, right = st.columns(2)
        left.button(
            "Apply",
            key=f"apply_{item.id}",
            on_click=_apply,
            args=(item,),
            disabled=locked or not item.key or not finding.suggestion,
            help="Unlock the section to apply."
            if locked
            else "Put the rewrite in place and open the editor to fill it in.",
        )
        right.button("Dismiss", key=f"dismiss_{item.id}", on_click=_dismiss, args=(item.id,))


def _suggest() -> None:
    draft = state.draft()
    if draft is None:
        return
    try:
        model = sidebar.create_model()
        if model is None:
            state.flash("info", "Connect a model in the sidebar to get suggestions.")
            return
        markdown = draft.to_markdown()
        result = assist.suggest(model, markdown, list(_review(markdown)))
    except Exception as exc:  # an optional step; tell the PM and go on
        state.flash("error", f"Could not get suggestions: {llm.describe_error(exc)}")
        return
    st.session_state["suggestions"] = result
    st.session_state["accepted"] = set()


def _suggestion_id(kind: str, text: str) -> str:
    return kind + "_" + hashlib.sha1(text.encode()).hexdigest()[:10]


def _accept(kind: str, index: int, sid: str) -> None:
    draft = state.draft()
    result = st.session_state["suggestions"]
    if draft is None or result is None:
        return
    blocked = _locked_target(draft, kind)
    if blocked:
        state.flash("warning", f"'{blocked}' is locked; unlock it to accept suggestions into it.")
        return
    before = {s.key: s.text for s in draft.sections}
    try:
        if kind == "risk":
            key = assist.accept_risk(draft, result.risks[index])
        else:
            key = assist.accept_question(draft, result.open_questions[index])
    except assist.AssistError as exc:
        state.flash("warning", str(exc))
        return
    st.session_state["accepted"] = st.session_state["accepted"] | {sid}
    state.save(actions.accepted(draft, key, before[key]) or "accept suggestion")


def _locked_target(draft: Draft, kind: str) -> str:
    """Title of the locked section a suggestion would go into ("" if none is locked)."""
    words = ("risk",) if kind == "risk" else ("open question", "unresolved")
    for section in draft.sections:
        if any(w in section.title.casefold() for w in words):
            return section.title if section.locked else ""
    return ""


def _render_suggestions(draft: Draft) -> None:
    st.divider()
    st.button(
        "Suggest risks & open questions",
        key="suggest_button",
        on_click=_suggest,
        disabled=not sidebar.is_configured(),
        help="One model pass over the draft."
        if sidebar.is_configured()
        else "Connect a model in the sidebar first.",
    )
    result = st.session_state["suggestions"]
    if result is None:
        return
    accepted = st.session_state["accepted"]
    if not result.risks and not result.open_questions:
        st.info("The model found no risks or open questions beyond the ones flagged already.")
    for index, risk in enumerate(result.risks):
        text = assist.risk_markdown(risk)
        sid = _suggestion_id("risk", text)
        with st.container(border=True):
            st.markdown(
                f"⚠️ **Risk:** {highlight.render(risk.title)}  \n"
                f"*{risk.likelihood} likelihood, {risk.impact} impact* — "
                f"{highlight.render(risk.mitigation)}",
                unsafe_allow_html=True,
            )
            st.button(
                "Accepted ✓" if sid in accepted else "Accept into Risks & Mitigations",
                key=f"accept_{sid}",
                on_click=_accept,
                args=("risk", index, sid),
                disabled=sid in accepted,
            )
    for index, question in enumerate(result.open_questions):
        text = assist.question_markdown(question)
        sid = _suggestion_id("question", text)
        with st.container(border=True):
            st.markdown(
                f"❓ **{highlight.render(question.question)}**  \n{highlight.render(question.why)}",
                unsafe_allow_html=True,
            )
            st.button(
                "Accepted ✓" if sid in accepted else "Accept into Open Questions",
                key=f"accept_{sid}",
                on_click=_accept,
                args=("question", index, sid),
                disabled=sid in accepted,
            )
