"""Inter-labeller agreement on the real-PRD set (benchmarks/label_agreement.py): its arithmetic
on constructed examples, and how it pairs and reads two label files. No engine is run."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.benchmarks import load_benchmark

HEADER = "line\tunquantified\topen_question\tnote\n"


@pytest.fixture(scope="module")
def agreement() -> ModuleType:
    return load_benchmark("label_agreement")


def table(module: ModuleType, both: int, first_only: int, second_only: int, neither: int):
    entry = module.Agreement()
    labels = [(1, 1)] * both + [(1, 0)] * first_only + [(0, 1)] * second_only
    labels += [(0, 0)] * neither
    for line, (first, second) in enumerate(labels, 1):
        entry.record(line, bool(first), bool(second))
    return entry


def test_kappa_and_f1_of_a_textbook_table(agreement: ModuleType) -> None:
    # 50 items: 20 both yes, 5 only the first, 10 only the second, 15 both no.
    # Observed 35/50 = 0.7; chance 0.5·0.6 + 0.5·0.4 = 0.5; kappa (0.7-0.5)/0.5 = 0.4.
    entry = table(agreement, 20, 5, 10, 15)
    assert entry.lines == 50
    assert entry.observed == pytest.approx(0.7)
    assert entry.kappa == pytest.approx(0.4)
    assert entry.f1 == pytest.approx(40 / 55)
    assert entry.second_precision == pytest.approx(20 / 30)
    assert entry.second_recall == pytest.approx(20 / 25)
    assert entry.first_only == list(range(21, 26))
    assert entry.second_only == list(range(26, 36))


def test_kappa_is_symmetric_and_lower_than_raw_agreement_on_rare_labels(
    agreement: ModuleType,
) -> None:
    # Rare positives: 3 shared, 1 each way, 95 both 0. Raw agreement 0.98 hides a kappa of
    # (0.98 - chance) / (1 - chance) with chance = 0.04·0.04 + 0.96·0.96 = 0.9232.
    one = table(agreement, 3, 1, 1, 95)
    other = table(agreement, 3, 1, 1, 95)
    other.first_only, other.second_only = other.second_only, other.first_only
    assert one.observed == pytest.approx(0.98)
    assert one.kappa == pytest.approx((0.98 - 0.9232) / (1 - 0.9232))
    assert one.kappa == pytest.approx(other.kappa)
    assert one.f1 == pytest.approx(0.75) == other.f1


def test_perfect_opposite_and_undefined_agreement(agreement: ModuleType) -> None:
    assert table(agreement, 4, 0, 0, 6).kappa == pytest.approx(1.0)
    assert table(agreement, 0, 5, 5, 0).kappa == pytest.approx(-1.0)
    assert table(agreement, 0, 5, 5, 0).f1 == 0.0
    nothing = table(agreement, 0, 0, 0, 9)  # nobody set any line to 1: undefined, not perfect
    assert (nothing.kappa, nothing.f1, nothing.observed) == (None, None, 1.0)
    assert (nothing.second_precision, nothing.second_recall) == (None, None)


def test_sums_add_the_tables(agreement: ModuleType) -> None:
    total = agreement.Agreement()
    total.add(table(agreement, 20, 5, 0, 0))
    total.add(table(agreement, 0, 0, 10, 15))
    assert (total.both, len(total.first_only), len(total.second_only), total.neither) == (
        20,
        5,
        10,
        15,
    )
    assert total.kappa == pytest.approx(0.4)


DOC = """# Doc

The app is fast.
Pricing is TBD.
Search returns results in under 2 s.

