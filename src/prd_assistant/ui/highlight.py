"""Section text + review findings -> safe Markdown with the flagged phrases highlighted.

All draft text is HTML-escaped *before* any ``<mark>`` tag is inserted, so a draft containing
``<script>`` renders as text. Only the Markdown that needs a raw ``>`` (block quotes) is
restored, and code is rebuilt as escaped ``<code>``/``<pre>`` HTML so it still reads well.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from prd_assistant.document import Draft
from prd_assistant.review import Finding

DOCUMENT_KEY = ""  # findings outside every section (the title)
_QUOTE = re.compile(r"^(\s*)((?:&gt;\s?)+)")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_FENCE = re.compile(r"^\s*(```|~~~)")


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
        pieces = text[item.start : item.end].split("\n")
        out.append(
            "\n".join(
                f'<mark class="{css}" title="{title}">{_escape(p)}</mark>' if p else ""
                for p in pieces
            )
        )
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
        result.append(_INLINE_CODE.sub(r"<code>\1</code>", line))
    if code is not None:
        result.append("<pre><code>" + "\n".join(code) + "</code></pre>")
    return "\n".join(result)


STYLE = """
<style>
mark.prd-flag-open-question { background: #ffe8a3; padding: 0 2px; border-radius: 3px; }
mark.prd-flag-unquantified-claim { background: #ffd6d6; padding: 0 2px; border-radius: 3px; }
</style>
"""
