"""The first-pass rule-precision benchmark (benchmarks/rule_precision.py): counting, intervals,
the pre-registered policy and its leave-one-batch-out test, on a tiny labelled document with
stubbed findings, so no test depends on what any engine flags."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from prd_assistant.gate.catalog import all_rules
from tests.support.benchmarks import load_benchmark

TINY = """# Tiny PRD

## Goals
The app is fast.
Sign-in takes under 2 s (p95).

Pricing is TBD and
the tier names are too.

Clean line with six words here.
"""
TINY_LABELS = (
    "line\tunquantified\topen_question\tnote\n"
    '4\t1\t0\t"fast"\n'
    "5\t0\t0\t\n"
    "7\t0\t1\tTBD\n"
    "8\t0\t1\tcontinues the TBD sentence\n"
    "10\t0\t0\t\n"
)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("rule_precision")


@pytest.fixture
def tiny(bench: ModuleType, tmp_path: Path):
    (tmp_path / "tiny.md").write_text(TINY, encoding="utf-8")
    (tmp_path / "tiny.labels.tsv").write_text(TINY_LABELS, encoding="utf-8")
    return bench.rr.load_document(tmp_path / "tiny.md")


def flag(bench: ModuleType, needle: str, category: str, rule: str, through: str = ""):
    """A finding of ``rule`` on ``needle`` in TINY (up to the end of ``through`` when given)."""
    start = TINY.index(needle)
    end = TINY.index(through) + len(through) if through else start + len(needle)
    return bench.Flag(rule, category, "warning", TINY.count("\n", 0, start) + 1, start, end, "")


def test_wilson_interval_matches_the_textbook_values(bench: ModuleType) -> None:
    low, high = bench.wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    assert bench.wilson(0, 10)[0] == 0.0 and round(bench.wilson(0, 10)[1], 4) == 0.2775
    assert bench.wilson(0, 0) == (0.0, 1.0)


def test_every_review_rule_has_a_family(bench: ModuleType) -> None:
    review_rules = [
        r.id for r in all_rules() if r.source == "review" and r.category in bench.rr.CATEGORIES
    ]
    assert review_rules
    assert [r for r in review_rules if bench.family_of(r, "") == bench.OTHER] == []
    assert bench.family_of("placeholder", "[NEEDS CLARIFICATION: who?]") == "clarification marker"
    assert bench.family_of("placeholder", "TBD") == "placeholder / template residue"


def test_tally_counts_lines_per_category_and_lines_with_no_label_as_false(
    bench: ModuleType, tiny
) -> None:
    flags = [
        flag(bench, "fast", "unquantified_claim", "vague-speed"),
        flag(bench, "six", "unquantified_claim", "vague-quantity"),
        flag(bench, "Tiny", "unquantified_claim", "vague-quantity"),  # heading: no label row
        flag(bench, "TBD", "open_question", "placeholder", through="too"),  # spans lines 7-8
        flag(bench, "under 2 s", "open_question", "placeholder"),
    ]
    by_family = bench.tally(tiny, flags)
    assert sorted(by_family["vague speed / timing"].tp) == [("tiny", 4, "unquantified_claim")]
    quantity = by_family["vague quantity"]
    assert (len(quantity.tp), sorted(n for _, n, _ in quantity.fp)) == (0, [1, 10])
    residue = by_family["placeholder / template residue"]
    assert sorted(n for _, n, _ in residue.tp) == [7, 8] and len(residue.fp) == 1
    assert residue.tp_documents == 1
    assert set(bench.tally(tiny, flags, key="rule")) == {
        "vague-speed",
        "vague-quantity",
        "placeholder",
    }


def test_policy_hides_only_families_sure_to_be_wrong_half_the_time(bench: ModuleType) -> None:
    def tallied(tp: int, fp: int):
        return bench.Tally(
            {("d", n, "c") for n in range(tp)}, {("d", n, "c") for n in range(tp, tp + fp)}
        )

    tallies = {"bad": tallied(2, 20), "few": tallied(0, 3), "fine": tallied(10, 10)}
    assert bench.hidden_families(tallies) == {"bad"}


def test_pass_needs_higher_precision_and_no_lower_f1(bench: ModuleType) -> None:
    def figures(p_unq: float, f1_unq: float, p_open: float = 0.5, f1_open: float = 0.5) -> dict:
        return {
            "unquantified_claim": {"precision": p_unq, "f1": f1_unq},
            "open_question": {"precision": p_open, "f1": f1_open},
        }

    assert bench.passes(figures(0.3, 0.4), figures(0.5, 0.4))
    assert not bench.passes(figures(0.3, 0.4), figures(0.5, 0.3))  # F1 fell
    assert not bench.passes(figures(0.3, 0.4), figures(0.3, 0.4))  # nothing rose
    assert not bench.passes(figures(0.3, 0.4), figures(0.5, 0.4, p_open=0.4))


def test_leave_one_batch_out_decides_without_the_batch_it_scores(
    bench: ModuleType, tiny, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batch "a" shows vague quantity wrong 25 times; batch "b" is the same document, flagged
    # once rightly by vague speed and once wrongly by vague quantity.
    wrong = [flag(bench, "six", "unquantified_claim", "vague-quantity")]
    documents = {name: replace(tiny, name=name) for name in [f"a{i}" for i in range(25)] + ["b"]}
    runs = {
        "a": {f"a{i}": wrong for i in range(25)},
        "b": {"b": [flag(bench, "fast", "unquantified_claim", "vague-speed"), *wrong]},
    }
    monkeypatch.setattr(
        bench, "BATCHES", (bench.Batch("a", "x", tuple(runs["a"])), bench.Batch("b", "y", ("b",)))
    )
    result = bench.leave_one_batch_out(documents, runs)
    assert result["batches"]["b"]["hidden"] == ["vague quantity"]
    assert result["batches"]["a"]["hidden"] == []  # batch b alone proves nothing
    scored = result["batches"]["b"]
    assert scored["without"]["unquantified_claim"]["precision"] == 0.5
    assert scored["with"]["unquantified_claim"]["precision"] == 1.0


def test_batches_name_dev_documents_once_each(bench: ModuleType) -> None:
    names = [name for batch in bench.BATCHES for name in batch.documents]
    assert len(names) == len(set(names)) == 82
    for name in names:
        assert (bench.DEV / f"{name}.md").is_file()
        assert (bench.DEV / f"{name}.labels.tsv").is_file()


# --- section roles (benchmarks/section_roles.py) ----------------------------------------------

ROLES_DOC = """# Export PRD

