"""The review pane: findings grouped by section, Apply / Dismiss / Restore, AI suggestions.

Review runs on every rerun but is cached by the document text, so unchanged text is never
reviewed twice and an edit is re-reviewed at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import streamlit as st

from prd_assistant import register
from prd_assistant.dismissed import Dismissal
from prd_assistant.document import Draft, RegisterItem, SectionStatus
from prd_assistant.ui import actions, highlight, labels, proposals, register_view, sidebar, state
from prd_assistant.ui.highlight import DOCUMENT_KEY, Located
from prd_assistant.ui.traceability_pane import render_traceability

if TYPE_CHECKING:  # review, consistency and NLP load with the first draft, not on first paint
    from prd_assistant.consistency import Contradiction
    from prd_assistant.review import Finding

Card = tuple[Located, ...]  # identical findings in one sentence, shown as one card
CATEGORY_LABEL = {"open_question": "Open questions", "unquantified_claim": "Unquantified claims"}


@st.cache_resource(show_spinner="Loading the English language pipeline…")
def _language_pipeline() -> object:
    """One loaded pipeline per process (None when it cannot be loaded), shared by sessions."""
    from prd_assistant.review import nlp

    return nlp.pipeline()


@lru_cache(maxsize=64)
def _review(markdown: str) -> tuple[Finding, ...]:
    from prd_assistant.review import review

    _language_pipeline()
    return tuple(review(markdown))


@lru_cache(maxsize=64)
def _contradictions(markdown: str) -> tuple[Contradiction, ...]:
    from prd_assistant.consistency import check_consistency

    return tuple(check_consistency(markdown))


def findings(draft: Draft) -> list[Located]:
    """Every finding on the draft, located in its section (dismissed ones included)."""
    if not draft.written:
        # Every section failed, say: the failure page must not wait for the language
        # pipeline to find nothing.
        return []
    markdown = draft.to_markdown()
    return highlight.locate(draft, markdown, _review(markdown))


def active(located: list[Located]) -> list[Located]:
    """The findings the PM has not dismissed."""
    hidden = state.dismissed()
    return [item for item in located if item.id not in hidden]


def dismissals(draft: Draft, located: list[Located]) -> list[Dismissal]:
    """The findings the PM dismissed, as the exports carry them."""
    hidden = state.dismissed()
    titles = {s.key: s.title for s in draft.sections}
    out = []
    for item in located:
        if item.id in hidden:
            finding = item.finding
            section = titles.get(item.key, "")
            out.append(Dismissal(section, finding.match, finding.rule, finding.message, item.id))
    return out


def _open_proposal(item_id: str) -> None:
    st.session_state["proposal"] = item_id
    st.session_state["proposal_error"] = None


def _close_proposal() -> None:
    st.session_state["proposal"] = None
    st.session_state["proposal_error"] = None


def _values(item: Located, proposal: proposals.Proposal) -> list[str]:
    return [
        str(st.session_state.get(f"blank_{item.id}_{i}", "")) for i in range(len(proposal.labels))
    ]


def _accept_proposal(card: Card) -> None:
    """Puts the PM's filled-in rewrite or answer into the text (or the open editor)."""
    draft = state.draft()
    proposal = _proposal_for(draft, card) if draft else None
    if draft is None or proposal is None:
        return
    values = _values(card[0], proposal)
    try:
        _change_section(draft, proposal, lambda text: proposals.apply(text, proposal, values))
    except ValueError as exc:
        st.session_state["proposal_error"] = str(exc)
        return
    _close_proposal()


def _move_to_register(card: Card) -> None:
    """Takes an open question out of the text into the register, with its owner."""
    draft = state.draft()
    proposal = _proposal_for(draft, card) if draft else None
    if draft is None or proposal is None:
        return
    item = card[0]
    owner = str(st.session_state.get(f"owner_{item.id}", "")).strip()
    if not owner:
        st.session_state["proposal_error"] = "Name an owner before moving it to the register."
        return
    try:
        _change_section(draft, proposal, lambda text: proposals.remove(text, proposal))
    except ValueError as exc:
        st.session_state["proposal_error"] = str(exc)
        return
    section = draft.section(proposal.key)
    question = register.question_text(item.finding)
    draft.register.append(RegisterItem(question, section.title, owner=owner))
    state.save(f"moved to the register: {question[:40]}")
    _close_proposal()


