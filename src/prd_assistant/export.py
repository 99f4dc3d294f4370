"""Draft -> Markdown, JSON and DOCX files, and JSON back to a draft.

Markdown keeps the template's headings verbatim (``Draft.to_markdown``). JSON is
``Draft.to_dict`` and imports back with :func:`from_json`. DOCX maps ``#``/``##``/``###``
headings to Word's Heading 1/2/3 and renders the Markdown the drafts use: bullets, numbered
lists, bold, italic, inline code, block quotes, code blocks and pipe tables.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from prd_assistant import dismissed, register
from prd_assistant.dismissed import Dismissal
from prd_assistant.document import Draft
from prd_assistant.markdown_doc import parse_markdown

_COMMENT_ONLY = re.compile(r"\s*(?:<!--.*?-->\s*)+", re.DOTALL)
# ``__bold__`` only when the underscores hug words, as in CommonMark: a blank such as
# "≤ __ ms for __" is text, not bold.
_INLINE = re.compile(
    r"(\*\*[^*]+\*\*|(?<!\w)__(?=[^_\s])[^_]+(?<=[^_\s])__(?!\w)|`[^`]+`|\*[^*\s][^*]*\*"
    r"|(?<!\w)_[^_\s][^_]*(?<=[^_\s])_(?!\w))"
)
_SCRIPT = re.compile(r"<script\b.*?(?:</script\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_HANDLER = re.compile(r"""\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_JS_URL = re.compile(r"j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
_IMG_SRC = re.compile(r"""\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]")


def filename(draft: Draft, extension: str) -> str:
    """A file name from the draft title: ``parcelping-prd.md``."""
    words = re.findall(r"[A-Za-z0-9]+", draft.title.replace("Product Requirements Document", ""))
    stem = "-".join(w.lower() for w in words if w.upper() != "PRD")[:60] or "draft"
    return f"{stem}-prd.{extension}"


def to_markdown(draft: Draft, dismissals: Sequence[Dismissal] = ()) -> str:
    """The draft as Markdown, every template heading verbatim and in order.

    The open-questions register, the clarifying answers and the review flags the PM dismissed
    follow the last section. Model
    output is untrusted: scripts, event handlers, ``javascript:`` links and remote images are
    made inert (an image becomes a plain link), so opening the file sends nothing anywhere.
    """
    extras = [
        part
        for part in (register.to_markdown(draft), dismissed.to_markdown(list(dismissals)))
        if part
    ]
    text = draft.to_markdown() + "".join("\n" + part for part in extras)
    return sanitize(text).rstrip() + "\n"


def sanitize(markdown: str) -> str:
    """``markdown`` without scripts, ``on*=`` handlers, ``javascript:`` URLs or images.

    ``![alt](url)`` becomes the link ``[alt](url)`` and ``<img src=url>`` the text
    ``[image: url]``, so nothing loads without a click.
    """
    text = _SCRIPT.sub("", markdown)
    text = _IMG_TAG.sub(_image_text, text)
    text = _TAG.sub(lambda m: _HANDLER.sub("", m.group(0)), text)
    text = _JS_URL.sub("", text)
    return _MD_IMAGE.sub(r"[\1]", text)


def _image_text(match: re.Match[str]) -> str:
    src = _IMG_SRC.search(match.group(0))
    return f"[image: {src.group(1)}]" if src else "[image]"


def to_json(draft: Draft, dismissals: Sequence[Dismissal] = ()) -> str:
    """The whole draft (sections, versions, usage, dismissed flags) as JSON that
    :func:`from_json` reads back."""
    data = draft.to_dict()
    if dismissals:
        data[dismissed.JSON_KEY] = dismissed.to_json_value(list(dismissals))
    return json.dumps(data, ensure_ascii=False, indent=2)


def from_json(text: str | bytes) -> Draft:
    """Reads a draft exported with :func:`to_json`.

    Raises:
        ValueError: With a PM-facing message if the text is not a PRD Assistant draft.
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"This file is not valid JSON ({exc.__class__.__name__}). Import a .json file "
            "exported from PRD Assistant."
        ) from None
    return Draft.from_dict(data)


def to_docx(draft: Draft, dismissals: Sequence[Dismissal] = ()) -> bytes:
    """The draft as a Word document; Markdown headings become Word headings."""
    document = new_document()
    _render_markdown(document, to_markdown(draft, dismissals))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _render_markdown(document: DocxDocument, markdown: str) -> None:
    """Adds the blocks of the document model to ``document``, in order."""
    doc = parse_markdown(markdown)
    table: list[list[str]] = []
    table_id = -1
    for block in doc.blocks:
        if table and block.table != table_id:
            _table(document, table)
            table = []
        if block.kind == "table_cell":
            table_id = block.table
            if block.column == 0:
                table.append([])
            table[-1].append(doc.content(block))
            continue
        text = " ".join(line.strip() for line in doc.content(block).split("\n"))
        if block.kind == "heading":
            document.add_heading(text, level=min(block.level, 9))
        elif block.kind == "code":
            _code_block(document, doc.content(block).split("\n"))
        elif block.kind == "list_item" and block.marker_start >= 0:
            kind = "Number" if doc.text[block.marker_start].isdigit() else "Bullet"
            style = f"List {kind} 2" if block.list_depth >= 2 else f"List {kind}"
            _inline(document.add_paragraph(style=style), text)
        elif block.kind == "blockquote":
            _inline(document.add_paragraph(style="Quote"), text)
        elif block.kind == "html" and _COMMENT_ONLY.fullmatch(doc.content(block)):
            continue
        elif text:
            _inline(document.add_paragraph(), text)
    if table:
        _table(document, table)


def _inline(paragraph: Paragraph, text: str) -> None:
    """Adds ``text`` to ``paragraph`` with **bold**, *italic* and `code` runs."""
    for part in _INLINE.split(text):
        if not part:
            continue
        if (part.startswith("**") and part.endswith("**")) or (
            part.startswith("__") and part.endswith("__")
        ):
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("`") and part.endswith("`") and len(part) > 1:
            run = paragraph.add_run(part[1:-1])
            run.font.name = "Courier New"
        elif len(part) > 2 and part[0] == part[-1] and part[0] in "*_":
            paragraph.add_run(part[1:-1]).italic = True
        else:
            paragraph.add_run(part)


def _code_block(document: DocxDocument, lines: list[str]) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run("\n".join(lines))
    run.font.name = "Courier New"
    run.font.size = Pt(9)


def _table(document: DocxDocument, cells: list[list[str]]) -> None:
    width = max(len(row) for row in cells)
    table = document.add_table(rows=len(cells), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(cells):
        for c in range(width):
            target = table.cell(r, c).paragraphs[0]
            _inline(target, row[c] if c < len(row) else "")
            if r == 0:
                for run in target.runs:
                    run.bold = True
