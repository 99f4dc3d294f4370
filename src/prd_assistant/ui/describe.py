"""The service description, examples, optional context, the estimate and "Draft PRD".

Validation happens before anything is drafted: an empty, too short or too long description
is stopped with a message that says what to change. With a model configured, "Draft PRD"
first shows one short clarifying form (Skip is one click).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import streamlit as st

from prd_assistant.document import Draft
from prd_assistant.template import parse_template
from prd_assistant.ui import highlight, labels, sidebar, state
from prd_assistant.ui.run import start_run

if TYPE_CHECKING:  # the model layer loads on the first model call, not on first paint
    from prd_assistant.assist import ClarifyingQuestion

EXAMPLES: dict[str, str] = {
    "ParcelPing": (
        "ParcelPing is a delivery notification service for online merchants. It sends SMS and "
        "email updates to shoppers when a parcel ships, is out for delivery or is delayed, using "
        "Twilio and SendGrid. Merchants connect their store once; peak load is about 2,000 "
        "notifications per minute during holiday sales."
    ),
    "ShiftSwap": (
        "ShiftSwap lets hourly staff at retail chains swap or give away shifts from their phone, "
        "with manager approval in one tap. It syncs with the chain's scheduling system (Kronos, "
        "Deputy) and must respect labour rules such as maximum weekly hours and rest periods."
    ),
    "LedgerLens": (
        "LedgerLens is an internal service that reconciles payment provider settlements (Stripe, "
        "Adyen) against our order ledger every night and flags mismatches to the finance team. "
        "It handles about 3 million transactions a day across 12 currencies."
    ),
}
PAGE_STYLE = (
    highlight.STYLE
    + labels.STYLE
    + """
