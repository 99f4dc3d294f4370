"""Inline markup in a PRD that is not prose: HTML tags, character references, struck text,
host names.

The review scan (:mod:`prd_assistant.review.markdown_scan`) blanks what these functions find,
so no rule reads a tag's attributes as a claim (``<box type="info" seamless>`` says nothing
about seamlessness), a character reference (``&#x20;``, ``&nbsp;``) as a word, or a
struck-through item (``~~All services pass a review (if necessary)~~``) as a requirement: a
withdrawn item makes no claim and asks nothing. A reference to a space or a punctuation mark
reads as that character (:func:`reference_reading`): "as&nbsp;needed" is "as needed",
"&ldquo;fast&rdquo;" is quoted. Text between tags is still prose
(``<summary>Who owns billing?</summary>`` asks). A host name written without its scheme is an
address like any URL: "simpler.grants.gov" or "Simpler.Grants.gov" compares nothing. It is
still a name in its sentence: the language parser reads :data:`HOST_STAND_IN` in its place.

A word in angle brackets is a tag only when it reads as markup (:func:`is_markup`): an HTML
element, an element with attributes, closed later or namespaced, type syntax. ``<Owner>`` or
``<name of owner>`` is a blank left to fill, and the placeholder rule must still see it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# HTML elements whose names are markup wherever they appear.
HTML_TAG = (
    r"</?(?:br|p|div|span|details|summary|b|i|u|s|em|strong|sup|sub|img|a|code|pre|kbd|"
    r"table|thead|tbody|tr|td|th|ul|ol|li|hr|h[1-6]|mark|small|abbr|blockquote|section|iframe|"
    r"video|source|picture|figure|figcaption|center|font|del|ins|dl|dt|dd|link|style|script|meta"
    r"|template|slot|input|button|select|option|textarea|form|label|canvas|svg|audio|dialog|head"
    r"|body|html|title|header|footer|nav|main|article|aside|menu|iframe|object|embed|noscript)"
    r"\b[^>]*>"
)
_HTML_ELEMENT = re.compile(HTML_TAG, re.IGNORECASE)

# Elements whose name is never a placeholder's, unlike "<title>" or "<link>".
_MARKUP_NAMES = frozenset(
    [
        "script",
        "style",
        "svg",
        "math",
        "noscript",
        "textarea",
        "canvas",
        "html",
        "body",
        "head",
        "meta",
        "wbr",
        "tfoot",
        "colgroup",
        "frameset",
        "xml",
    ]
)
_ATTRIBUTES = re.compile(r"[A-Za-z][\w:.-]*\s[^<>]*=[^<>]*")  # <svg onload=x>, <a href="…">
_NAMESPACED = re.compile(r"[A-Za-z][\w.-]*:[A-Za-z][\w.-]*")  # <xs:element>
_TYPE_ARGUMENTS = re.compile(r"[A-Z]\w*(?:\[\])?(?:\s*,\s*[A-Z]\w*(?:\[\])?)+")  # <K, V>
_ELEMENT_NAME = re.compile(r"[A-Za-z][\w.-]*")

# CommonMark's raw HTML: an open tag with its attributes (quoted values may span lines) or a
# closing tag. Starts with a literal, so the scan skips ahead fast.
_TAG = re.compile(
    r"<(?:/[A-Za-z][A-Za-z0-9-]*[ \t]*"
    r"|[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*"
    r"(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^'<>]*'|\"[^\"<>]*\"))?)*\s*/?)>"
)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
# "&nbsp;", "&#x20;", "&#8212;": a character written as a reference.
_CHARACTER_REFERENCE = re.compile(
    r"&(?:#[xX][0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});"
)
# The end of a host name: "simpler.grants.gov", "dist.nuget.org/pkg" (the scan is lower case).
# It starts with a literal; the name is read backwards from it.
_HOST_END = re.compile(
    r"\.(?:com|org|net|gov|edu|io|dev|app|ai)(?![\w-])(?:/[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]])?"
)
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-@")
# What the language parser reads in place of a host name (blank in the scan): a name it takes
# for a proper noun, so "Simpler.Grants.gov makes search fast" keeps its subject. Four letters
# fit the shortest host ("a.io").
HOST_STAND_IN = "Acme"
# "~~withdrawn item~~" (GFM, as markdown-it's strikethrough reads it: exactly two tildes, the
# struck text neither starting nor ending with a blank). It stays inside one paragraph.
_STRUCK = re.compile(r"(?<!~)~~(?![~\s])(?:[^~\n]|~(?!~)|\n(?![ \t]*\n))+?(?<![~\s])~~(?!~)")


def is_markup(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` (``<…>``) is a tag or type syntax, not a blank to fill.

    Markup: an element with attributes, a self-closing or namespaced tag, a script-like
    element, an element closed later in the text (``<foo>…</foo>``); type arguments written
    straight after a name (``List<String>``) or listed as types (``<K, V>``). A blank reads as
    words (``<name of owner>``, ``<Owner>``, ``<date>``).
    """
    inner = text[start + 1 : end - 1].strip()
    if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
        return True
    if inner.endswith("/") or inner.casefold() in _MARKUP_NAMES:
        return True
    if _ATTRIBUTES.fullmatch(inner) or _NAMESPACED.fullmatch(inner):
        return True
    if _TYPE_ARGUMENTS.fullmatch(inner):
        return True
    name = _ELEMENT_NAME.fullmatch(inner)
    return bool(name) and f"</{inner.casefold()}>" in text[end : end + 2000].casefold()


