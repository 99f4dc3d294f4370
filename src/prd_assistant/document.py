"""The draft as data: sections with status, usage and timings, and its JSON form.

Everything that crosses a module boundary (drafting -> UI, store, export, CLI) is one of
these dataclasses. ``Draft.to_dict`` / ``Draft.from_dict`` are the JSON export/import format.
A draft's history is the list of its saved revisions in the store (one version model); a
section's history is a view of it. Drafts saved before that kept a per-section ``versions``
list: :func:`legacy_section_versions` reads it so nothing of it is lost.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from prd_assistant.redaction import redact, strip_credentials
from prd_assistant.template import Template, parse_template

FORMAT_VERSION = 1
OUTLINE_NOTE = (
    "> **Outline** - drafted without a language model: the structure of each section, the facts "
    "taken from the description and the open questions to answer. Connect a model for a full draft."
)


class SectionStatus(StrEnum):
    """Where a section is in its life."""

    WAITING = "waiting"
    WRITING = "writing"
    DONE = "done"
    FAILED = "failed"
    # Written, but the model stopped at its length limit: the text may end mid-sentence.
    TRUNCATED = "truncated"


# Where a draft's saved UI state (``meta``) keeps the texts a drafting run wrote after the
# PM changed their section elsewhere, by section key (see ui.redraft_offers). Their model
# calls were made, so the store books them as they arrive, whatever the PM does with them.
REDRAFT_OFFERS_KEY = "redraft_offers"


@dataclass
class Usage:
    """Tokens, cost and whether the numbers came from the server (exact) or tiktoken/estimate."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    exact: bool = False
    cost_usd: float | None = None

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        cost = None
        if self.cost_usd is not None or other.cost_usd is not None:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.exact and other.exact,
            cost,
        )


@dataclass
class SectionDraft:
    """One section of a draft. ``text`` is the body under the heading, without the heading."""

    key: str
    heading: str
    title: str
    text: str = ""
    status: SectionStatus = SectionStatus.WAITING
    error: str | None = None
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    locked: bool = False
    edited: bool = False
    stale: bool = False
    # How the text came to be: "draft", "outline", "regenerate", "redraft", "edit", "apply",
    # "answer", "revert", "undo" ("" before anything was written).
    source: str = ""

    def set_text(self, text: str, source: str) -> None:
        """Replaces the text and records how it came to be."""
        self.text = text
        self.source = source


@dataclass
class Clarification:
    """A clarifying question asked before drafting and the PM's answer (or the assumption made)."""

    question: str
    answer: str
    assumed: bool = False


@dataclass
class RegisterItem:
    """One row of the open-questions register: a question taken out of the text, or answered."""

    question: str
    section: str = ""  # title of the section it came from
    owner: str = ""
    due: str = ""
    status: str = "open"  # "open" or "answered"
    answer: str = ""


@dataclass
class Draft:
    """A whole PRD draft."""

    title: str
    description: str
    template_name: str
    template_text: str
    sections: list[SectionDraft]
    footer: str = ""
    context: str = ""
    model: str = ""
    # The server the model answered from, without credentials (see redaction.strip_credentials),
    # so --resume talks to the same one; "" in drafts saved before it was recorded.
    base_url: str = ""
    outline: bool = False
    clarifications: list[Clarification] = field(default_factory=list)
    register: list[RegisterItem] = field(default_factory=list)
    # How functional requirements write acceptance criteria: "given-when-then" or "ears".
    acceptance_style: str = "given-when-then"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    @classmethod
    def from_template(
        cls, template: Template, description: str, service_name: str, context: str = ""
    ) -> Draft:
        """A new, empty draft with one waiting section per template section."""
        return cls(
            title=template.title_for(service_name),
            description=description,
            context=context,
            template_name=template.name,
            template_text=template.source,
            footer=template.footer,
            sections=[SectionDraft(s.key, s.heading, s.title) for s in template.sections],
        )

    def template(self) -> Template:
        """The template this draft was made from."""
        return parse_template(self.template_text, self.template_name)

    def section(self, key: str) -> SectionDraft:
        """Returns the section with ``key``; raises KeyError if there is none."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def usage(self) -> Usage:
        total = Usage(exact=True)
        for section in self.sections:
            total = total + section.usage
        return total

    @property
    def failed(self) -> list[SectionDraft]:
        return [s for s in self.sections if s.status == SectionStatus.FAILED]

    @property
    def written(self) -> bool:
        """Whether any section has text (none has when every section failed)."""
        return any(s.text.strip() for s in self.sections)

    @property
    def truncated(self) -> list[SectionDraft]:
        """Sections the model stopped at its length limit (kept, but possibly incomplete)."""
        return [s for s in self.sections if s.status == SectionStatus.TRUNCATED]

    def to_markdown(self) -> str:
        """The draft as Markdown, with every template heading verbatim and in order."""
        parts = [self.title, ""]
        if self.outline:
            parts += [OUTLINE_NOTE, ""]
        for section in self.sections:
            body = section.text.strip()
            if not body and section.status == SectionStatus.FAILED:
                body = f"> Drafting this section failed: {section.error}"
            parts += [section.heading, "", body, ""]
        if self.footer:
            parts += [self.footer, ""]
        return "\n".join(parts).rstrip() + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` reads it back."""
        data = asdict(self)
        data["format_version"] = FORMAT_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        """Rebuilds a draft from :meth:`to_dict` output (drafts saved by older versions too).

        Raises:
            ValueError: If the data is not a PRD Assistant draft or is damaged; the message
                says which field.
        """
        if not isinstance(data, dict) or "sections" not in data or "template_text" not in data:
            raise ValueError(
                "This JSON is not a PRD Assistant draft (no 'sections'/'template_text')."
            )
        try:
            _check_fields(data, _DRAFT_TEXT_FIELDS, "the draft")
            if not isinstance(data["sections"], list) or not data["sections"]:
                raise ValueError("'sections' must be a non-empty list")
            sections = [_section_from_dict(s, i) for i, s in enumerate(data["sections"], 1)]
            known = {f.name for f in fields(cls)} - {"sections", "clarifications", "register"}
            values = {k: v for k, v in data.items() if k in known}
            if values.get("base_url"):
                values["base_url"] = strip_credentials(values["base_url"])  # as saves keep it
            for name, kind in (("clarifications", Clarification), ("register", RegisterItem)):
                items = data.get(name) or []
                if not isinstance(items, list):
                    raise ValueError(f"'{name}' must be a list")
                values[name] = [_from_mapping(kind, item) for item in items]
            return cls(sections=sections, **values)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise ValueError(
                f"This draft JSON is damaged or from an unknown version: {exc}"
            ) from None


