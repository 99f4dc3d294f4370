"""The review pane's traceability block: use cases without requirements, MUSTs without
testable acceptance criteria, dangling and duplicate IDs (cached by the document text)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import streamlit as st

from prd_assistant.document import Draft
from prd_assistant.ui import highlight

if TYPE_CHECKING:
    from prd_assistant.review import Finding


@lru_cache(maxsize=64)
def _gaps(markdown: str) -> tuple[Finding, ...]:
    from prd_assistant.traceability import check_traceability

    return tuple(check_traceability(markdown))


def render_traceability(draft: Draft) -> None:
    """An expander listing the draft's traceability gaps; nothing when there are none."""
    found = _gaps(draft.to_markdown())
    if not found:
        return
    with st.expander(f"Traceability ({len(found)})", expanded=True):
        for item in found:
            with st.container(border=True):
                where = (
                    f"{item.section} · line {item.line}" if item.section else f"line {item.line}"
                )
                st.markdown(
                    f"🔗 **{highlight.render(item.match)}** — {highlight.render(item.message)}  \n"
                    f"*{highlight.render(where)}*  \n"
                    f"*Question:* {highlight.render(item.question)}  \n"
                    f"*Fix:* {highlight.render(item.suggestion)}",
                    unsafe_allow_html=True,
                )