<style>
/* The review pane stays in view beside the draft on wide screens. */
@media (min-width: 1100px) {
  div[data-testid="stColumn"]:has(.st-key-review_pane) {
    position: sticky; top: 3.75rem; align-self: flex-start;
    max-height: calc(100vh - 4.5rem); overflow-y: auto;
  }
}
</style>
"""
)
_NAME = re.compile(r"^\s*([A-Z][A-Za-z0-9]+(?:[ -][A-Z][A-Za-z0-9]+)?)\b")


def guess_service_name(description: str) -> str:
    """The leading capitalised name of a description ("ParcelPing is ..." -> "ParcelPing")."""
    match = _NAME.match(description)
    if not match or match.group(1).split()[0] in {"The", "A", "An", "We", "Our", "This", "It"}:
        return ""
    return match.group(1)


def context_text() -> str:
    """The optional context fields, as one block given to every section."""
    parts = [
        ("Audience", st.session_state["audience"]),
        ("Constraints", st.session_state["constraints"]),
        ("Known numbers", st.session_state["numbers"]),
    ]
    return "\n".join(f"{label}: {value.strip()}" for label, value in parts if value.strip())


@lru_cache(maxsize=32)
def _estimate(
    description: str, context: str, template_text: str, template_name: str, model: str
) -> tuple[int, float | None]:
    from prd_assistant.drafting import Drafter

    template = parse_template(template_text, template_name)
    draft = Draft.from_template(template, description, "Service", context)
    usage = Drafter(template, None, model_name=model).estimate(draft)
    total = sum(u.total_tokens for u in usage.values())
    costs = [u.cost_usd for u in usage.values()]
    return total, None if any(c is None for c in costs) else sum(c or 0.0 for c in costs)


def _use_example(name: str) -> None:
    st.session_state["description"] = EXAMPLES[name]
    st.session_state["service_name"] = name
    st.session_state["input_error"] = None


def new_draft() -> Draft | None:
    """A new draft from the inputs, or None with ``input_error`` set."""
    from prd_assistant.description import DescriptionError, check_description

    text, name = state.template_source()
    template = parse_template(text, name)
    try:
        description = check_description(st.session_state["description"], sidebar.model_name())
    except DescriptionError as exc:
        st.session_state["input_error"] = str(exc)
        return None
    problem = sidebar.setup_problem()
    if problem:
        # Never fall back to an outline silently: outlines are a choice of provider.
        st.session_state["input_error"] = problem
        return None
    st.session_state["input_error"] = None
    service = st.session_state["service_name"].strip() or guess_service_name(description)
    draft = Draft.from_template(template, description, service, context_text())
    draft.acceptance_style = st.session_state.get("acceptance_style") or "given-when-then"
    draft.outline = sidebar.outline_chosen()
    draft.model = "" if draft.outline else sidebar.model_name()
    return draft


def _draft_clicked() -> None:
    draft = new_draft()
    if draft is None:
        return
    if st.session_state["clarify_enabled"] and sidebar.is_configured():
        # Asked for below the button, under a named spinner, with the button disabled.
        st.session_state["clarify_pending"] = draft
        return
    start_run(draft, new=True)


def _ask_clarifying_questions() -> None:
    draft: Draft = st.session_state["clarify_pending"]
    try:
        with st.spinner("Asking the model for clarifying questions…"):
            questions = _clarifying_questions(draft)
    finally:
        st.session_state["clarify_pending"] = None
    if questions:
        st.session_state["clarify"] = {"questions": questions, "draft": draft}
    else:
        start_run(draft, new=True)
    st.rerun()


def _clarifying_questions(draft: Draft) -> list[ClarifyingQuestion]:
    from prd_assistant import assist, usage_meter

    try:
        model = sidebar.create_model()
        if model is None:
            return []
        # Booked to the draft about to be made (its id is kept whatever the answers are).
        book = state.usage_book(draft.id, sidebar.model_name())
        with usage_meter.booking(usage_meter.CLARIFYING_QUESTIONS, book):
            return list(
                assist.clarifying_questions(
                    model, draft.description, draft.context, retries=sidebar.retries()
                )
            )
    except Exception as exc:  # clarifying is optional; drafting goes on without it
        state.flash("info", f"Skipped the clarifying questions: {sidebar.explain(exc)}")
        return []


def render_input() -> None:
    """The description form and the "Draft PRD" button."""
    cols = st.columns(len(EXAMPLES) + 1)
    cols[0].caption("Try an example:")
    for col, name in zip(cols[1:], EXAMPLES, strict=True):
        col.button(
            name,
            key=f"example_{name}",
            on_click=_use_example,
            args=(name,),
            width="stretch",
        )
    st.text_area(
        "Service description",
        key="description",
        height=140,
        placeholder="What the service does, for whom, and any numbers you already know.",
    )
    st.text_input(
        "Service name (optional)",
        key="service_name",
        placeholder="Taken from the description if empty",
    )
    with st.expander("Optional context: audience, constraints, known numbers"):
        st.text_input("Audience", key="audience", placeholder="e.g. mid-size EU merchants")
        st.text_area(
            "Constraints",
            key="constraints",
            height=70,
            placeholder="e.g. GDPR; must run on our Kubernetes clusters",
        )
        st.text_area(
            "Known numbers",
            key="numbers",
            height=70,
            placeholder="e.g. 2,000 messages/min peak; budget $3k/month",
        )
        st.radio(
            "Acceptance criteria style",
            ("given-when-then", "ears"),
            format_func=lambda v: "Given/When/Then" if v == "given-when-then" else "EARS",
            key="acceptance_style",
            horizontal=True,
            help="How functional requirements state their acceptance criteria.",
        )
    _render_estimate()
    if st.session_state.get("input_error"):
        st.error(st.session_state["input_error"])
    configured = sidebar.is_configured()
    left, right = st.columns([1, 3])
    pending = st.session_state["clarify_pending"] is not None
    left.button(
        "Draft PRD",
        key="draft_button",
        type="primary",
        on_click=_draft_clicked,
        disabled=st.session_state["run"] is not None or pending,
    )
    if configured:
        right.checkbox("Ask up to 5 clarifying questions first", key="clarify_enabled")
    if pending:
        _ask_clarifying_questions()


def _render_estimate() -> None:
    description = st.session_state["description"].strip()
    if not description:
        return
    if sidebar.outline_chosen():
        st.caption("Outline mode: no model calls, no cost.")
        return
    if not sidebar.is_configured():
        return
    # The tokenizer loads once there is a description to count, not on first paint.
    from prd_assistant.description import DescriptionError, check_description

    text, name = state.template_source()
    model = sidebar.model_name()
    try:
        check_description(description, model)
    except DescriptionError:
        return
    total, cost = _estimate(description, context_text(), text, name, model)
    money = f"about ${cost:.4f}" if cost is not None else "cost unknown for this model"
    st.caption(f"Estimate before drafting: about {total:,} tokens, {money}.")


def _recommended_label(recommended: str) -> Callable[[str], str]:
    return lambda option: f"{option}  (recommended)" if option == recommended else option


def render_clarify_form() -> bool:
    """The clarifying questions, if asked; returns True while the form is showing."""
    pending = st.session_state["clarify"]
    if not pending:
        return False
    questions = pending["questions"]
    st.subheader("A few questions before drafting")
    st.caption(
        "Answers go into every section. Unanswered questions use the recommended answer "
        "as a stated assumption."
    )
    with st.form("clarify_form"):
        for index, question in enumerate(questions):
            options = list(question.options) or [question.recommended]
            default = options.index(question.recommended) if question.recommended in options else 0
            st.radio(
                question.question,
                options,
                index=default,
                key=f"clarify_choice_{index}",
                format_func=_recommended_label(question.recommended),
            )
            st.text_input("Or your own answer", key=f"clarify_text_{index}")
        submitted = st.form_submit_button(
            "Draft with these answers", key="clarify_submit", type="primary"
        )
    skipped = st.button(
        "Skip", key="clarify_skip", help="Draft now with the recommended answers as assumptions."
    )
    if submitted or skipped:
        answers: dict[int, str] = {}
        if submitted:
            for index in range(len(questions)):
                typed = st.session_state.get(f"clarify_text_{index}", "").strip()
                answers[index] = typed or st.session_state.get(f"clarify_choice_{index}", "")
        from prd_assistant import assist

        draft: Draft = pending["draft"]
        draft.clarifications = assist.to_clarifications(questions, answers)
        st.session_state["clarify"] = None
        start_run(draft, new=True)
        st.rerun()
    return True
