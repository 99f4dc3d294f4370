"""The one document model: sections at every level and blocks with exact source offsets."""

from __future__ import annotations

import pytest

from prd_assistant.markdown_doc import parse_markdown

DOC = (
    "---\ntitle: Refunds\n---\n"
    "# Refunds PRD\n\n"
    "Preamble text.\n\n"
    "Requirements\n============\n\n"
    "## 1. Functional ##\n"
    "- First item\n  wraps here.\n-\n- 1. Nested *one*\n\n"
    "> The system must refund\n> within one day.\n\n"
    "### Motivation\n"
    "| Metric | Target? |\n|---|:--|\n| Latency | p95 `a|b` 200 ms \\| x |\n| Short |\n\n"
    "```py\nx = 1\n## not a heading\n```\n"
    "    indented code\n\n"
    "<!-- prd-review: disable=vague-speed -->\n"
    "Setext two\n---\n"
    "[ref]: https://example.com\n"
    "  ## Indented heading\n"
    "Text with ```inline``` code.\n"
)


def _kinds(text: str) -> list[tuple[str, str]]:
    doc = parse_markdown(text)
    return [(b.kind, text[b.start : b.end]) for b in doc.blocks]


def test_sections_cover_every_heading_level_with_paths_and_exact_spans() -> None:
    doc = parse_markdown(DOC)
    titles = [(s.level, s.title, s.path) for s in doc.sections]
    assert titles == [
        (1, "Refunds PRD", ("Refunds PRD",)),
        (1, "Requirements", ("Requirements",)),
        (2, "1. Functional", ("Requirements", "1. Functional")),
        (3, "Motivation", ("Requirements", "1. Functional", "Motivation")),
        (2, "Setext two", ("Requirements", "Setext two")),
        (2, "Indented heading", ("Requirements", "Indented heading")),
    ]
    functional = doc.sections[2]
    assert DOC[functional.start :].startswith("## 1. Functional ##\n")
    assert DOC[functional.title_start : functional.title_end] == "1. Functional"
    # A section ends where the next heading of the same or a higher level starts.
    assert DOC[functional.end :].startswith("Setext two\n---")
    assert doc.sections[3].end == functional.end
    assert DOC[doc.sections[1].title_start : doc.sections[1].title_end] == "Requirements"
    assert doc.body(doc.sections[-1]) == "Text with ```inline``` code.\n"
    assert doc.front_matter == (0, len("---\ntitle: Refunds\n---"))
    assert doc.enclosing(DOC.index("Metric"), 2) is functional
    assert doc.section_at(DOC.index("Preamble")).title == "Refunds PRD"


def test_blocks_are_typed_and_point_back_at_the_source() -> None:
    doc = parse_markdown(DOC)
    kinds = [(b.kind, DOC[b.start : b.end]) for b in doc.blocks]
    assert ("paragraph", "Preamble text.") in kinds
    assert ("list_item", "First item\n  wraps here.") in kinds
    assert ("list_item", "") in kinds  # the empty bullet
    assert ("list_item", "Nested *one*") in kinds
    assert ("blockquote", "The system must refund\n> within one day.") in kinds
    assert ("code", "```py\nx = 1\n## not a heading\n```") in kinds
    assert ("code", "indented code") in kinds
    assert ("html", "<!-- prd-review: disable=vague-speed -->") in kinds
    assert ("paragraph", "Text with ```inline``` code.") in kinds
    quote = next(b for b in doc.blocks if b.kind == "blockquote")
    assert doc.content(quote) == "The system must refund\nwithin one day."
    assert quote.quote_depth == 1 and quote.line == 17 and quote.end_line == 18
    nested = next(b for b in doc.blocks if DOC[b.start : b.end] == "Nested *one*")
    assert nested.list_depth == 2 and DOC[nested.marker_start : nested.start] == "1. "
    first = next(b for b in doc.blocks if b.kind == "list_item")
    assert DOC[first.marker_start] == "-"
    code = next(b for b in doc.blocks if b.kind == "code")
    assert doc.content(code) == "x = 1\n## not a heading" and code.info == "py"
    assert [DOC[a:b] for a, b in doc.unparsed] == ["[ref]: https://example.com"]
    # The comment's next block is the one a suppression applies to.
    html = next(b for b in doc.blocks if b.kind == "html")
    following = doc.next_block(html.end + 1)
    assert following is not None and following.kind == "heading"
    assert doc.block_at(DOC.index("within one")) is quote


def test_table_cells_split_exactly_with_header_and_row_label() -> None:
    doc = parse_markdown(DOC)
    cells = [b for b in doc.blocks if b.kind == "table_cell"]
    assert [(c.row, c.column, DOC[c.start : c.end]) for c in cells] == [
        (0, 0, "Metric"),
        (0, 1, "Target?"),
        (1, 0, "Latency"),
        # An escaped pipe stays in the cell; a pipe inside backticks splits it (GFM).
        (1, 1, "p95 `a"),
        (2, 0, "Short"),
        (2, 1, ""),
    ]
    latency = cells[3]
    assert (latency.header, latency.row_label) == ("Target?", "Latency")
    assert latency.section == 3  # under ### Motivation
    escaped = parse_markdown("| a | b |\n|---|---|\n| x \\| y | z |\n")
    assert [escaped.text[b.start : b.end] for b in escaped.blocks] == ["a", "b", "x \\| y", "z"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_offsets_stay_exact_and_titles_hold_no_carriage_return(newline: str) -> None:
    text = DOC.replace("\n", newline)
    doc = parse_markdown(text)
    plain = parse_markdown(DOC)
    assert [s.title for s in doc.sections] == [s.title for s in plain.sections]
    assert all("\r" not in s.title for s in doc.sections)
    for block, twin in zip(doc.blocks, plain.blocks, strict=True):
        assert block.kind == twin.kind
        assert doc.content(block) == plain.content(twin)
        assert block.line == twin.line
        assert "\r" not in block.header + block.row_label
    assert doc.position(text.index("Preamble")) == (6, 1)


def test_setext_and_indented_headings_inside_fences_and_quotes_are_not_sections() -> None:
    text = "```\n# not\n```\n> ## quoted\n- ## in a list\n## Real\n"
    doc = parse_markdown(text)
    assert [s.title for s in doc.sections] == ["Real"]
    assert [b.kind for b in doc.blocks if b.kind == "heading"] == ["heading"] * 3


def test_parsing_is_linear_on_pathological_input() -> None:
    # One long line, a long run of spaces and many backticks parse into few blocks.
    doc = parse_markdown("fast " * 20_000 + " " * 80_000 + "`" * 3 + "x\n")
    assert len(doc.blocks) == 1