Today, analysts copy figures by hand. They have to rebuild the sheet every week.
Teams often spend a lot of time on it.

## Background
Exports were slow and flaky.

## Requirements
- The export must be fast.

## Rollout notes
The feature will ship behind a flag. It must be enabled per workspace. It will be on by default.

> A quoted aside.
"""


@pytest.fixture(scope="module")
def roles_bench() -> ModuleType:
    return load_benchmark("section_roles")


def test_heading_role_reads_heading_words_and_product_words_win(roles_bench: ModuleType) -> None:
    role = roles_bench.heading_role
    assert role("2.1 Background") == role("Prior Art") == role("Current state (2025)") == "context"
    assert role("Non-Functional Requirements") == role("Success Metrics") == "product"
    assert role("Problem and product hypothesis") == "product"
    assert role("Rollout notes x") == "context" and role("Ice cream") is None


def test_prose_role_reads_narration_against_commitment(roles_bench: ModuleType) -> None:
    narrative = "Today, analysts copy figures by hand. They have to rebuild the sheet every week."
    committing = "The export must finish. The system will retry twice. FR-001 covers it."
    assert roles_bench.prose_role(narrative) == "context"
    assert roles_bench.prose_role(committing) == "product"
    assert roles_bench.prose_role("One short sentence here.") is None


def test_line_roles_use_headings_then_the_introduction_prose(roles_bench: ModuleType) -> None:
    roles = roles_bench.line_roles(ROLES_DOC)
    assert roles[3].role == "context" and roles[3].source == "prose"  # under the title only
    assert roles[7].role == "context" and roles[7].engine_context
    assert (roles[10].role, roles[10].kind) == ("product", "list_item")
    assert roles[15].kind == "blockquote"
    assert 1 not in roles  # the heading itself has no role


def test_gate_drops_only_unquantified_findings_in_context_sections(
    roles_bench: ModuleType,
) -> None:
    def at(needle: str, category: str):
        start = ROLES_DOC.index(needle)
        line = ROLES_DOC.count("\n", 0, start) + 1
        return roles_bench.rp.Flag("r", category, "warning", line, start, start + 4, needle)

    flags = [
        at("a lot of", "unquantified_claim"),
        at("slow", "unquantified_claim"),
        at("slow", "open_question"),
        at("fast", "unquantified_claim"),
    ]
    kept = roles_bench.gate(ROLES_DOC, flags)
    assert [(f.match, f.category) for f in kept] == [
        ("slow", "open_question"),
        ("fast", "unquantified_claim"),
    ]


def test_adoption_rule_needs_precision_up_f1_kept_open_kept_and_fewer_false_flags(
    roles_bench: ModuleType,
) -> None:
    def figures(p: float, f1: float, ff: float, open_f1: float = 0.5) -> dict:
        return {
            "unquantified_claim": {"precision": p, "f1": f1},
            "open_question": {"precision": 0.5, "recall": 0.5, "f1": open_f1},
            "false_flags_per_1000_words": ff,
        }

    assert roles_bench.adopts(figures(0.5, 0.5, 4.0), figures(0.6, 0.5, 3.0))
    assert not roles_bench.adopts(figures(0.5, 0.5, 4.0), figures(0.6, 0.49, 3.0))
    assert not roles_bench.adopts(figures(0.5, 0.5, 4.0), figures(0.5, 0.5, 3.0))
    assert not roles_bench.adopts(figures(0.5, 0.5, 4.0), figures(0.6, 0.5, 4.0))
    assert not roles_bench.adopts(figures(0.5, 0.5, 4.0), figures(0.6, 0.5, 3.0, open_f1=0.4))
