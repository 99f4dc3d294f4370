"""Raw model reply -> clean section body.

The same function runs for streamed and non-streamed replies, and for outline mode, so a
section looks the same whichever path produced it.
"""

from __future__ import annotations

import re

from prd_assistant.template import HEADING, SectionSpec, normalize_title, scan_headings

MAX_SECTION_CHARS = 12_000
_WRAPPING_FENCE = re.compile(
    r"\A\s*```(?:markdown|md)?\s*\n(.*?)\n```\s*\Z", re.DOTALL | re.IGNORECASE
)
_BOLD_LINE = re.compile(r"^\s*\*\*(.+?)\*\*:?\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


class EmptyReplyError(ValueError):
    """The model's reply had no usable text."""


def finalize_section_text(raw: str, spec: SectionSpec) -> str:
    """Cleans a model reply into the body of ``spec``.

    Strips a wrapping code fence and a repeated section heading, demotes stray top-level
    headings, restores the template's ``###`` subheadings verbatim and in order, and trims
    runaway repetition.

    Raises:
        EmptyReplyError: If nothing readable is left.
    """
    text = raw.replace("\r\n", "\n").strip()
    fenced = _WRAPPING_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    lines = _strip_repeated_heading(text.split("\n"), spec)
    lines = _normalise_headings(lines, spec)
    lines = _trim_repetition(lines)
    body = "\n".join(lines).strip()
    if spec.subsections:
        body = _restore_subsections(body, spec)
    body = _cap_length(body)
    if not re.search(r"[^\W_]", body):
        raise EmptyReplyError("The model returned an empty or unreadable reply for this section.")
    return body


def _strip_repeated_heading(lines: list[str], spec: SectionSpec) -> list[str]:
    wanted = normalize_title(spec.title)
    while lines and not lines[0].strip():
        lines = lines[1:]
    if lines:
        first = HEADING.match(lines[0]) or _BOLD_LINE.match(lines[0])
        if first and normalize_title(first.groups()[-1]) == wanted:
            lines = lines[1:]
    return lines


def _normalise_headings(lines: list[str], spec: SectionSpec) -> list[str]:
    """Keeps the document's ``#``/``##`` structure intact: a body may only hold ``###`` or deeper."""
    subs = {normalize_title(s.title): s.heading for s in spec.subsections}
    out: list[str] = []
    for line, match in scan_headings(lines):
        if match:
            verbatim = subs.get(normalize_title(match.group(2)))
            if verbatim:
                line = verbatim
            elif len(match.group(1)) < 3:
                line = f"### {match.group(2)}"
        out.append(line)
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
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in body.split("\n"):
        match = HEADING.match(line)
        if match and len(match.group(1)) == 3:
            blocks.append((line, []))
        else:
            blocks[-1][1].append(line)
    by_title: dict[str, list[tuple[str | None, list[str]]]] = {}
    preamble: list[str] = "\n".join(blocks[0][1]).strip().split("\n") if blocks[0][1] else []
    current: str | None = None
    for heading, content in blocks[1:]:
        title = normalize_title(HEADING.match(heading).group(2)) if heading else ""
        if any(normalize_title(s.title) == title for s in spec.subsections):
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
