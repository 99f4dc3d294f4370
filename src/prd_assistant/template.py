"""Markdown template -> section specs.

A template is a Markdown file with a ``#`` title (optionally holding a ``<Service Name>``
placeholder), ``##`` sections (numbered or not), optional ``###`` subsections and guidance
text under each heading. Headings are kept verbatim so the drafted document reproduces them
exactly: ``## 1. Overview`` stays ``## 1. Overview``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from prd_assistant.textfile import TextFileError, decode_text, read_text_file

if TYPE_CHECKING:  # the Markdown parser loads with the first template parsed, after first paint
    from prd_assistant.markdown_doc import MarkdownDoc, Section

SERVICE_NAME_PLACEHOLDER = re.compile(r"<\s*service[ _-]*name\s*>", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"^\s*(\d+(?:\.\d+)*)[.)]?\s+")
MAX_TEMPLATE_BYTES = 512 * 1024
DEFAULT_TEMPLATE_NAME = "prd_template.md"


class TemplateError(ValueError):
    """A template cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Subsection:
    """A ``###`` heading inside a section."""

    heading: str
    title: str
    guidance: str


@dataclass(frozen=True)
class SectionSpec:
    """One ``##`` section of a template."""

    key: str
    heading: str
    title: str
    guidance: str
    subsections: tuple[Subsection, ...] = ()


@dataclass(frozen=True)
class Template:
    """A parsed template: title line, sections in order and any trailing footer."""

    name: str
    title_line: str
    sections: tuple[SectionSpec, ...]
    footer: str = ""
    source: str = ""

    def title_for(self, service_name: str) -> str:
        """Returns the ``#`` title line with the service-name placeholder filled."""
        name = service_name.strip() or "Untitled Service"
        if SERVICE_NAME_PLACEHOLDER.search(self.title_line):
            return SERVICE_NAME_PLACEHOLDER.sub(lambda _m: name, self.title_line)
        return self.title_line

    def section(self, key: str) -> SectionSpec:
        """Returns the section with ``key``; raises KeyError if there is none."""
        for spec in self.sections:
            if spec.key == key:
                return spec
        raise KeyError(key)


def normalize_title(title: str) -> str:
    """Title without numbering, case or punctuation: ``"3. Goals & Non-Goals"`` -> ``"goals non goals"``."""
    text = unicodedata.normalize("NFKC", title)
    text = _NUMBER_PREFIX.sub("", text).casefold().replace("&", " ")
    return " ".join(re.findall(r"[^\W_]+", text))


# A heading that lists questions still to settle ("Open Questions", "Outstanding issues",
# "Parking lot"), matched on :func:`normalize_title`. The one pattern for review, suggestion
# dedup, accepting a suggested question and tracker export.
OPEN_QUESTIONS_TITLE = re.compile(
    r"\b(?:open|outstanding|unresolved|pending)\s+(?:questions?|issues?|items?|decisions?|points?)\b"
    r"|^questions?$|^parking lot$"
)
# A heading over questions that are answered in place.
FAQ_TITLE = re.compile(r"\bfaqs?\b|frequently asked|\bquestions? (?:and )?answers?\b|^q a$")


def is_open_questions_title(title: str) -> bool:
    """True for a heading that lists open questions: ``"12. Open Questions"``, ``"Unresolved
    issues"``, ``"Parking lot"``."""
    return OPEN_QUESTIONS_TITLE.search(normalize_title(title)) is not None


def section_key(title: str) -> str:
    """Stable slug for a section title: ``"## 9. APIs & Interactions"`` -> ``"apis-interactions"``."""
    return "-".join(normalize_title(title).split()) or "section"


def _strip_number(title: str) -> str:
    return _NUMBER_PREFIX.sub("", title).strip()