def _change_section(
    draft: Draft, proposal: proposals.Proposal, change: Callable[[str], str]
) -> None:
    """Applies ``change`` to the section: into its open editor if the PM is typing there.

    Typed, unsaved text is never replaced: the change goes into the editor's buffer and the
    PM saves it with the rest. Otherwise the change is saved at once, with Undo offered.
    """
    key = proposal.key
    editor = f"editor_{key}"
    if key in st.session_state["editing"]:
        st.session_state[editor] = change(str(st.session_state.get(editor, "")))
        state.flash("info", "Put into your open editor; press Save there to keep it.")
        return
    section = draft.section(key)
    new_text = change(section.text.strip())
    undo = actions.snapshot(section)
    note = actions.edit(draft, key, new_text, source="apply")
    if note:
        st.session_state["undo"] = {"key": key, "before": undo, "title": section.title}
        state.save(note)


def _undo() -> None:
    pending = st.session_state["undo"]
    draft = state.draft()
    st.session_state["undo"] = None
    if not pending or draft is None:
        return
    try:
        note = actions.restore(draft, pending["key"], pending["before"])
    except actions.LockedError as exc:
        state.flash("warning", str(exc))
        return
    if note:
        state.save(note)


def _proposal_for(draft: Draft, card: Card) -> proposals.Proposal | None:
    if not card[0].key:
        return None
    return proposals.propose_card(card, draft.section(card[0].key).text.strip())


def _dismiss(finding_ids: tuple[str, ...]) -> None:
    state.set_dismissed(state.dismissed() | set(finding_ids))
    state.save("dismiss finding")


def _restore(finding_ids: tuple[str, ...]) -> None:
    state.set_dismissed(state.dismissed() - set(finding_ids))
    state.save("restore finding")


def _ids(card: Card) -> tuple[str, ...]:
    return tuple(item.id for item in card)


def render_review(draft: Draft, located: list[Located]) -> None:
    """The review pane for ``draft``."""
    hidden = state.dismissed()
    active = [item for item in located if item.id not in hidden]
    st.subheader("Review", anchor="review")
    _render_undo()
    cards = proposals.same_cards(active)
    counts = {cat: sum(1 for c in cards if c[0].finding.category == cat) for cat in CATEGORY_LABEL}
    cols = st.columns(len(counts))
    for col, (category, count) in zip(cols, counts.items(), strict=True):
        col.metric(CATEGORY_LABEL[category], count)
    from prd_assistant.review import nlp
    from prd_assistant.review.findings import SEVERITY_RANK

    warning = nlp.load_warning()
    if warning:
        st.warning(f"Review ran with reduced accuracy: {warning}.")
    titles = {s.key: s.title for s in draft.sections}
    listed = [item for item in active if item.finding.severity == "info"]
    flagged = [item for item in active if item.finding.severity != "info"]
    if draft.sections and all(s.status == SectionStatus.FAILED for s in draft.sections):
        st.warning("Nothing to review: every section failed. Retry them first.")
    elif not flagged:
        st.success("No open questions or unquantified claims flagged.")
    if listed:
        st.caption(
            f"{_plural(len(listed), 'open question')} listed under Open Questions, as "
            "expected: see the register below."
        )
    for key in [DOCUMENT_KEY, *titles]:
        group = sorted(
            (card for card in proposals.same_cards(flagged) if card[0].key == key),
            key=lambda c: -SEVERITY_RANK.get(c[0].finding.severity, 0),
        )
        if not group:
            continue
        locked = bool(key) and draft.section(key).locked
        opened = st.session_state["proposal"] in {card[0].id for card in group}
        with st.expander(
            f"{titles.get(key, 'Title')} · {_severity_summary(group)}",
            expanded=opened,
            key=f"group_{key or 'title'}",
        ):
            st.html(f'<span id="review-{key or "title"}"></span>')
            if locked:
                st.caption(f"🔒 {titles[key]} is locked: unlock it to change its text.")
            for card in group:
                _render_finding(draft, card, locked=locked)
    gone = proposals.same_cards([item for item in located if item.id in hidden])
    if gone:
        with st.expander(f"Dismissed ({len(gone)})"):
            for card in gone:
                item = card[0]
                st.markdown(
                    f"~~{highlight.render(item.finding.match)}~~{_repeats(card)} — "
                    f"{titles.get(item.key, '')}",
                    unsafe_allow_html=True,
                )
                st.button(
                    labels.named(
                        "Restore",
                        labels.finding_target(item.finding.match, titles.get(item.key, "")),
                    ),
                    key=f"restore_{item.id}",
                    on_click=_restore,
                    args=(_ids(card),),
                    help=f"Restore the flag on '{item.finding.match[:40]}'",
                )
    _render_contradictions(draft)
    register_view.render_register(draft)
    render_traceability(draft)
    _render_suggestions(draft)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _severity_summary(group: list[Card]) -> str:
    counts: dict[str, int] = {}
    for card in group:
        counts[card[0].finding.severity] = counts.get(card[0].finding.severity, 0) + 1
    return ", ".join(_plural(n, sev) for sev, n in counts.items())


