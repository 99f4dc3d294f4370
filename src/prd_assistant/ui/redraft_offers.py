"""Redrafts that finished after the PM changed their section elsewhere: offered, not applied.

A run drafts each section from the text it had when the run started. When the PM changes
(or locks) that section in another tab meanwhile, the model's new text must not replace the
PM's. It is kept instead in the draft's saved UI state (``meta``) as an offer, shown on the section's card
beside the PM's text, to use or to discard.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import streamlit as st

from prd_assistant.document import REDRAFT_OFFERS_KEY, SectionDraft, SectionStatus, Usage
from prd_assistant.events import SectionDone
from prd_assistant.redaction import redact
from prd_assistant.ui import actions, highlight, labels, state

META_KEY = REDRAFT_OFFERS_KEY  # meta[META_KEY]: {section key: Offer.to_dict()}
# How a drafting run records the texts it writes (ui.run), and what the offer calls each;
# every other source is the PM's.
RUN_SOURCES = {
    "draft": "draft",
    "outline": "outline",
    "regenerate": "regeneration",
    "redraft": "redraft",
}


@dataclass(frozen=True)
class Offer:
    """A section's text written by a run, held back because the PM changed the section.

    Attributes:
        text: The model's text (already redacted, as a saved section's is).
        source: How the run wrote it ("regenerate", "redraft", "draft").
        usage: Tokens and cost of the call that wrote it.
        seconds: How long the call took.
        truncated: The model stopped at its length limit.
    """

    text: str
    source: str
    usage: Usage
    seconds: float
    truncated: bool = False

    @classmethod
    def from_event(cls, event: SectionDone, source: str) -> Offer:
        return cls(redact(event.text), source, event.usage, event.seconds, event.truncated)

    @classmethod
    def from_section(cls, section: SectionDraft) -> Offer:
        truncated = section.status == SectionStatus.TRUNCATED
        return cls(section.text, section.source, section.usage, section.seconds, truncated)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Offer:
        return cls(
            text=str(data.get("text", "")),
            source=str(data.get("source", "")),
            usage=Usage(**(data.get("usage") or {})),
            seconds=float(data.get("seconds") or 0.0),
            truncated=bool(data.get("truncated")),
        )

    def as_event(self, key: str) -> SectionDone:
        """The offer as the run's event for ``key``, to apply when the PM takes it."""
        return SectionDone(key, self.text, self.usage, self.seconds, self.truncated)


def written_by_run(section: SectionDraft) -> bool:
    """Whether the section's text is a run's, untouched by the PM since."""
    return not section.edited and section.source in RUN_SOURCES


def pending(meta: dict[str, Any]) -> dict[str, Offer]:
    """The offers stored in a draft's ``meta``, by section key."""
    stored = meta.get(META_KEY) or {}
    return {key: Offer.from_dict(value) for key, value in stored.items()}


def keep(meta: dict[str, Any], offers: dict[str, Offer]) -> dict[str, Any]:
    """``meta`` with ``offers`` added (a newer offer for a section replaces the older one)."""
    if not offers:
        return meta
    stored = dict(meta.get(META_KEY) or {})
    stored.update({key: offer.to_dict() for key, offer in offers.items()})
    return {**meta, META_KEY: stored}


def drop(meta: dict[str, Any], key: str) -> dict[str, Any]:
    """``meta`` without the offer for section ``key``."""
    stored = {k: v for k, v in (meta.get(META_KEY) or {}).items() if k != key}
    return (
        {**meta, META_KEY: stored} if stored else {k: v for k, v in meta.items() if k != META_KEY}
    )


def _use(key: str) -> None:
    draft = state.draft()
    offer = pending(st.session_state["meta"]).get(key)
    if draft is None or offer is None:
        return
    try:
        note = actions.take_redraft(draft, offer.as_event(key), offer.source)
    except actions.LockedError as exc:
        state.flash("warning", str(exc))
        return
    st.session_state["meta"] = drop(st.session_state["meta"], key)
    state.save(note)


def _discard(key: str) -> None:
    draft = state.draft()
    if draft is None:
        return
    st.session_state["meta"] = drop(st.session_state["meta"], key)
    state.save(f"discard the offered redraft: {draft.section(key).title}")


def render(section: SectionDraft) -> None:
    """The offer on ``section``'s card, if there is one: both texts, Use / Discard."""
    offer = pending(st.session_state["meta"]).get(section.key)
    if offer is None:
        return
    key, title = section.key, section.title
    kind = RUN_SOURCES.get(offer.source, "redraft")
    with st.container(border=True, key=f"redraft_offer_{key}"):
        st.warning(
            f"**The {kind} of {title} finished after this section was changed "
            "elsewhere.** Your text is kept; the model's text is offered here. Use it, or "
            "discard it.",
            icon="⚠️",
        )
        now, offered = highlight.side_by_side(section.text, offer.text)
        left, right = st.columns(2)
        left.caption("Now (kept)")
        left.html(highlight.STYLE + now)
        right.caption(f"Offered: the {kind}")
        right.html(highlight.STYLE + offered)
        use, discard = st.columns(2)
        use.button(
            labels.named("Use the redraft", title),
            key=f"redraft_use_{key}",
            on_click=_use,
            args=(key,),
            disabled=section.locked,
            help=f"Unlock {title} to use it." if section.locked else None,
        )
        discard.button(
            labels.named("Discard the redraft", title),
            key=f"redraft_discard_{key}",
            on_click=_discard,
            args=(key,),
        )