_DRAFT_TEXT_FIELDS = ("title", "description", "template_name", "template_text")
_SECTION_TEXT_FIELDS = ("key", "heading", "title", "text")


def _check_fields(data: dict[str, Any], names: tuple[str, ...], where: str) -> None:
    for name in names:
        if not isinstance(data.get(name, ""), str):
            raise ValueError(f"'{name}' of {where} must be text, not {_kind(data.get(name))}")
    for name in ("footer", "context", "model", "base_url"):
        if name in data and not isinstance(data[name], str):
            raise ValueError(f"'{name}' of {where} must be text, not {_kind(data[name])}")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _section_from_dict(data: Any, number: int) -> SectionDraft:
    where = f"section {number}"
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object, not {_kind(data)}")
    for name in ("key", "heading", "title"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise ValueError(f"'{name}' of {where} must be text, not {_kind(data.get(name))}")
    _check_fields(data, _SECTION_TEXT_FIELDS, where)
    versions = _legacy_versions(data, where)
    values = {k: v for k, v in data.items() if k in {f.name for f in fields(SectionDraft)}}
    values["status"] = SectionStatus(data.get("status") or "waiting")
    values["usage"] = _from_mapping(Usage, data.get("usage") or {})
    if not isinstance(values.get("source", ""), str):
        raise ValueError(f"'source' of {where} must be text, not {_kind(values['source'])}")
    if not values.get("source") and versions:
        values["source"] = str(versions[-1].get("source") or "")
    if values.get("text") is None:
        values["text"] = ""
    if values.get("error") is not None:
        # Errors are redacted when they are made, but drafts saved before that may carry a
        # key or a URL with its password in one: every load cleans them, so no page, export
        # or later save shows them again.
        values["error"] = redact(str(values["error"]))
    return SectionDraft(**values)


def _legacy_versions(data: dict[str, Any], where: str) -> list[dict[str, Any]]:
    versions = data.get("versions") or []
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        raise ValueError(f"'versions' of {where} must be a list of objects")
    for version in versions:
        if not isinstance(version.get("text", ""), str):
            raise ValueError(f"'text' of a version of {where} must be text")
    return versions


def legacy_section_versions(data: dict[str, Any]) -> list[tuple[float, str, dict[str, Any]]]:
    """The draft states a per-section ``versions`` list (saved before one version model) held.

    Replays every section's old versions in time order; a run of versions from one source
    with no section twice (one drafting run, say) is one state. Each state is
    ``(time, note, draft data)`` with the texts as they stood then, oldest first; [] for a
    draft without such lists.

    Raises:
        ValueError: If a ``versions`` list is damaged.
    """
    sections = data.get("sections") or []
    steps = []
    for number, section in enumerate(sections, 1):
        for version in _legacy_versions(section, f"section {number}"):
            created = version.get("created_at")
            when = float(created) if isinstance(created, int | float) else 0.0
            steps.append((when, number - 1, version))
    steps.sort(key=lambda step: (step[0], step[1]))
    texts = ["" for _ in sections]
    sources = ["" for _ in sections]
    states: list[tuple[float, str, dict[str, Any]]] = []
    group: list[int] = []
    source = ""

    def emit(when: float) -> None:
        state = {**data, "sections": []}
        for index, section in enumerate(sections):
            plain = {k: v for k, v in section.items() if k != "versions"}
            state["sections"].append({**plain, "text": texts[index], "source": sources[index]})
        titles = [str(sections[i].get("title", "")) for i in group]
        what = titles[0] if len(titles) == 1 else f"{len(titles)} sections"
        states.append((when, f"{source}: {what} (earlier version)", state))

    for position, (_when, index, version) in enumerate(steps):
        if group and (version.get("source") != source or index in group):
            emit(steps[position - 1][0])
            group = []
        source = str(version.get("source") or "")
        group.append(index)
        texts[index] = str(version.get("text") or "")
        sources[index] = source
    if group:
        emit(steps[-1][0])
    return states


def _from_mapping(kind: Any, data: Any) -> Any:
    """A dataclass from a JSON object, ignoring fields this version does not know."""
    if not isinstance(data, dict):
        raise ValueError(f"expected an object for {kind.__name__}, got {_kind(data)}")
    known = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in data.items() if k in known})
