"""Markdown template -> section specs.

A template is a Markdown file with a ``#`` title (optionally holding a ``<Service Name>``
placeholder), ``##`` sections (numbered or not), optional ``###`` subsections and guidance
text under each heading. Headings are kept verbatim so the drafted document reproduces them
exactly: ``## 1. Overview`` stays ``## 1. Overview``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from prd_assistant.textfile import TextFileError, decode_text, read_text_file

SERVICE_NAME_PLACEHOLDER = re.compile(r"<\s*service[ _-]*name\s*>", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_NUMBER_PREFIX = re.compile(r"^\s*(\d+(?:\.\d+)*)[.)]?\s+")
_RULE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$")
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


def section_key(title: str) -> str:
    """Stable slug for a section title: ``"## 9. APIs & Interactions"`` -> ``"apis-interactions"``."""
    return "-".join(normalize_title(title).split()) or "section"


def _strip_number(title: str) -> str:
    return _NUMBER_PREFIX.sub("", title).strip()


def scan_headings(lines: Iterable[str]) -> Iterator[tuple[str, re.Match[str] | None]]:
    """Each line with its Markdown heading match; None for other lines and inside code fences."""
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        yield line, None if in_fence else HEADING.match(line)


def parse_template(text: str, name: str = "template.md") -> Template:
    """Parses Markdown template text into a :class:`Template`.

    Args:
        text: The template's Markdown.
        name: A name to show in messages (usually the file name).

    Raises:
        TemplateError: If the template has no ``##`` sections.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title_line = ""
    sections: list[dict] = []
    for line, match in scan_headings(lines):
        if match and len(match.group(1)) == 1 and not sections and not title_line:
            title_line = line.rstrip()
            continue
        if match and len(match.group(1)) == 2:
            sections.append(
                {"heading": line.rstrip(), "title": match.group(2), "body": [], "subs": []}
            )
            continue
        if match and len(match.group(1)) == 3 and sections:
            sections[-1]["subs"].append(
                {"heading": line.rstrip(), "title": match.group(2), "body": []}
            )
            continue
        if sections:
            target = sections[-1]["subs"][-1] if sections[-1]["subs"] else sections[-1]
            target["body"].append(line)
    if not sections:
        raise TemplateError(
            f"The template '{name}' has no sections. A template needs at least one '## ' heading, "
            "for example '## 1. Overview', with optional guidance text under it."
        )
    footer = _split_footer(sections[-1])
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
        title_line=title_line or "# <Service Name> Product Requirements Document (PRD)",
        sections=tuple(specs),
        footer=footer,
        source=text,
    )


def _split_footer(last: dict) -> str:
    """Moves a trailing ``---`` rule and what follows it out of the last section's guidance."""
    holder = last["subs"][-1] if last["subs"] else last
    body: list[str] = holder["body"]
    for index in range(len(body) - 1, -1, -1):
        if _RULE.match(body[index]):
            footer = "\n".join(body[index:]).strip()
            del body[index:]
            return footer
    return ""


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
