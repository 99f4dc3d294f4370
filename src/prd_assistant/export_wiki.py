"""Markdown -> text that pastes cleanly into Notion and Confluence, and Confluence HTML.

* :func:`paste_markdown`: one line per paragraph (hard-wrapped lines joined, since both editors
  start a new block at every newline), blank lines between blocks, ``-`` bullets, ATX
  headings, tables with a cell for every column and escaped pipes, HTML comments dropped,
  acceptance criteria and ``Open question:`` items as task list items (``- [ ]``).
* :func:`confluence_html`: that Markdown as Confluence storage-format XHTML (the format of
  Confluence's source editor and REST API): tables, task lists as ``<ac:task-list>``, code.
  Raw HTML in the PRD is escaped, never passed through, and the result is sanitised with an
  allowlist (nh3): no ``<script>``, no ``on*`` handlers, no ``javascript:`` links.

Both read the structure with markdown-it-py (CommonMark + GFM tables), like the document model.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# Raw HTML in the PRD stays visible as text (a backslash escapes it); it never becomes markup.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_TASK = re.compile(r"\[( |x|X)\][ \t]+")
_AC_LABEL = re.compile(
    r"^(?:\*\*|__)?(?:acceptance criteria|acceptance|fit criteri(?:on|a))(?:\*\*|__)?[ \t]*:?"
    r"(?:\*\*|__)?[ \t]*$",
    re.IGNORECASE,
)
_OPEN_QUESTION = re.compile(r"^(?:\*\*|__)?open question", re.IGNORECASE)
_ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "del",
    "code", "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td",
    "ac:task-list", "ac:task", "ac:task-id", "ac:task-status", "ac:task-body",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_VOID = re.compile(r"<(br|hr)\s*/?>")


@lru_cache(maxsize=1)
def _parser(allow_html: bool) -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"])


def paste_markdown(markdown: str) -> str:
    """Markdown for pasting into Notion or Confluence (see the module docstring)."""
    tokens = _parser(True).parse(_COMMENT.sub("", markdown))
    blocks = _Renderer(tokens).render()
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


class _Renderer:
    """Block tokens -> Markdown blocks, one string per top-level block."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def render(self) -> list[str]:
        blocks = []
        while self.index < len(self.tokens):
            blocks.append(self._block())
        return blocks

    def _block(self, task_items: bool = False) -> str:
        token = self.tokens[self.index]
        kind = token.type
        if kind == "heading_open":
            text = _inline(self.tokens[self.index + 1])
            self.index += 3
            return f"{'#' * int(token.tag[1])} {text}"
        if kind == "paragraph_open":
            text = _inline(self.tokens[self.index + 1])
            self.index += 3
            return text
        if kind in {"bullet_list_open", "ordered_list_open"}:
            return self._list(task_items)
        if kind == "table_open":
            return self._table()
        if kind in {"fence", "code_block"}:
            self.index += 1
            return f"```{token.info.strip()}\n{token.content.rstrip()}\n```"
        if kind == "blockquote_open":
            self.index += 1
            inner = []
            while self.tokens[self.index].type != "blockquote_close":
                inner.append(self._block())
            self.index += 1
            return "\n>\n".join("\n".join(f"> {line}" for line in b.split("\n")) for b in inner)
        if kind == "hr":
            self.index += 1
            return "---"
        self.index += 1
        return _TAG_START.sub(r"\\<", token.content.strip()) if kind == "html_block" else ""

    def _list(self, task_items: bool) -> str:
        opening = self.tokens[self.index]
        ordered = opening.type == "ordered_list_open"
        number = int(opening.attrs.get("start", 1) or 1) if ordered else 0
        close = "ordered_list_close" if ordered else "bullet_list_close"
        self.index += 1
        lines: list[str] = []
        while self.tokens[self.index].type != close:
            self.index += 1  # list_item_open
            marker = f"{number}. " if ordered else "- "
            number += 1
            parts: list[str] = []
            while self.tokens[self.index].type != "list_item_close":
                nested_tasks = bool(parts) and _AC_LABEL.match(parts[0]) is not None
                parts.append(self._block(task_items=nested_tasks))
            self.index += 1
            head = parts[0] if parts else ""
            if not ordered and (task_items or _OPEN_QUESTION.match(head)) and not _TASK.match(head):
                head = "[ ] " + head
            pad = " " * len(marker)
            lines.append(marker + head.replace("\n", "\n" + pad))
            for part in parts[1:]:
                lines.append("\n".join(pad + line if line else line for line in part.split("\n")))
        self.index += 1
        return "\n".join(lines)

    def _table(self) -> str:
        rows: list[list[str]] = []
        header_cells = 0
        in_head = False
        while self.tokens[self.index].type != "table_close":
            token = self.tokens[self.index]
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                rows.append([])
            elif token.type == "inline":
                rows[-1].append(_inline(token).replace("|", "\\|").replace("\\\\|", "\\|"))
                if in_head:
                    header_cells = len(rows[-1])
            self.index += 1
        self.index += 1
        width = max(header_cells, *(len(r) for r in rows)) if rows else 0
        out = []
        for i, row in enumerate(rows):
            cells = row + [""] * (width - len(row))
            out.append("| " + " | ".join(cells) + " |")
            if i == 0:
                out.append("|" + "|".join("---" for _ in range(width)) + "|")
        return "\n".join(out)


