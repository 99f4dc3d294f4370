from pathlib import Path

import pytest

from prd_assistant.template import (
    TemplateError,
    is_open_questions_title,
    load_template,
    normalize_title,
    parse_template,
    section_key,
)

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "prd_template.md"


def test_default_template_has_every_section_in_order():
    template = load_template()
    headings = [s.heading for s in template.sections]
    assert len(headings) == 19
    assert headings[0] == "## 1. Overview"
    assert headings[2] == "## 3. Goals & Non-Goals"
    assert headings[-1] == "## 19. Change Control"
    assert template.footer == "---\nTemplate v1.0"


def test_packaged_copy_matches_the_shared_seed():
    if not SEED.exists():
        pytest.skip("shared/ is not next to this checkout")
    assert load_template().source == SEED.read_text(encoding="utf-8")


def test_subsections_and_guidance_are_parsed():
    template = load_template()
    goals = template.section("goals-non-goals")
    assert [s.heading for s in goals.subsections] == ["### Goals", "### Non-Goals"]
    apis = template.section("apis-interactions")
    assert apis.subsections[0].title == "External API Surface"
    assert apis.subsections[0].guidance.startswith("Brief summary")
    assert "MUST / SHOULD / MAY" in template.section("functional-requirements").guidance


def test_title_placeholder_is_filled():
    template = load_template()
    assert template.title_for("ParcelPing") == "# ParcelPing Product Requirements Document (PRD)"


def test_custom_template_unnumbered_sections_and_code_fences():
    text = (
        "# Spec for <service name>\n\n## Summary\nOne line.\n\n## Design\n```\n## not a heading\n```\n"
        "### API\nEndpoints.\n## Summary\nAgain.\n"
    )
    template = parse_template(text, "custom.md")
    assert [s.key for s in template.sections] == ["summary", "design", "summary-2"]
    assert template.section("design").subsections[0].heading == "### API"
    assert "## not a heading" in template.section("design").guidance
    assert template.title_for("Acme") == "# Spec for Acme"


def test_template_without_sections_is_refused_clearly():
    with pytest.raises(TemplateError, match=r"no sections.*'## '"):
        parse_template("# Title\n\nJust prose, no sections.\n", "empty.md")


def test_binary_and_non_utf8_templates_are_refused(tmp_path):
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(TemplateError, match="is binary, not text"):
        load_template(binary)
    latin = tmp_path / "latin.md"
    latin.write_bytes("## Résumé\n".encode("latin-1"))
    with pytest.raises(TemplateError, match="not UTF-8"):
        load_template(latin)
    with pytest.raises(TemplateError, match="no such file"):
        load_template(tmp_path / "missing.md")
    with pytest.raises(TemplateError, match="is a folder"):
        load_template(tmp_path)


def test_titles_normalise_to_keys():
    assert normalize_title("3. Goals & Non-Goals") == "goals non goals"
    assert section_key("9. APIs & Interactions") == "apis-interactions"
    assert section_key("Überblick") == "überblick"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("12. Open Questions", True),
        ("Outstanding issues", True),
        ("Unresolved questions", True),
        ("Parking lot", True),
        ("Questions", True),
        ("FAQ", False),
        ("Open source licences", False),
        ("Question of scale", False),
    ],
)
def test_one_open_questions_title_for_review_dedup_accept_and_trackers(
    title: str, expected: bool
) -> None:
    assert is_open_questions_title(title) is expected
