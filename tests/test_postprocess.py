import pytest

from prd_assistant.postprocess import MAX_SECTION_CHARS, EmptyReplyError, finalize_section_text
from prd_assistant.template import load_template

TEMPLATE = load_template()
OVERVIEW = TEMPLATE.section("overview")
GOALS = TEMPLATE.section("goals-non-goals")


@pytest.mark.parametrize(
    "first_line", ["## 1. Overview", "# Overview", "### 1. Overview", "**Overview**", "## OVERVIEW"]
)
def test_repeated_section_heading_is_stripped(first_line):
    assert (
        finalize_section_text(f"{first_line}\n\nParcelPing sends updates.", OVERVIEW)
        == "ParcelPing sends updates."
    )


def test_wrapping_code_fence_is_removed_but_inner_code_kept():
    raw = '```markdown\nText.\n\n```json\n{"a": 1}\n```\n```'
    assert finalize_section_text(raw, OVERVIEW) == 'Text.\n\n```json\n{"a": 1}\n```'


def test_top_level_headings_in_a_body_are_demoted():
    out = finalize_section_text("Intro.\n## Details\nMore.", OVERVIEW)
    assert out == "Intro.\n### Details\nMore."


def test_missing_subsections_are_restored_verbatim_and_in_order():
    out = finalize_section_text("#### non-goals\n- No billing.\n### goals\n- G1: ship.", GOALS)
    assert out.index("### Goals") < out.index("### Non-Goals")
    assert "- G1: ship." in out.split("### Non-Goals")[0]
    assert "- No billing." in out.split("### Non-Goals")[1]


def test_a_reply_without_subsections_gets_them_as_open_questions():
    out = finalize_section_text("Some text about goals.", GOALS)
    assert out.startswith("Some text about goals.")
    assert "### Goals\nOpen question: What belongs under Goals?" in out
    assert out.rstrip().endswith("Open question: What belongs under Non-Goals?")


def test_runaway_repetition_is_trimmed():
    looping = "The service MUST deliver every notification.\n" * 30
    out = finalize_section_text("Intro.\n" + looping + "End.", OVERVIEW)
    assert out.count("The service MUST deliver every notification.") == 1
    alternating = (
        "Line A is long enough to count here.\nLine B is long enough to count too.\n"
    ) * 10
    out = finalize_section_text(alternating, OVERVIEW)
    assert out.count("Line A is long enough") == 2


def test_table_rules_are_not_treated_as_repetition():
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| c | d |\n|---|---|\n| 3 | 4 |"
    assert finalize_section_text(table, OVERVIEW) == table


def test_overlong_reply_is_capped_with_a_visible_note():
    paragraphs = "\n\n".join(f"Paragraph {i} " + "word " * 50 for i in range(200))
    out = finalize_section_text(paragraphs, OVERVIEW)
    assert len(out) < MAX_SECTION_CHARS + 100
    assert out.endswith("_(Trimmed: the model's reply ran past 12,000 characters.)_")


@pytest.mark.parametrize("junk", ["", "   \n", "## 1. Overview\n", "```\n```", "—— …"])
def test_empty_or_junk_reply_is_an_error(junk):
    with pytest.raises(EmptyReplyError):
        finalize_section_text(junk, OVERVIEW)