def tag_spans(text: str, masked: str | None = None) -> list[tuple[int, int]]:
    """Spans of the HTML tags in ``text``: closing tags, HTML elements and tags that read as
    markup (:func:`is_markup`); a word in angle brackets stays.

    Args:
        text: The document as written (type syntax is told apart by its capitals).
        masked: A same-length copy with code already blanked, where tags are looked for, so
            a ``<`` in code starts no tag.
    """
    spans = []
    for m in _TAG.finditer(text if masked is None else masked):
        a, b = m.span()
        if text[a + 1] == "/" or _HTML_ELEMENT.fullmatch(text, a, b) or is_markup(text, a, b):
            spans.append((a, b))
    return spans


def reference_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of character references (``&nbsp;``, ``&#x20;``) in ``text[start:end]``."""
    stop = len(text) if end is None else end
    return [m.span() for m in _CHARACTER_REFERENCE.finditer(text, start, stop)]


def reference_reading(reference: str) -> str | None:
    """What the character reference ``reference`` (``&nbsp;``) reads as: ``" "`` for any
    space, the character itself for punctuation (``&ndash;``, ``&rsquo;``, ``&quot;``,
    ``&#63;``); None for a letter, a digit or a symbol (``&eacute;``, ``&lt;``), which stays
    blank: ``&lt;br&gt;`` writes out markup, not a blank to fill."""
    char = html.unescape(reference)
    if len(char) != 1 or char == reference:
        return None  # unknown name, or a reference to more than one character
    if char.isspace():
        return " "
    return char if unicodedata.category(char).startswith("P") else None


def host_spans(masked: str) -> list[tuple[int, int]]:
    """Spans of host names and e-mail addresses written without a scheme in ``masked`` (the
    lower-cased scan text): "nuget.org", "docs.example.com/setup", "help@example.com"."""
    spans = []
    for m in _HOST_END.finditer(masked):
        start = m.start()
        while start > 0 and masked[start - 1] in _HOST_CHARS:
            start -= 1
        while start < m.start() and not masked[start].isalnum():
            start += 1  # a name starts with a letter or digit, not "." or "-"
        if start < m.start():
            spans.append((start, m.end()))
    return spans


def struck_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of struck-through text in ``text[start:end]``, without the tildes: blanked, the
    ``~~`` pairs stay to mark the item as withdrawn (``- ~~Who owns billing~~ (finance)`` is a
    closed question). Call it with code already blanked; a span never crosses a blank line,
    and the caller keeps it inside one block."""
    stop = len(text) if end is None else end
    if text.find("~~", start, stop) < 0:
        return []
    return [(m.start() + 2, m.end() - 2) for m in _STRUCK.finditer(text, start, stop)]


@dataclass(frozen=True)
class Disclosure:
    """A ``<details>`` element with a ``<summary>``: a collapsed answer under its title.

    Attributes:
        summary: Span of the text between ``<summary>`` and ``</summary>``.
        body: Span from ``</summary>`` to ``</details>`` (or the end of the text).
        filled: True when the body holds text other than markup and blanks.
    """

    summary: tuple[int, int]
    body: tuple[int, int]
    filled: bool


def disclosures(text: str, masked: str, tags: list[tuple[int, int]]) -> list[Disclosure]:
    """The ``<details>``/``<summary>`` pairs among ``tags`` (spans from :func:`tag_spans`),
    nested ones included, in document order of their summaries; ``masked`` is the text with
    the markup blanked, where a filled body shows."""
    found = []
    # Per open <details>: where its summary text starts and ends and its body starts.
    stack: list[list[int]] = []
    for a, b in tags:
        name = _TAG_NAME.match(text, a)
        tag = name.group(1).casefold() if name else ""
        closing = text[a + 1] == "/"
        if tag == "details" and not closing:
            stack.append([])
        elif tag == "summary" and stack and not stack[-1] and not closing:
            stack[-1].append(b)
        elif tag == "summary" and stack and len(stack[-1]) == 1 and closing:
            stack[-1] += [a, b]
        elif tag == "details" and closing and stack:
            opened = stack.pop()
            if len(opened) == 3:
                found.append(_disclosure(masked, opened, a))
    found += [_disclosure(masked, opened, len(text)) for opened in stack if len(opened) == 3]
    return sorted(found, key=lambda d: d.summary)


def _disclosure(masked: str, opened: list[int], end: int) -> Disclosure:
    summary_start, summary_end, body_start = opened
    filled = bool(masked[body_start:end].strip())
    return Disclosure((summary_start, summary_end), (body_start, end), filled)