def _inline(token: Token) -> str:
    """Inline Markdown as written, soft line breaks joined (hard breaks kept as new lines)."""
    text = _COMMENT.sub("", token.content)
    if any(child.type == "html_inline" for child in token.children or []):
        text = _TAG_START.sub(r"\\<", text)
    text = re.sub(r"(?:  +|\\)\n", "\x00", text)
    text = " ".join(text.replace("\n", " ").split(" "))
    return re.sub(r" {2,}", " ", text).replace("\x00", "\n").strip()


def confluence_html(markdown: str) -> str:
    """Confluence storage-format XHTML for ``markdown`` (sanitised; see the module docstring)."""
    tokens = _parser(False).parse(paste_markdown(markdown))
    _mark_task_lists(tokens)
    renderer = _parser(False).renderer
    rendered = renderer.render(tokens, _parser(False).options, {})
    clean = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    return _VOID.sub(r"<\1 />", clean).replace("&nbsp;", "&#160;")


def _mark_task_lists(tokens: list[Token]) -> None:
    """Turns bullet lists whose items all start with ``[ ]``/``[x]`` into Confluence tasks.

    The tokens are rewritten to ``html_inline``/``html_block`` only around text that
    markdown-it has already escaped, so nothing from the PRD becomes markup.
    """
    task_id = 0
    for index, token in enumerate(tokens):
        if token.type != "bullet_list_open":
            continue
        items = _direct_items(tokens, index)
        firsts = [_first_inline(tokens, i) for i in items]
        if not items or any(t is None or not _TASK.match(t.content) for t in firsts):
            continue
        token.type, token.tag = "html_block", ""
        token.content = "<ac:task-list>\n"
        close = _matching_close(tokens, index)
        tokens[close].type, tokens[close].content = "html_block", "</ac:task-list>\n"
        for item, inline in zip(items, firsts, strict=True):
            assert inline is not None
            done = _TASK.match(inline.content).group(1).lower() == "x"  # type: ignore[union-attr]
            _strip_task_prefix(inline)
            task_id += 1
            status = "complete" if done else "incomplete"
            tokens[item].type = "html_block"
            tokens[item].content = (
                f"<ac:task><ac:task-id>{task_id}</ac:task-id>"
                f"<ac:task-status>{status}</ac:task-status><ac:task-body>"
            )
            end = _matching_close(tokens, item)
            tokens[end].type, tokens[end].content = "html_block", "</ac:task-body></ac:task>\n"


def _matching_close(tokens: list[Token], index: int) -> int:
    depth = 0
    for j in range(index, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _direct_items(tokens: list[Token], index: int) -> list[int]:
    level = tokens[index].level + 1
    end = _matching_close(tokens, index)
    return [
        j for j in range(index + 1, end)
        if tokens[j].type == "list_item_open" and tokens[j].level == level
    ]  # fmt: skip


def _first_inline(tokens: list[Token], item: int) -> Token | None:
    end = _matching_close(tokens, item)
    return next((tokens[j] for j in range(item, end) if tokens[j].type == "inline"), None)


def _strip_task_prefix(inline: Token) -> None:
    inline.content = _TASK.sub("", inline.content, count=1)
    for child in inline.children or []:
        if child.type == "text":
            child.content = _TASK.sub("", child.content, count=1)
            break


def html_page(title: str, body: str) -> str:
    """A standalone page around Confluence HTML, to open in a browser and copy from."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" />'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}</body></html>\n"
    )
