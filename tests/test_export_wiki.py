"""Markdown that pastes cleanly into Notion/Confluence, and sanitised Confluence HTML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from prd_assistant.cli import main
from prd_assistant.export_wiki import confluence_html, html_page, paste_markdown
from prd_assistant.markdown_doc import parse_markdown

PRD = """# Checkout PRD

Shoppers abandon 68% of carts
on mobile; this release
rebuilds checkout. <!-- prd-review: disable=vague-speed -->

## 6. Functional Requirements
* **FR-1** (MUST, serves UC1): The checkout MUST prefill the saved card.
  * Acceptance criteria:
    * Given a saved card, when checkout opens, then the card is selected.
    * Given no saved card, when checkout opens, then the form is focused.

Setext heading
--------------

| Area | Target | Note |
|---|---|---|
| Latency | p95 ≤ 300 ms | a \\| b |
| Availability | 99.9% |

## 13. Open Questions
1. Which wallets ship first?
- Open question: Who owns refunds? (owner: PM)

```python
def keep():  # code is copied as it is
    return "<b>"
```
"""
HOSTILE = """## Notes
<script>alert(1)</script>

Click [here](javascript:alert(1)) or [there](JaVaScRiPt:alert(2)) or <a href="javascript:x">raw</a>.

<img src=x onerror=alert(3)> <div onmouseover="steal()">hover</div>

[data](data:text/html;base64,PHNjcmlwdD4=) and [ok](https://example.com/?a=1&b=2).

| cell <b onclick=x>bold</b> | <iframe src="https://evil"></iframe> |
|---|---|
| `<script>` | [x](vbscript:msgbox) |
"""
AC_NS = "http://atlassian.com/content"


def _xml(fragment: str) -> ET.Element:
    """Parses storage-format XHTML; fails on anything that is not well-formed XML."""
    return ET.fromstring(f'<root xmlns:ac="{AC_NS}">{fragment}</root>')


def test_paste_markdown_joins_wrapped_lines_and_normalises_blocks() -> None:
    out = paste_markdown(PRD)
    assert "Shoppers abandon 68% of carts on mobile; this release rebuilds checkout." in out
    assert "<!--" not in out and "## Setext heading" in out
    assert "\n- **FR-1** (MUST, serves UC1)" in out
    assert "\n\n## 6. Functional Requirements\n\n" in out  # blank lines around blocks
    assert 'return "<b>"' in out  # code untouched


def test_paste_markdown_tables_have_every_cell_and_escaped_pipes() -> None:
    table = [line for line in paste_markdown(PRD).splitlines() if line.startswith("|")]
    assert table[0] == "| Area | Target | Note |" and table[1] == "|---|---|---|"
    assert table[2] == "| Latency | p95 ≤ 300 ms | a \\| b |"
    assert table[3] == "| Availability | 99.9% |  |"
    assert {line.count(" | ") for line in table if line != table[1]} == {2}


def test_acceptance_criteria_and_open_questions_become_task_items() -> None:
    out = paste_markdown(PRD)
    assert "    - [ ] Given a saved card, when checkout opens, then the card is selected." in out
    assert "- [ ] Open question: Who owns refunds? (owner: PM)" in out
    assert "- [ ] **FR-1**" not in out and "[ ] Acceptance criteria" not in out


def test_paste_markdown_parses_back_to_the_same_structure() -> None:
    before, after = parse_markdown(PRD), parse_markdown(paste_markdown(PRD))
    titles = [s.title for s in before.sections]
    assert [s.title for s in after.sections] == titles
    cells = lambda doc: sum(b.kind == "table_cell" for b in doc.blocks)  # noqa: E731
    assert cells(after) == cells(before) == 9


def test_confluence_html_is_wellformed_storage_format_with_tables_and_tasks() -> None:
    root = _xml(confluence_html(PRD))
    assert [h.text for h in root.iter("h2")] == [
        "6. Functional Requirements",
        "Setext heading",
        "13. Open Questions",
    ]
    assert len(root.findall(".//table/tbody/tr")) == 2
    tasks = root.findall(f".//{{{AC_NS}}}task")
    bodies = ["".join(t.find(f"{{{AC_NS}}}task-body").itertext()) for t in tasks]
    assert bodies == [
        "Given a saved card, when checkout opens, then the card is selected.",
        "Given no saved card, when checkout opens, then the form is focused.",
        "Open question: Who owns refunds? (owner: PM)",
    ]
    assert {t.find(f"{{{AC_NS}}}task-status").text for t in tasks} == {"incomplete"}
    ids = [t.find(f"{{{AC_NS}}}task-id").text for t in tasks]
    assert len(set(ids)) == 3
    assert root.find(".//pre/code") is not None


def test_confluence_html_never_carries_scripts_handlers_or_script_urls() -> None:
    out = confluence_html(HOSTILE)
    root = _xml(out)
    tags = {el.tag for el in root.iter()}
    assert not tags & {"script", "img", "iframe", "div", "b", "style", "object", "embed"}
    attributes = [(el.tag, name) for el in root.iter() for name in el.attrib]
    assert all(not name.lower().startswith("on") for _, name in attributes)
    hrefs = [el.attrib["href"] for el in root.iter("a") if "href" in el.attrib]
    assert hrefs == ["https://example.com/?a=1&b=2"]
    # Inside a tag (escaped text such as &lt;a href="javascript:x"&gt; is only shown).
    assert not re.search(
        r"""<[^>]*(?:href|src)\s*=\s*["']?\s*(?:javascript|vbscript|data):""", out, re.I
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out  # shown as text, not run


def test_html_page_escapes_the_title() -> None:
    page = html_page("A <b> & c", "<p>x</p>")
    assert "<title>A &lt;b&gt; &amp; c</title>" in page and page.startswith("<!DOCTYPE html>")


def test_cli_export_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prd = tmp_path / "prd.md"
    prd.write_text(PRD, encoding="utf-8")
    assert main(["export", str(prd)]) == 0
    assert capsys.readouterr().out == paste_markdown(PRD)
    assert main(["export", str(prd), "--format", "confluence", "-o", str(tmp_path / "c.html")]) == 0
    assert (tmp_path / "c.html").read_text(encoding="utf-8") == confluence_html(PRD)
    assert main(["export", str(prd), "--format", "docx", "-o", str(tmp_path / "p.docx")]) == 2
    assert "draft JSON" in capsys.readouterr().err
    assert (
        main(
            [
                "draft",
                "Shelf is a library app. Members reserve books.",
                "--offline",
                "-q",
                "--json",
                str(tmp_path / "d.json"),
                "-o",
                str(tmp_path / "d.md"),
            ]
        )
        == 0
    )
    assert (
        main(
            ["export", str(tmp_path / "d.json"), "--format", "docx", "-o", str(tmp_path / "p.docx")]
        )
        == 0
    )
    assert (tmp_path / "p.docx").read_bytes()[:2] == b"PK"
    assert main(["export", str(tmp_path / "d.json"), "--format", "html-page"]) == 0
    assert "<title>Shelf Product Requirements Document (PRD)</title>" in capsys.readouterr().out