| a | b |
|---|---|
| Maybe later | fast |
"""
FIRST = HEADER + "3\t1\t0\tfast\n4\t0\t1\tTBD\n5\t0\t0\t\n7\t0\t0\theader\n9\t1\t1\tmaybe; fast\n"
SECOND = HEADER + "3\t1\t0\t\n4\t1\t1\tpricing\n5\t0\t0\t\n7\t0\t0\t\n9\t0\t1\tcell is context\n"


def write_set(folder: Path, second: str | None = SECOND) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.md").write_text(DOC, encoding="utf-8")
    (folder / "doc.labels.tsv").write_text(FIRST, encoding="utf-8")
    if second is not None:
        (folder / "doc.labels2.tsv").write_text(second, encoding="utf-8")
    return folder / "doc.md"


def test_compare_counts_lines_and_lists_disagreements_with_both_notes(
    agreement: ModuleType, tmp_path: Path
) -> None:
    [(first, second)] = agreement.double_labelled([write_set(tmp_path)])
    compared = agreement.compare(first, second)
    unquantified = compared.categories["unquantified_claim"]
    assert (unquantified.both, unquantified.first_only, unquantified.second_only) == (1, [9], [4])
    assert unquantified.neither == 2
    open_questions = compared.categories["open_question"]
    assert (open_questions.both, open_questions.first_only, open_questions.second_only) == (
        2,
        [],
        [],
    )
    assert open_questions.kappa == pytest.approx(1.0)
    assert compared.details == [
        "unquantified_claim doc:4 first=0 second=1 | first: TBD | second: pricing "
        "| Pricing is TBD.",
        "unquantified_claim doc:9 first=1 second=0 | first: maybe; fast "
        "| second: cell is context | | Maybe later | fast |",
    ]


def test_a_line_only_one_labeller_listed_counts_as_clean_for_the_other(
    agreement: ModuleType, tmp_path: Path
) -> None:
    # The second labeller also listed the heading (line 1) and called it a claim; the first
    # left that structural line out, which reads as 0/0.
    second = FIRST + "1\t1\t0\theading\n"
    [(first, other)] = agreement.double_labelled([write_set(tmp_path, second)])
    compared = agreement.compare(first, other)
    unquantified = compared.categories["unquantified_claim"]
    assert (unquantified.lines, unquantified.both, unquantified.second_only) == (6, 2, [1])
    assert compared.details[0].startswith(
        "unquantified_claim doc:1 first=0 second=1 | first: (not listed)"
    )


def test_main_prints_the_table_and_json(
    agreement: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_set(tmp_path / "heldout")
    single = write_set(tmp_path / "other", second=None)  # one labelling only: left out
    monkeypatch.setattr(agreement, "document_paths", lambda which: [path, single])
    assert agreement.main(["-v"]) == 0
    out = capsys.readouterr().out.strip().split("\n")
    figures = json.loads(out[-1])
    assert figures["documents"] == 1
    assert figures["unquantified_claim"]["first_only"] == 1
    assert figures["unquantified_claim"]["second_only"] == 1
    assert figures["unquantified_claim"]["f1"] == pytest.approx(0.5)
    assert figures["open_question"]["kappa"] == 1.0
    assert figures["unquantified_claim"]["second_precision"] == 0.5
    assert figures["unquantified_claim"]["second_recall"] == 0.5
    assert "unquantified_claim: the second labeller scored against the first" in "\n".join(out)
    assert any(line.startswith("unquantified_claim doc:4 first=0 second=1") for line in out)


def test_main_without_second_labels_or_with_an_unlabelled_line_refuses(
    agreement: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    single = write_set(tmp_path / "a", second=None)
    monkeypatch.setattr(agreement, "document_paths", lambda which: [single])
    assert agreement.main([]) == 2
    assert "no document in 'heldout' has a second labelling" in capsys.readouterr().err
    gap = write_set(tmp_path / "b", HEADER + "3\t1\t0\t\n4\t0\t1\t\n7\t0\t0\t\n9\t0\t0\t\n")
    monkeypatch.setattr(agreement, "document_paths", lambda which: [gap])
    assert agreement.main([]) == 2
    assert capsys.readouterr().err.strip() == (
        "second labels: doc: line 5 has text but no label row"
    )