def _repeats(card: Card) -> str:
    return f" ×{len(card)}" if len(card) > 1 else ""


def _render_undo() -> None:
    pending = st.session_state["undo"]
    if not pending:
        return
    left, right = st.columns([3, 1])
    left.caption(f"Changed '{pending['title']}'.")
    right.button("Undo", key="undo_button", on_click=_undo, help="Put the previous text back.")


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


def _asks_more_than_its_words(finding: Finding) -> bool:
    """True for an open question whose sentence reaches past the words that flagged it."""
    return (
        finding.category == "open_question"
        and (finding.location_start, finding.location_end) != (finding.start, finding.end)
        and finding.sentence.strip() != finding.match.strip()
    )


def _render_finding(draft: Draft, card: Card, locked: bool) -> None:
    item = card[0]
    finding = item.finding
    target = labels.finding_target(finding.match, draft.section(item.key).title if item.key else "")
    icon = "❓" if finding.category == "open_question" else "📏"
    anchor = f"sec-{item.key}" if item.key else "review"
    with st.container(border=True, key=f"finding_{item.id}"):
        st.markdown(
            f"{icon} **{highlight.render(finding.match)}**{_repeats(card)} — "
            f"{highlight.render(finding.message)} [↗ in the text](#{anchor})",
            unsafe_allow_html=True,
        )
        if len(card) > 1:
            st.caption(
                f"{len(card)} times in: {highlight.render(finding.sentence.strip())}",
                unsafe_allow_html=True,
            )
        elif _asks_more_than_its_words(finding):
            # An open question is its whole sentence: the PM answers all of it, not "TBD".
            st.caption(f"In: {highlight.render(finding.sentence.strip())}", unsafe_allow_html=True)
        if finding.question and finding.question.strip() != finding.match.strip():
            st.markdown(f"*Question:* {highlight.render(finding.question)}", unsafe_allow_html=True)
        proposal = _proposal_for(draft, card)
        if st.session_state["proposal"] == item.id and proposal is not None:
            _render_proposal(draft, card, proposal, locked)
            return
        left, right = st.columns(2)
        if proposal is not None:
            label = "Answer…" if proposal.kind == proposals.ANSWER else "Suggest a fix…"
            left.button(
                labels.named(label, target),
                key=f"apply_{item.id}",
                on_click=_open_proposal,
                args=(item.id,),
                disabled=locked,
                help="Unlock the section first."
                if locked
                else f"Preview a change to '{finding.match[:40]}' before anything is saved.",
            )
        right.button(
            labels.named("Dismiss", target),
            key=f"dismiss_{item.id}",
            on_click=_dismiss,
            args=(_ids(card),),
            help=f"Dismiss the flag on '{finding.match[:40]}'",
        )


