"""The learned claim scorer's cross-validation (benchmarks/claim_model_cv.py) and its candidates."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support.benchmarks import load_benchmark


@pytest.fixture(scope="module")
def cv() -> ModuleType:
    return load_benchmark("claim_model_cv")


def test_fit_is_deterministic_and_learns_the_signal(cv: ModuleType) -> None:
    rows = [{"a": 1.0}] * 20 + [{"b": 1.0}] * 20 + [{"a": 1.0, "b": 1.0}] * 4
    targets = [1] * 18 + [0] * 2 + [0] * 19 + [1] + [1, 0, 1, 0]
    first = cv.fit(rows, targets, c=1.0)
    second = cv.fit(list(rows), list(targets), c=1.0)
    assert first.weights == second.weights and first.bias == second.bias
    assert first.score({"a": 1.0}) > 0.7 > 0.3 > first.score({"b": 1.0})
    # A feature seen once is left out rather than memorised.
    rare = cv.fit([*rows, {"once": 1.0}], [*targets, 1], c=1.0)
    assert "once" not in rare.weights


def test_stronger_regularisation_shrinks_the_weights(cv: ModuleType) -> None:
    rows = [{"a": 1.0}] * 10 + [{"b": 1.0}] * 10
    targets = [1] * 9 + [0] + [0] * 9 + [1]
    loose, tight = cv.fit(rows, targets, c=10.0), cv.fit(rows, targets, c=0.01)
    assert abs(tight.weights["a"]) < abs(loose.weights["a"])


def test_folds_never_split_a_repository(cv: ModuleType) -> None:
    docs = [
        cv.Doc(None, group, [None] * size, [], [])
        for group, size in [("r1", 5), ("r1", 3), ("r2", 9), ("r3", 1), ("r4", 4), ("r2", 2)]
    ]
    folds = cv.group_folds(docs, 3)
    flat = [g for fold in folds for g in fold]
    assert sorted(flat) == ["r1", "r2", "r3", "r4"] and len(folds) == 3
    assert cv.group_folds(docs, 3) == folds  # deterministic


def test_every_dev_document_has_a_repository(cv: ModuleType) -> None:
    repos = cv.repositories()
    names = [path.stem for path in cv.rr.document_paths("dev")]
    assert names and all(name in repos for name in names)
    assert repos["go_pgo"] == repos["go_heap_viewer"] == "golang/proposal"


def test_a_candidate_is_positive_only_on_the_quoted_words(cv: ModuleType) -> None:
    text = "# T\n\n- The export must be fast and clean.\n- Exports are CSV.\n"
    labels = {
        3: cv.rr.LineLabel(3, True, False, '"fast": no time'),
        4: cv.rr.LineLabel(4, False, False, ""),
    }
    document = cv.rr.Document("t", text, labels)
    at = text.index
    candidates = [
        cv.cc.Candidate(at("fast"), at("fast") + 4, 3, "rule", "vague-speed", True),
        cv.cc.Candidate(at("clean"), at("clean") + 5, 3, "lexicon", "subjective-quality", False),
        cv.cc.Candidate(at("CSV"), at("CSV") + 3, 4, "lexicon", "subjective-quality", False),
    ]
    assert cv.candidate_targets(document, candidates) == [1, 0, 0]


def test_candidates_hold_gated_rule_matches_and_lexicon_words(cv: ModuleType) -> None:
    text = (
        "# Widget PRD\n\n## Background\n\nToday exports are slow.\n\n"
        "## Requirements\n\n- The export must be fast.\n- The dashboard must be gorgeous.\n"
    )
    found = {text[c.start : c.end]: c for c in cv.cc.document_candidates(text)}
    assert found["fast"].engine and found["fast"].rule == "vague-speed"
    # The rules drop "slow" in a Background section; the candidate keeps it, with the verdict.
    assert not found["slow"].engine and found["slow"].features["claim_free"] == 1.0
    assert found["gorgeous"].kind == "lexicon" and found["gorgeous"].engine
    assert found["fast"].features["sec:req"] == 1.0


def test_open_question_candidates_keep_what_the_engine_drops(cv: ModuleType) -> None:
    text = (
        "# Widget PRD\n\n## Requirements\n\n- Export format is TBD.\n"
        "- Should we support SSO? Yes, SAML only.\n\n## FAQ\n\n### How fast is it?\n\nVery.\n\n"
        "## Open questions\n\n- Which region hosts the data?\n"
    )
    found = {text[c.start : c.end]: c for c in cv.oc.document_candidates(text)}
    assert found["TBD"].engine and found["TBD"].features["keeps"] == 1.0
    answered = found["Should we support SSO?"]
    assert not answered.engine and answered.features["not_asking"] == 1.0
    assert found["How fast is it?"].features["faq"] == 1.0
    listed = found["Which region hosts the data?"]
    assert listed.engine and listed.features["listed"] == 1.0


def test_targets_follow_the_category(cv: ModuleType) -> None:
    text = "# T\n\n- Which region hosts the data?\n"
    labels = {3: cv.rr.LineLabel(3, False, True, "")}
    document = cv.rr.Document("t", text, labels)
    start = text.index("Which")
    candidate = cv.cc.Candidate(start, start + 29, 3, "question", "question-in-body", True)
    assert cv.candidate_targets(document, [candidate], cv.OPEN_QUESTION) == [1]
    assert cv.candidate_targets(document, [candidate]) == [0]