def parse_template(text: str, name: str = "template.md") -> Template:
    """Parses Markdown template text into a :class:`Template`.

    ``##`` headings (ATX or setext) are sections and ``###`` headings inside them are
    subsections; the text under each is its guidance. A setext heading is kept in its ATX
    form (``## Title``): a drafted section body can only follow a one-line heading.

    Args:
        text: The template's Markdown.
        name: A name to show in messages (usually the file name).

    Raises:
        TemplateError: If the template has no ``##`` sections.
    """
    from prd_assistant.markdown_doc import parse_markdown

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = parse_markdown(text)
    first_h2 = next((s.start for s in doc.sections if s.level == 2), None)
    if first_h2 is None:
        raise TemplateError(
            f"The template '{name}' has no sections. A template needs at least one '## ' heading, "
            "for example '## 1. Overview', with optional guidance text under it."
        )
    title = next((s for s in doc.sections if s.level == 1 and s.start < first_h2), None)
    # A heading's guidance runs to the next ## or ### heading: a # or #### heading in between
    # is guidance text, as it always was.
    heads = [s for s in doc.sections if s.level in {2, 3} and s.start >= first_h2]
    sections: list[dict] = []
    for index, head in enumerate(heads):
        stop = heads[index + 1].start if index + 1 < len(heads) else len(text)
        entry = {
            "heading": _heading_line(doc, head),
            "title": head.title,
            "body": text[head.body_start : stop].split("\n"),
            "breaks": [a for a, _b in doc.thematic_breaks if head.body_start <= a < stop],
            "body_start": head.body_start,
        }
        if head.level == 2:
            sections.append({**entry, "subs": []})
        else:
            sections[-1]["subs"].append(entry)
    footer = _split_footer(sections[-1], text)
    specs: list[SectionSpec] = []
    seen: dict[str, int] = {}
    for raw in sections:
        key = section_key(raw["title"])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}-{seen[key]}"
        subs = tuple(
            Subsection(s["heading"], _strip_number(s["title"]), _clean(s["body"]))
            for s in raw["subs"]
        )
        specs.append(
            SectionSpec(key, raw["heading"], _strip_number(raw["title"]), _clean(raw["body"]), subs)
        )
    return Template(
        name=name,
        title_line=_heading_line(doc, title)
        if title
        else "# <Service Name> Product Requirements Document (PRD)",
        sections=tuple(specs),
        footer=footer,
        source=text,
    )


def _heading_line(doc: MarkdownDoc, section: Section) -> str:
    """The heading line as written (ATX), or ``## Title`` for a setext heading."""
    if doc.blocks[section.block].end_line > section.line:
        return f"{'#' * section.level} {section.title}"
    return doc.text[doc.line_starts[section.line - 1] : doc.line_ends[section.line - 1]].rstrip()


def _split_footer(last: dict, text: str) -> str:
    """Moves a trailing ``---`` rule and what follows it out of the last section's guidance."""
    holder = last["subs"][-1] if last["subs"] else last
    if not holder["breaks"]:
        return ""
    cut = holder["breaks"][-1]
    holder["body"] = text[holder["body_start"] : cut].split("\n")
    return text[cut:].strip()


def _clean(lines: list[str]) -> str:
    """Guidance text without blank edges; an empty bullet ``-`` counts as no guidance."""
    kept = [line for line in lines if line.strip() not in {"-", "*"}]
    return "\n".join(kept).strip()


def decode_template_bytes(data: bytes, name: str) -> str:
    """Decodes uploaded template bytes, refusing binary, oversized and non-UTF-8 data."""
    try:
        return decode_text(data, name, max_bytes=MAX_TEMPLATE_BYTES)
    except TextFileError as exc:
        raise TemplateError(f"Template {exc}") from None


def default_template_text() -> str:
    """The default PRD template that ships with the package."""
    return resources.files("prd_assistant.data").joinpath(DEFAULT_TEMPLATE_NAME).read_text("utf-8")


def load_template(path: str | Path | None = None) -> Template:
    """Loads and parses a template file, or the default template when ``path`` is None.

    Raises:
        TemplateError: If the file is missing, not text, or has no sections.
    """
    if path is None:
        return parse_template(default_template_text(), DEFAULT_TEMPLATE_NAME)
    try:
        text = read_text_file(path, max_bytes=MAX_TEMPLATE_BYTES)
    except TextFileError as exc:
        raise TemplateError(f"Template {exc}") from None
    return parse_template(text, Path(path).name)