def _render_proposal(draft: Draft, card: Card, proposal: proposals.Proposal, locked: bool) -> None:
    """The blanks to fill in, a preview of the changed text, Accept / Reject."""
    item = card[0]
    target = labels.finding_target(item.finding.match, draft.section(proposal.key).title)
    answer = proposal.kind == proposals.ANSWER
    if not answer:
        st.caption(
            "Suggested wording: " + highlight.render(proposal.template), unsafe_allow_html=True
        )
    for index, label in enumerate(proposal.labels):
        st.text_input(label, key=f"blank_{item.id}_{index}")
    values = _values(item, proposal)
    text = draft.section(proposal.key).text.strip()
    before = _paragraph(text, proposal.start, proposal.end)
    after_text = text[: proposal.start] + proposals.filled(proposal, values) + text[proposal.end :]
    after = _paragraph(
        after_text, proposal.start, proposal.start + len(proposals.filled(proposal, values))
    )
    old, new = highlight.side_by_side(before, after)
    left, right = st.columns(2)
    left.caption("Now")
    left.html(highlight.STYLE + old)
    right.caption("After accepting")
    right.html(highlight.STYLE + new)
    if st.session_state["proposal_error"]:
        st.error(st.session_state["proposal_error"])
    cols = st.columns(3 if answer else 2)
    cols[0].button(
        labels.named("Accept", target),
        key=f"acceptfix_{item.id}",
        type="primary",
        on_click=_accept_proposal,
        args=(card,),
        disabled=locked,
    )
    cols[1].button(
        labels.named("Reject", target), key=f"rejectfix_{item.id}", on_click=_close_proposal
    )
    if answer:
        with cols[2].popover(labels.named("Move to register", target)):
            st.text_input("Owner", key=f"owner_{item.id}", placeholder="e.g. Head of Support")
            st.button(
                labels.named("Move", target),
                key=f"move_{item.id}",
                on_click=_move_to_register,
                args=(card,),
                disabled=locked,
            )


def _paragraph(text: str, start: int, end: int) -> str:
    """The lines of ``text`` around ``start:end`` (the part a change touches)."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return text[first : len(text) if last < 0 else last]


def _suggest() -> None:
    st.session_state["suggest_pending"] = True
    st.session_state["suggest_error"] = None


def _run_suggest(draft: Draft) -> None:
    """One model pass for risks and open questions, under a spinner beside its button."""
    try:
        with st.spinner("Asking the model for risks and open questions…"):
            model = sidebar.create_model()
            if model is None:
                st.session_state["suggest_error"] = (
                    f"Suggestions need a model: pick a provider in {sidebar.PANEL}."
                )
                return
            from prd_assistant import assist, usage_meter

            markdown = draft.to_markdown()
            book = state.usage_book(draft.id, sidebar.model_name())
            with usage_meter.booking(usage_meter.SUGGESTIONS, book):
                result = assist.suggest(
                    model, markdown, list(_review(markdown)), retries=sidebar.retries()
                )
    except Exception as exc:  # an optional step; tell the PM beside the button and go on
        st.session_state["suggest_error"] = f"Could not get suggestions: {sidebar.explain(exc)}"
        return
    finally:
        st.session_state["suggest_pending"] = False
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
    from prd_assistant import assist

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
    pending = st.session_state["suggest_pending"]
    st.button(
        "Suggest risks & open questions",
        key="suggest_button",
        on_click=_suggest,
        disabled=not sidebar.is_configured() or pending,
        help="One model pass over the draft."
        if sidebar.is_configured()
        else f"Connect a model in {sidebar.PANEL} first.",
    )
    if not sidebar.is_configured():
        st.caption(f"Suggestions need a model: connect one in {sidebar.PANEL} first.")
    if pending:
        _run_suggest(draft)
        st.rerun()
    if st.session_state["suggest_error"]:
        st.error(st.session_state["suggest_error"])
    result = st.session_state["suggestions"]
    if result is None:
        return
    from prd_assistant import assist

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
