"""The real-PRD benchmark's scoring (benchmarks/review_real.py) and the integrity of its labels.

The scoring is tested on a tiny synthetic labelled document with stubbed findings, so these
tests never depend on what the engine flags. The label checks read the real documents under
tests/data/review/real/ without running the engine on them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "review" / "real"

TINY = """# Tiny PRD

## Goals
The app is fast.
Sign-in takes under 2 s (p95).

Pricing is TBD and
the tier names are too.

```
fast code
```
Clean line with six words here.
"""

# line 4 fast claim, line 5 measured, lines 7-8 one open question over two lines,
# lines 11 (code) and 1, 3 (headings) unlisted, line 13 clean.
TINY_LABELS = (
    "line\tunquantified\topen_question\tnote\n"
    '4\t1\t0\t"fast" with no measure\n'
    "5\t0\t0\t\n"
    "7\t0\t1\tTBD\n"
    "8\t0\t1\tcontinues the TBD sentence\n"
    "13\t0\t0\t\n"
)


@dataclass(frozen=True)
class StubFinding:
    category: str
    line: int
    start: int
    end: int
    rule: str


def stub(text: str, category: str, needle: str, rule: str, occurrence: int = 0) -> StubFinding:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return StubFinding(category, text.count("\n", 0, start) + 1, start, start + len(needle), rule)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("review_real")


@pytest.fixture
def tiny(bench: ModuleType, tmp_path: Path):
    folder = tmp_path / "dev"
    folder.mkdir()
    (folder / "tiny.md").write_text(TINY, encoding="utf-8")
    (folder / "tiny.labels.tsv").write_text(TINY_LABELS, encoding="utf-8")
    return bench.load_document(folder / "tiny.md")


def test_scoring_counts_lines_per_category(bench: ModuleType, tiny) -> None:
    findings = [
        stub(TINY, "unquantified_claim", "fast", "vague-speed"),  # line 4: right
        stub(TINY, "unquantified_claim", "six", "vague-quantity"),  # line 13: false
        stub(TINY, "unquantified_claim", "fast", "vague-speed", occurrence=1),  # line 11 code
        stub(TINY, "open_question", "TBD and\nthe", "placeholder"),  # spans lines 7-8
    ]
    score = bench.score_document(tiny, findings)
    unquantified = score.categories["unquantified_claim"]
    assert (unquantified.tp, unquantified.fp, unquantified.fn) == ([4], [11, 13], [])
    assert unquantified.precision == pytest.approx(1 / 3)
    assert unquantified.recall == 1.0
    assert unquantified.f1 == pytest.approx(0.5)
    open_questions = score.categories["open_question"]
    assert (open_questions.tp, open_questions.fp, open_questions.fn) == ([7, 8], [], [])


def test_a_missed_line_lowers_recall_and_is_listed(bench: ModuleType, tiny) -> None:
    findings = [stub(TINY, "open_question", "TBD", "placeholder")]  # line 7 only
    score = bench.score_document(tiny, findings)
    open_questions = score.categories["open_question"]
    assert (open_questions.tp, open_questions.fn) == ([7], [8])
    assert open_questions.recall == 0.5
    assert score.categories["unquantified_claim"].fn == [4]
    assert any(d.startswith("MISS  open_question tiny:8 (continues") for d in score.details)
    assert any("tiny:4" in d and "with no measure" in d for d in score.details)


@dataclass(frozen=True)
class LocatedStub(StubFinding):
    location_start: int
    location_end: int


def test_a_finding_counts_on_every_line_of_its_location(bench: ModuleType, tiny) -> None:
    trigger = stub(TINY, "open_question", "TBD", "placeholder")  # line 7
    sentence = TINY.index("Pricing")
    located = LocatedStub(*vars(trigger).values(), sentence, TINY.index("too.") + 4)
    assert list(bench.finding_span(TINY, located)) == [7, 8]
    open_questions = bench.score_document(tiny, [located]).categories["open_question"]
    assert (open_questions.tp, open_questions.fp, open_questions.fn) == ([7, 8], [], [])


def test_false_flags_per_thousand_clean_words(bench: ModuleType, tiny) -> None:
    # Clean (0/0) labelled lines: 5 (6 words) and 13 (6 words). Unlisted lines do not count.
    findings = [
        stub(TINY, "unquantified_claim", "six", "vague-quantity"),
        stub(TINY, "open_question", "Sign-in", "question"),
        stub(TINY, "unquantified_claim", "fast", "vague-speed", occurrence=1),  # code line
    ]
    score = bench.score_document(tiny, findings)
    assert score.clean_words == 12
    assert score.clean_false_flags == 2
    assert score.false_flags_per_1000_words == pytest.approx(1000 * 2 / 12)


def test_no_findings_gives_zero_recall_and_no_false_flags(bench: ModuleType, tiny) -> None:
    score = bench.score_document(tiny, [])
    assert score.categories["unquantified_claim"].recall == 0.0
    assert score.categories["unquantified_claim"].precision == 1.0
    assert score.clean_false_flags == 0


def test_set_totals_summary_and_report(bench: ModuleType, tiny) -> None:
    findings = {"tiny": [stub(TINY, "unquantified_claim", "fast", "vague-speed")]}
    total, per_document = bench.score_set([tiny, tiny], {**findings})
    assert len(total.categories["unquantified_claim"].tp) == 2
    assert total.labelled_lines == 10
    figures = bench.summary("dev", total, per_document)
    json.dumps(figures)  # JSON-ready
    assert figures["unquantified_claim"]["recall"] == 1.0
    assert figures["open_question"]["recall"] == 0.0
    assert figures["per_document"]["tiny"]["labelled_lines"] == 5
    text = bench.report("dev", total, per_document, verbose=True)
    assert "MISS  open_question tiny:7" in text
    assert "false flags on clean prose" in text


def test_quoted_words_are_the_phrases_a_note_quotes(bench: ModuleType) -> None:
    note = "\u201cseamless\u201d sync and \"as soon as ... possible\"; the 'why' is context"
    assert bench.quoted_words(note) == ["seamless", "as soon as", "possible"]
    assert bench.quoted_words("no quotes at all") == []
    assert bench.quoted_words('an empty "" and a "..." quote') == []


def test_quoted_spans_find_the_words_on_their_line_across_markup(
    bench: ModuleType,
) -> None:
    text = "intro\n- The page is **really fast** and\nsmooth to use.\n"
    (span,) = bench.quoted_spans(text, 2, 'note "really fast and smooth"')
    assert text[span[0] : span[1]] == "really fast** and\nsmooth"
    assert bench.quoted_spans(text, 1, '"really fast"') == []  # not on line 1
    assert bench.quoted_spans(text, 2, '"slow"') == []


def test_right_reason_needs_the_finding_on_the_quoted_words(bench: ModuleType, tiny) -> None:
    right = bench.score_document(tiny, [stub(TINY, "unquantified_claim", "fast", "vague-speed")])
    entry = right.categories["unquantified_claim"]
    assert (entry.right, entry.wrong, entry.unquoted) == ([4], [], [])
    assert entry.right_reason == 1.0
    wrong = bench.score_document(tiny, [stub(TINY, "unquantified_claim", "app", "vague-quality")])
    entry = wrong.categories["unquantified_claim"]
    assert entry.tp == [4]  # still a true positive line ...
    assert (entry.right, entry.wrong) == ([], [4])  # ... flagged for another word
    assert entry.right_reason == 0.0
    assert any(
        d.startswith("REASON unquantified_claim tiny:4") and "'app'" in d for d in wrong.details
    )
    # Line 7's note ("TBD") quotes nothing: the line is left out of the share.
    unquoted = bench.score_document(tiny, [stub(TINY, "open_question", "TBD", "placeholder")])
    entry = unquoted.categories["open_question"]
    assert (entry.right, entry.wrong, entry.unquoted) == ([], [], [7])
    assert entry.right_reason == 1.0


def test_right_reason_counts_words_the_note_names_unquoted(bench: ModuleType) -> None:
    text = "# Spec\n\n## Requirements\nKeep it tidy [NEEDS CLARIFICATION: size].\n"
    labels = {4: bench.LineLabel(4, True, True, '"tidy" with NEEDS CLARIFICATION: size')}
    document = bench.Document("spec", text, labels)
    findings = [
        stub(text, "unquantified_claim", "tidy", "vague-quality"),
        stub(text, "open_question", "NEEDS CLARIFICATION", "deferred-decision"),
    ]
    score = bench.score_document(document, findings)
    assert score.categories["unquantified_claim"].right == [4]
    assert score.categories["open_question"].right == [4]


def test_right_reason_in_summary_and_report(bench: ModuleType, tiny) -> None:
    findings = [
        stub(TINY, "unquantified_claim", "fast", "vague-speed"),
        stub(TINY, "open_question", "TBD", "placeholder"),
    ]
    total, per_document = bench.score_set([tiny], {"tiny": findings})
    figures = bench.summary("dev", total, per_document)
    assert figures["unquantified_claim"]["right_reason"] == 1.0
    assert figures["unquantified_claim"]["right_reason_lines"] == 1
    assert figures["unquantified_claim"]["wrong_reason_lines"] == 0
    assert figures["open_question"]["unquoted_tp_lines"] == 1
    assert figures["unquantified_claim"]["precision"] == 1.0  # the old keys stay
    text = bench.report("dev", total, per_document, verbose=False)
    assert "right reason, unquantified_claim: 1 of 1 quoted true-positive lines = 1.000" in text


def test_labels_file_rejects_duplicates_and_bad_values(bench: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "bad.labels.tsv"
    bad.write_text("line\tunquantified\topen_question\tnote\n3\t1\t0\t\n3\t0\t0\t\n")
    with pytest.raises(ValueError, match="twice"):
        bench.read_labels(bad)
    bad.write_text("line\tunquantified\topen_question\tnote\n3\tyes\t0\t\n")
    with pytest.raises(ValueError, match="0 or 1"):
        bench.read_labels(bad)


def test_a_label_on_a_blank_line_is_reported(bench: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text("text\n\nmore\n", encoding="utf-8")
    (tmp_path / "doc.labels.tsv").write_text(
        "line\tunquantified\topen_question\tnote\n1\t0\t0\t\n2\t1\t0\t\n3\t0\t0\t\n9\t0\t1\t\n"
    )
    document = bench.load_document(tmp_path / "doc.md")
    assert bench.unlabelled_problems(document) == [
        "doc: label row for line 2 has no text there",
        "doc: label row for line 9 has no text there",
    ]


STRUCTURED = """---
author: someone
---
# Title

