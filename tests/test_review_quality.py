"""The review engine meets its quality targets on the labelled sets (not a timed test).

Targets (see tests/data/review/README.md): unquantified claims precision ≥ 0.90 and recall
≥ 0.85; open questions precision and recall ≥ 0.95 (decisions left open without a question
mark, open_lines.tsv: precision ≥ 0.95, recall ≥ 0.90); at most 1 false flag per 1,000 words of
clean, quantified text. The same code prints the figures: benchmarks/review_quality.py.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support.benchmarks import load_benchmark


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    return load_benchmark("review_quality")


@pytest.fixture(scope="module")
def scores(quality: ModuleType) -> dict:
    scores = quality.score(quality.load_items())
    quality.score_documents(scores)
    return scores


def test_labelled_sets_are_large_enough(quality: ModuleType) -> None:
    items = quality.load_items()
    assert sum(item.source == "promise" for item in items) >= 150
    assert sum(item.labels["open_question"] for item in items) >= 30
    assert sum(item.labels.get("unquantified_claim", False) for item in items) >= 80
    decisions = [item for item in items if item.source == "open_lines"]
    assert sum(item.labels["open_question"] for item in decisions) >= 80
    assert sum(not item.labels["open_question"] for item in decisions) >= 70


def test_unquantified_claims_precision_and_recall(scores: dict) -> None:
    entry = scores["all"]["unquantified_claim"]
    assert entry.precision >= 0.90, entry.false_flags
    assert entry.recall >= 0.85, entry.misses


def test_unquantified_claims_on_the_public_promise_requirements(scores: dict) -> None:
    entry = scores["promise"]["unquantified_claim"]
    assert entry.precision >= 0.90, entry.false_flags
    assert entry.recall >= 0.75, entry.misses


def test_open_questions_precision_and_recall(scores: dict) -> None:
    entry = scores["all"]["open_question"]
    assert entry.precision >= 0.95, entry.false_flags
    assert entry.recall >= 0.95, entry.misses


def test_decisions_left_open_without_a_question_mark(scores: dict) -> None:
    # Deferrals and unresolved choices in many phrasings, with traps (a user's choice, the
    # product deciding at run time, "whether" in a described behaviour, states named
    # "pending" or "open"): see open_lines.tsv.
    entry = scores["open_lines"]["open_question"]
    assert entry.precision >= 0.95, entry.false_flags
    assert entry.recall >= 0.90, entry.misses


@pytest.mark.parametrize("name", ["heldout2_prd", "heldout3_prd", "heldout4_prd"])
def test_held_out_prds_meet_the_targets(scores: dict, name: str) -> None:
    # Written and labelled after the rules, to check that they generalise (see the README).
    claims, questions = scores[name]["unquantified_claim"], scores[name]["open_question"]
    assert claims.precision >= 0.90, claims.false_flags
    assert claims.recall >= 0.85, claims.misses
    assert questions.precision >= 0.95, questions.false_flags
    assert questions.recall >= 0.95, questions.misses


def test_clean_quantified_prd_has_at_most_one_false_flag_per_thousand_words(
    quality: ModuleType,
) -> None:
    count, words, details = quality.clean_false_flags()
    assert words >= 1500
    assert count * 1000 / words <= 1.0, details


def test_questions_answered_by_the_text_around_them(scores: dict) -> None:
    # Question headings, FAQ-like lists, restated answers, UI copy, interview scripts: see
    # answered_questions_prd.md. Two of its open headings give context but no decision, and
    # nothing reads that yet.
    entry = scores["answered_questions_prd"]["open_question"]
    assert entry.precision >= 0.95, entry.false_flags
    assert entry.recall >= 0.75, entry.misses
