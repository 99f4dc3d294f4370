"""Review highlighting: escaping first, marks in place, Markdown that still reads well."""

from __future__ import annotations

from prd_assistant.document import Draft
from prd_assistant.review import review
from prd_assistant.template import parse_template
from prd_assistant.ui.highlight import DOCUMENT_KEY, locate, render

TEMPLATE = parse_template("# <Service Name> PRD\n## 1. Overview\n## 2. Goals\n", "t.md")


def make_draft(overview: str, goals: str) -> Draft:
    draft = Draft.from_template(TEMPLATE, "A service that does things.", "Demo")
    draft.section("overview").text = overview
    draft.section("goals").text = goals
    return draft


def located(draft: Draft):
    markdown = draft.to_markdown()
    return locate(draft, markdown, review(markdown))


def test_findings_map_to_their_section_and_local_offsets():
    draft = make_draft("Intro line.\n\nThe API is fast.", "Launch date TBD.")
    items = located(draft)
    by_key = {item.key: item for item in items}
    assert set(by_key) == {"overview", "goals"}
    overview = by_key["overview"]
    text = draft.section("overview").text.strip()
    assert text[overview.start : overview.end] == overview.finding.match == "fast"
    goals = by_key["goals"]
    assert draft.section("goals").text[goals.start : goals.end] == "TBD"
    assert len({item.id for item in items}) == len(items)


def test_ids_stay_the_same_when_other_text_moves():
    before = {i.key: i.id for i in located(make_draft("The API is fast.", "Date TBD."))}
    after = {
        i.key: i.id for i in located(make_draft("New intro.\n\nThe API is fast.", "Date TBD."))
    }
    assert before == after


def test_title_findings_belong_to_the_document():
    draft = make_draft("Fine.", "Fine.")
    draft.title = "# TBD PRD"
    assert [i.key for i in located(draft)] == [DOCUMENT_KEY]


def test_script_and_html_in_the_text_are_escaped_and_marks_are_the_only_tags():
    text = "<script>alert(1)</script> is fast & <b>bold</b>"
    item = next(i for i in located(make_draft(text, "ok")) if i.finding.match == "fast")
    html = render(text, [item])
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<mark class="prd-flag-unquantified-claim"' in html and ">fast</mark>" in html
    assert html.count("<") == html.count("<mark") + html.count("</mark")


def test_attribute_text_cannot_break_out_of_the_title():
    class Fake:
        category = "open_question"
        message = 'say "hi" `x` <img src=x onerror=alert(1)>'
        question = ""

    from prd_assistant.ui.highlight import Located

    html = render("abc", [Located(Fake(), "k", 0, 3, "id")])  # type: ignore[arg-type]
    assert "<img" not in html and "`" not in html.split(">abc<")[0]
    assert html.startswith('<mark class="prd-flag-open-question" title="say &quot;hi&quot;')


def test_markdown_structure_survives_escaping():
    text = "> a quote\n\n- item with `a<b>` code\n\n```\nif a < b && c:\n```\n| A | B |\n|---|---|"
    html = render(text)
    lines = html.split("\n")
    assert lines[0] == "> a quote"
    assert "<code>a&lt;b&gt;</code>" in html
    assert "<pre><code>if a &lt; b &amp;&amp; c:</code></pre>" in html
    assert "| A | B |" in html


def test_a_mark_never_spans_lines():
    class Fake:
        category = "open_question"
        message = "m"
        question = "q"

    from prd_assistant.ui.highlight import Located

    html = render("- one\n- two", [Located(Fake(), "k", 2, 11, "id")])  # type: ignore[arg-type]
    assert html.split("\n") == [
        '- <mark class="prd-flag-open-question" title="m q">one</mark>',
        '- <mark class="prd-flag-open-question" title="m q">two</mark>',
    ]


def test_blanks_stay_visible_and_remote_images_do_not_load():
    rendered = render("p95 ≤ __ ms for __ at __/s; __bold__ ![x](http://a.invalid/p.png)")
    assert "&#95;&#95; ms for &#95;&#95;" in rendered  # not read as bold markers
    assert "__bold__" in rendered
    assert "![" not in rendered and "&#33;[x](http://a.invalid/p.png)" in rendered