Setext title
============

| a | b |
|---|---|
| 1 | 2 |

**Mitigation:**
- [Summary](#summary)
![diagram](d.png)
[ref]: https://example.com
<!-- a comment
over two lines -->
<img width="60" alt="x" src="y.png">
> ```css
> a { color: red }
> ```
> Quoted requirement text.
```
fast code
```
The app is fast.
"""


def test_structural_lines_are_the_ones_labels_may_leave_out(bench: ModuleType) -> None:
    lines = STRUCTURED.split("\n")
    structural = bench.structural_lines(STRUCTURED)
    content = [n for n, line in enumerate(lines, 1) if line.strip() and n not in structural]
    texts = [lines[n - 1] for n in content]
    assert texts == [
        "author: someone",
        "| a | b |",
        "| 1 | 2 |",
        "> Quoted requirement text.",
        "The app is fast.",
    ]


def test_a_content_line_without_a_label_is_reported(bench: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text("# Doc\n\nLabelled line.\nForgotten line.\n")
    (tmp_path / "doc.labels.tsv").write_text("line\tunquantified\topen_question\tnote\n3\t0\t0\t\n")
    document = bench.load_document(tmp_path / "doc.md")
    assert bench.unlabelled_problems(document) == ["doc: line 4 has text but no label row"]


def test_only_selects_documents_by_name(bench: ModuleType, tmp_path: Path) -> None:
    paths = [tmp_path / f"{name}.md" for name in ("alpha", "beta", "gamma")]
    assert bench.select_documents(paths, None) == paths
    assert bench.select_documents(paths, "gamma, alpha") == [paths[2], paths[0]]
    with pytest.raises(ValueError, match="no document named delta in this set; choose from"):
        bench.select_documents(paths, "alpha,delta")
    with pytest.raises(ValueError, match="no document named"):
        bench.select_documents(paths, ",")


def test_only_with_an_unknown_name_exits_with_a_message(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--set", "dev", "--only", "no_such_document"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("review_real: no document named no_such_document in this set")


def test_document_paths_by_set(bench: ModuleType, tmp_path: Path) -> None:
    for folder in ("dev", "heldout"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{folder}_doc.md").write_text("x\n")
    assert [p.name for p in bench.document_paths("dev", tmp_path)] == ["dev_doc.md"]
    assert [p.name for p in bench.document_paths("all", tmp_path)] == [
        "dev_doc.md",
        "heldout_doc.md",
    ]


def test_real_labels_point_at_text_and_cover_both_categories(bench: ModuleType) -> None:
    documents = [bench.load_document(path) for path in bench.document_paths("dev", REAL)]
    assert len(documents) >= 20
    assert [p for d in documents for p in bench.unlabelled_problems(d)] == []
    for document in documents:
        assert (REAL / "dev" / f"{document.name}.labels.tsv").exists()
    labels = [label for d in documents for label in d.labels.values()]
    assert len(labels) >= 2000
    assert sum(label.unquantified_claim for label in labels) >= 100
    assert sum(label.open_question for label in labels) >= 80


def test_heldout_files_match_their_frozen_hashes() -> None:
    """Nobody edits the held-out set silently: every file is listed and unchanged."""
    listed = {}
    for row in (REAL / "HELDOUT.sha256").read_text(encoding="utf-8").splitlines():
        digest, name = row.split("  ", 1)
        listed[name] = digest
    folder = REAL / "heldout"
    present = {f"heldout/{path.name}" for path in folder.iterdir()} if folder.exists() else set()
    assert set(listed) == present
    for name, digest in listed.items():
        assert hashlib.sha256((REAL / name).read_bytes()).hexdigest() == digest, name


def test_heldout_labels_point_at_text(bench: ModuleType) -> None:
    """The held-out set (the third set's nine, the fourth set's seven and the eighth set's
    seventeen; the sixth and seventh sets moved to dev after their first pass): every content line
    labelled, and enough positives of each category to measure recall."""
    documents = [bench.load_document(path) for path in bench.document_paths("heldout", REAL)]
    assert len(documents) >= 33
    assert [p for d in documents for p in bench.unlabelled_problems(d)] == []
    for document in documents:
        assert (REAL / "heldout" / f"{document.name}.labels.tsv").exists()
    labels = [label for d in documents for label in d.labels.values()]
    assert len(labels) >= 2740
    assert sum(label.unquantified_claim for label in labels) >= 245
    assert sum(label.open_question for label in labels) >= 250


def _second_labeller_copy(tmp_path: Path, name: str, flip: dict[int, str]) -> Path:
    """A dev document copied to tmp_path/dev with its labels and a second labelling that differs
    from the first on the ``flip`` lines (line -> new ``unquantified`` value)."""
    folder = tmp_path / "dev"
    folder.mkdir()
    source = REAL / "dev" / f"{name}.md"
    (folder / source.name).write_bytes(source.read_bytes())
    first = (REAL / "dev" / f"{name}.labels.tsv").read_text(encoding="utf-8")
    (folder / f"{name}.labels.tsv").write_text(first, encoding="utf-8")
    rows = first.splitlines()
    for index, row in enumerate(rows[1:], 1):
        cells = row.split("\t")
        if int(cells[0]) in flip:
            cells[1] = flip[int(cells[0])]
            rows[index] = "\t".join(cells)
    (folder / f"{name}.labels2.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / source.name


def test_labels_second_scores_against_the_second_labelling(
    bench: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # go_pgo: the first labeller set line 13 to 1 and line 20 to 0; the copy's second
    # labelling says the opposite. The stubbed engine flags line 13 only.
    path = _second_labeller_copy(tmp_path, "go_pgo", {13: "0", 20: "1"})
    text = path.read_text(encoding="utf-8")
    needle = text.split("\n")[12]  # the whole of line 13
    monkeypatch.setattr(bench, "document_paths", lambda which: [path])
    monkeypatch.setattr(
        bench, "review", lambda text: [stub(text, "unquantified_claim", needle, "stub")]
    )
    by_labels = {}
    for labels in ("first", "second"):
        argv = ["--set", "dev", "-v"] + (["--labels", labels] if labels == "second" else [])
        assert bench.main(argv) == 0
        out = capsys.readouterr().out.strip().split("\n")
        by_labels[labels] = (out, json.loads(out[-1]))
    first_out, first = by_labels["first"]
    second_out, second = by_labels["second"]
    first_positives = first["unquantified_claim"]["positives"]
    assert first["unquantified_claim"]["tp"] == 1
    assert first["unquantified_claim"]["fn"] == first_positives - 1
    assert second["unquantified_claim"]["positives"] == first_positives
    assert second["unquantified_claim"]["tp"] == 0
    assert second["unquantified_claim"]["fp"] == 1
    assert second["unquantified_claim"]["fn"] == first_positives
    assert any(line.startswith("FALSE unquantified_claim go_pgo:13") for line in second_out)
    assert any(line.startswith("MISS  unquantified_claim go_pgo:20") for line in second_out)
    # The default output is unchanged; only the second labelling says whose labels it used.
    assert first_out[0].startswith("set: dev (1 documents") and "labels" not in first
    assert second_out[0] == "labels: second labeller's (labels2.tsv)"
    assert second["labels"] == "second"


def test_labels_second_without_a_second_labelling_exits_with_a_message(
    bench: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _second_labeller_copy(tmp_path, "go_pgo", {})
    path.with_name("go_pgo.labels2.tsv").unlink()
    monkeypatch.setattr(bench, "document_paths", lambda which: [path])
    monkeypatch.setattr(bench, "review", lambda text: pytest.fail("the engine must not run"))
    assert bench.main(["--set", "dev", "--labels", "second"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("review_real: no second labeller's labels (labels2.tsv) for go_pgo")
