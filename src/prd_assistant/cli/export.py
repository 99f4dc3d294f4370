"""Export a PRD for another tool: Markdown that pastes cleanly into Notion or Confluence
(tables, task lists), Confluence HTML (storage format, sanitised), or DOCX (from a draft JSON).

FILE is Markdown or a draft JSON written by ``prd draft --json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from prd_assistant.cli.common import EXIT_OK, fail
from prd_assistant.textfile import TextFileError, read_text_file

MAX_BYTES = 20 * 1024 * 1024
FORMATS = ("markdown", "confluence", "html-page", "docx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``FILE``, ``--format`` and ``--output``."""
    parser.add_argument("file", metavar="FILE", help="the PRD: Markdown, or a draft JSON")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="markdown",
        help="markdown (paste into Notion/Confluence), confluence (storage-format XHTML), "
        "html-page (a page to open and copy from), docx (draft JSON only); default markdown",
    )
    parser.add_argument("-o", "--output", help="write here (default: stdout; docx needs -o)")


def run(args: argparse.Namespace) -> int:
    """Writes the export; returns the exit code."""
    from prd_assistant import export
    from prd_assistant.document import Draft
    from prd_assistant.export_wiki import confluence_html, html_page, paste_markdown

    try:
        text = read_text_file(args.file, max_bytes=MAX_BYTES)
    except TextFileError as exc:
        return fail(str(exc))
    draft = None
    if args.file.endswith(".json"):
        try:
            draft = Draft.from_dict(json.loads(text))
        except (ValueError, json.JSONDecodeError) as exc:
            return fail(f"{args.file}: {exc}")
        text = draft.to_markdown()
    if args.format == "docx":
        if draft is None or not args.output:
            return fail("docx needs a draft JSON (prd draft --json) and -o FILE.docx")
        Path(args.output).write_bytes(export.to_docx(draft))
        return EXIT_OK
    if args.format == "markdown":
        output = paste_markdown(text)
    else:
        output = confluence_html(text)
        if args.format == "html-page":
            title = draft.title.lstrip("# ") if draft else Path(args.file).stem
            output = html_page(title, output)
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return EXIT_OK
