"""The open-questions register on the page: a table of every row and a form for one row.

An answer written here goes back into the text: a question that still stands in its section
is replaced by the answer; a question moved out earlier gets its answer added to its section.
"""

from __future__ import annotations

import streamlit as st

from prd_assistant import register
from prd_assistant.document import Draft
from prd_assistant.register import Row
from prd_assistant.ui import actions, highlight, state

STATUSES = ("open", "answered")


def _editable(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.section != register.CLARIFYING]


def _selected() -> tuple[Draft, Row] | None:
    """The current draft and the register row picked in the form."""
    draft = state.draft()
    if draft is None:
        return None
    rows = _editable(register.rows(draft))
    index = st.session_state.get("register_row")
    if index is None or not 0 <= int(index) < len(rows):
        return None
    return draft, rows[int(index)]


def _save_row() -> None:
    picked = _selected()
    if picked is None:
        return
    draft, row = picked
    owner = str(st.session_state.get("register_owner", "")).strip()
    due = str(st.session_state.get("register_due", "")).strip()
    answer = str(st.session_state.get("register_answer", "")).strip()
    status = "answered" if answer else str(st.session_state.get("register_status", "open"))
    key = _section_key(draft, row.section)
    if answer and answer != row.answer and key:
        try:
            _write_answer(draft, key, row, answer)
        except actions.LockedError as exc:
            state.flash("warning", f"Nothing was saved. {exc}")
            return
    register.upsert(draft, row, owner=owner, due=due, status=status, answer=answer)
    state.save(f"register: {row.question[:40]}")


def _section_key(draft: Draft, title: str) -> str:
    for section in draft.sections:
        if section.title == title:
            return section.key
    return ""


def _write_answer(draft: Draft, key: str, row: Row, answer: str) -> None:
    """Puts the answer into the section: in place of the question, or after the text."""
    section = draft.section(key)
    text = section.text.strip()
    found = _question_span(text, row.question)
    if found is not None:
        start, end = found
        new_text = text[:start] + answer + text[end:]
    else:
        new_text = f"{text}\n\n**{row.question}** {answer}".strip()
    actions.edit(draft, key, new_text, source="answer")


def _question_span(text: str, question: str) -> tuple[int, int] | None:
    """Where the question (with an "Open question:" prefix, if any) stands in ``text``."""
    at = text.find(question)
    if at < 0:
        return None
    end = at + len(question)
    for prefix in ("Open question:", "**Open question:**", "Question:"):
        lead = text[max(0, at - len(prefix) - 1) : at].strip()
        if lead.endswith(prefix):
            at = text.rfind(prefix, 0, at)
            break
    return at, end


def _load_row() -> None:
    picked = _selected()
    if picked is None:
        return
    row = picked[1]
    st.session_state["register_owner"] = row.owner
    st.session_state["register_due"] = row.due
    st.session_state["register_answer"] = row.answer
    st.session_state["register_status"] = row.status if row.status in STATUSES else "open"


def render_register(draft: Draft) -> None:
    """The register: every row, then a form to give one row an owner, a date or an answer."""
    rows = register.rows(draft)
    open_count = sum(1 for r in rows if r.status == "open")
    with st.expander(f"Open questions register ({open_count} open of {len(rows)})"):
        if not rows:
            st.caption("No open questions or assumptions in this draft.")
            return
        editable = _editable(rows)
        if editable:
            st.markdown(highlight.render(register.table(editable)), unsafe_allow_html=True)
        if len(editable) < len(rows):
            st.caption("Clarifying answers and assumptions")
            st.markdown(highlight.render(register.clarified(rows)), unsafe_allow_html=True)
        if not editable:
            return
        if st.session_state.get("register_row") not in range(len(editable)):
            st.session_state["register_row"] = 0
            _load_row()
        st.selectbox(
            "Question",
            range(len(editable)),
            key="register_row",
            format_func=lambda i: f"{editable[i].question[:80]} ({editable[i].section})",
            on_change=_load_row,
        )
        with st.form("register_form", border=False):
            left, right = st.columns(2)
            left.text_input("Owner", key="register_owner", placeholder="e.g. Head of Support")
            right.text_input("Due", key="register_due", placeholder="e.g. 2026-01-15")
            st.text_area(
                "Answer (goes into the text)",
                key="register_answer",
                height=80,
                placeholder="Write the decision; it replaces the question in its section.",
            )
            st.radio("Status", STATUSES, key="register_status", horizontal=True)
            st.form_submit_button("Save row", key="register_save", on_click=_save_row)
