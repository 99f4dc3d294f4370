"""Raw model reply -> clean section body.

The same function runs for streamed and non-streamed replies, and for outline mode, so a
section looks the same whichever path produced it.
"""

from __future__ import annotations

import re

from prd_assistant.markdown_doc import parse_markdown
from prd_assistant.template import SectionSpec, normalize_title

MAX_SECTION_CHARS = 12_000
_WRAPPING_FENCE = re.compile(
    r"\A\s*```(?:markdown|md)?\s*\n(.*?)\n```\s*\Z", re.DOTALL | re.IGNORECASE
)
_BOLD_LINE = re.compile(r"^\s*\*\*(.+?)\*\*:?\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_WORD = re.compile(r"[^\W_]")


class EmptyReplyError(ValueError):
    """The model's reply had no usable text."""


def finalize_section_text(raw: str, spec: SectionSpec) -> str:
    """Cleans a model reply into the body of ``spec``.

    Strips a wrapping code fence and a repeated section heading, demotes stray top-level
    headings (ATX, indented or setext) to ``###``, restores the template's ``###``
    subheadings verbatim and in order, and trims runaway repetition.

    Raises:
        EmptyReplyError: If nothing readable is left, or the reply holds only headings.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    fenced = _WRAPPING_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    lines = _strip_repeated_heading(text, spec)
    lines = _normalise_headings(lines, spec)
    lines = _trim_repetition(lines)
    body = "\n".join(lines).strip()
    if not _has_content(body):
        raise EmptyReplyError(
            "The model returned an empty reply, or only headings, for this section."
        )
    if spec.subsections:
        body = _restore_subsections(body, spec)
    return _cap_length(body)


def _has_content(body: str) -> bool:
    """True when some block other than a heading or an HTML comment holds a word."""
    doc = parse_markdown(body)
    return any(
        block.kind not in {"heading", "html"} and _WORD.search(doc.content(block))
        for block in doc.blocks
    )


def _strip_repeated_heading(text: str, spec: SectionSpec) -> list[str]:
    lines = text.split("\n")
    if not text:
        return lines
    doc = parse_markdown(text)
    wanted = normalize_title(spec.title)
    first = doc.sections[0] if doc.sections else None
    if first is not None and first.line == 1 and normalize_title(first.title) == wanted:
        return lines[doc.blocks[first.block].end_line :]
    bold = _BOLD_LINE.match(lines[0])
    if bold and normalize_title(bold.group(1)) == wanted:
        return lines[1:]
    return lines


def _normalise_headings(lines: list[str], spec: SectionSpec) -> list[str]:
    """Keeps the document's ``#``/``##`` structure intact: a body may only hold ``###`` or deeper.

    Every heading Markdown sees outside lists and quotes counts, whether written ``## X``,
    ``  ## X`` or underlined with ``===``/``---``.
    """
    subs = {normalize_title(s.title): s.heading for s in spec.subsections}
    doc = parse_markdown("\n".join(lines))
    out = list(lines)
    # Later headings first, so earlier line numbers stay valid while lines are replaced.
    for section in reversed(doc.sections):
        verbatim = subs.get(normalize_title(section.title))
        if verbatim:
            line = verbatim
        elif section.level < 3:
            line = f"### {section.title}"
        else:
            continue
        out[section.line - 1 : doc.blocks[section.block].end_line] = [line]
    return out


def _trim_repetition(lines: list[str]) -> list[str]:
    """Drops consecutive duplicate lines and long lines seen twice already (a looping model)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for line in lines:
        key = line.strip()
        if key and out and out[-1].strip() == key and not _TABLE_RULE.match(key):
            continue
        if len(key) >= 25 and not _TABLE_RULE.match(key):
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 2:
                continue
        out.append(line)
    # Collapse the blank runs the dropped lines leave behind.
    return [ln for i, ln in enumerate(out) if ln.strip() or i == 0 or out[i - 1].strip()]


def _restore_subsections(body: str, spec: SectionSpec) -> str:
    """Puts every template subsection back, verbatim and in template order."""
    lines = body.split("\n")
    doc = parse_markdown(body)
    heads = [s for s in doc.sections if s.level == 3]
    cuts = [s.line - 1 for s in heads] + [len(lines)]
    blocks: list[tuple[str | None, str, list[str]]] = [(None, "", lines[: cuts[0]])]
    for index, head in enumerate(heads):
        start = cuts[index]
        blocks.append((lines[start], head.title, lines[start + 1 : cuts[index + 1]]))
    by_title: dict[str, list[tuple[str | None, list[str]]]] = {}
    preamble: list[str] = "\n".join(blocks[0][2]).strip().split("\n") if blocks[0][2] else []
    current: str | None = None
    wanted = {normalize_title(s.title) for s in spec.subsections}
    for heading, raw_title, content in blocks[1:]:
        title = normalize_title(raw_title)
        if title in wanted:
            current = title
            by_title.setdefault(title, []).append((heading, content))
        elif current is not None:
            by_title[current].append((heading, content))
        else:
            preamble += [heading or "", *content]
    parts: list[str] = ["\n".join(preamble).strip()] if any(p.strip() for p in preamble) else []
    for sub in spec.subsections:
        found = by_title.get(normalize_title(sub.title))
        if not found:
            parts.append(f"{sub.heading}\nOpen question: What belongs under {sub.title}?")
            continue
        chunk = [sub.heading, *found[0][1]]
        for heading, content in found[1:]:
            chunk += [heading or "", *content]
        parts.append("\n".join(chunk).strip())
    return "\n\n".join(parts)


def _cap_length(body: str) -> str:
    if len(body) <= MAX_SECTION_CHARS:
        return body
    cut = body.rfind("\n\n", 0, MAX_SECTION_CHARS)
    cut = cut if cut > MAX_SECTION_CHARS // 2 else MAX_SECTION_CHARS
    return body[:cut].rstrip() + "\n\n_(Trimmed: the model's reply ran past 12,000 characters.)_"
