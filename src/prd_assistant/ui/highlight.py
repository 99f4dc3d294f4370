"""Section text + review findings -> safe Markdown with the flagged phrases highlighted.

All draft text is HTML-escaped *before* any ``<mark>`` tag is inserted, so a draft containing
``<script>`` renders as text. Only the Markdown that needs a raw ``>`` (block quotes) is
restored, and code is rebuilt as escaped ``<code>``/``<pre>`` HTML so it still reads well.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prd_assistant.document import Draft

if TYPE_CHECKING:  # the review engine loads with the first draft, not on first paint
    from prd_assistant.review import Finding

DOCUMENT_KEY = ""  # findings outside every section (the title)
_QUOTE = re.compile(r"^(\s*)((?:&gt;\s?)+)")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_MARKER = re.compile(r"\s*(?:(?:[-*+]|\d+[.)])\s+)?")
_UNDERSCORES = re.compile(r"_{2,}")
_IMAGE = re.compile(r"!\[")


@dataclass(frozen=True)
class Located:
    """A finding with the section it sits in and its offsets in that section's stripped text."""

    finding: Finding
    key: str
    start: int | None
    end: int | None
    id: str


def locate(draft: Draft, markdown: str, findings: Iterable[Finding]) -> list[Located]:
    """Maps findings on ``draft.to_markdown()`` text back to sections and local offsets.

    Args:
        draft: The draft the markdown was made from.
        markdown: Exactly ``draft.to_markdown()``.
        findings: Findings with offsets into ``markdown``.
    """
    spans: list[tuple[str, int, int]] = []
    cursor = 0
    for section in draft.sections:
        at = markdown.find(section.heading + "\n", cursor)
        if at < 0:
            continue
        body_start = at + len(section.heading) + 2
        body = section.text.strip()
        spans.append((section.key, body_start, body_start + len(body)))
        cursor = body_start
    located: list[Located] = []
    seen: dict[str, int] = {}
    for finding in findings:
        key, start, end = DOCUMENT_KEY, None, None
        for skey, s_start, s_end in spans:
            if s_start <= finding.start <= s_end:
                key = skey
                if finding.end <= s_end:
                    local = (finding.start - s_start, finding.end - s_start)
                    body = markdown[s_start:s_end]
                    if body[local[0] : local[1]] == finding.match or not finding.match:
                        start, end = local
                break
        base = "\x1f".join([finding.rule, key, finding.match, finding.sentence])
        seen[base] = seen.get(base, 0) + 1
        digest = hashlib.sha1(f"{base}\x1f{seen[base]}".encode()).hexdigest()[:12]
        located.append(Located(finding, key, start, end, digest))
    return located


def display_heading(heading: str) -> str:
    """A template heading one level smaller for the page (``## 1. Overview`` -> ``###``).

    The page has its own title, so the draft's ``#`` would compete with it; exports keep the
    heading exactly as in the template.
    """
    return (
        "#" + heading if heading.startswith("#") and not heading.startswith("######") else heading
    )


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _attribute(text: str) -> str:
    # Backticks too, so the inline-code pass below can never reach into an attribute.
    return _escape(text).replace("`", "&#96;")


def render(text: str, marks: Iterable[Located] = ()) -> str:
    """Escaped Markdown for ``text`` with ``<mark>`` around each located finding.

    The result is meant for ``st.markdown(..., unsafe_allow_html=True)``: every character of
    ``text`` is escaped, so only the tags inserted here are HTML.
    """
    chosen: list[Located] = []
    last_end = -1
    for item in sorted(
        (m for m in marks if m.start is not None and m.end is not None), key=lambda m: m.start or 0
    ):
        assert item.start is not None and item.end is not None
        if item.start >= last_end and item.end > item.start and item.end <= len(text):
            chosen.append(item)
            last_end = item.end
    out: list[str] = []
    position = 0
    for item in chosen:
        assert item.start is not None and item.end is not None
        out.append(_escape(text[position : item.start]))
        css = "prd-flag-" + item.finding.category.replace("_", "-")
        title = _attribute(f"{item.finding.message} {item.finding.question}".strip())
        lines = []
        for number, piece in enumerate(text[item.start : item.end].split("\n")):
            # A list marker at the start of a continued line stays outside the mark.
            lead = _LIST_MARKER.match(piece).group(0) if number else ""
            body = piece[len(lead) :]
            mark = f'<mark class="{css}" title="{title}">{_escape(body)}</mark>' if body else ""
            lines.append(_escape(lead) + mark)
        out.append("\n".join(lines))
        position = item.end
    out.append(_escape(text[position:]))
    return _restore_markdown("".join(out))


def _restore_markdown(escaped: str) -> str:
    lines = escaped.split("\n")
    result: list[str] = []
    code: list[str] | None = None
    for line in lines:
        if _FENCE.match(line):
            if code is None:
                code = []
            else:
                result.append("<pre><code>" + "\n".join(code) + "</code></pre>")
                code = None
            continue
        if code is not None:
            code.append(line)
            continue
        line = _QUOTE.sub(lambda m: m.group(1) + m.group(2).replace("&gt;", ">"), line)
        line = _IMAGE.sub("&#33;[", _keep_blanks(line))
        result.append(_INLINE_CODE.sub(r"<code>\1</code>", line))
    if code is not None:
        result.append("<pre><code>" + "\n".join(code) + "</code></pre>")
    return "\n".join(result)


def _keep_blanks(line: str) -> str:
    """Blanks (``__``) as entities, so Markdown does not read them as bold markers.

    A run of underscores with a word on exactly one side (``__bold__``) is left alone;
    a blank has spaces, punctuation or tags on both sides (``≤ __ ms``, ``<mark>__</mark>``).
    """

    def swap(match: re.Match[str]) -> str:
        before = match.start() > 0 and (line[match.start() - 1].isalnum())
        after = match.end() < len(line) and line[match.end()].isalnum()
        return "&#95;" * len(match.group(0)) if before == after else match.group(0)

    return _UNDERSCORES.sub(swap, line)


def side_by_side(old: str, new: str) -> tuple[str, str]:
    """Escaped HTML for two versions, removed lines red on the left, added green on the right."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        left += [_diff_line(line, "" if tag == "equal" else "prd-del") for line in old_lines[a1:a2]]
        right += [
            _diff_line(line, "" if tag == "equal" else "prd-add") for line in new_lines[b1:b2]
        ]
    return "".join(left), "".join(right)


def _diff_line(line: str, css: str) -> str:
    return f'<div class="prd-diff {css}">{_escape(line) or "&nbsp;"}</div>'


STYLE = """
<style>
mark.prd-flag-open-question { background: #ffe8a3; padding: 0 2px; border-radius: 3px; }
mark.prd-flag-unquantified-claim { background: #ffd6d6; padding: 0 2px; border-radius: 3px; }
.prd-diff { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap;
  overflow-wrap: anywhere; padding: 1px 4px; }
.prd-diff.prd-del { background: #ffe3e3; } .prd-diff.prd-add { background: #d3f9d8; }
</style>
"""
