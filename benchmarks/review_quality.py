"""Precision and recall of the review engine on the labelled sets in tests/data/review/.

Run: ``.venv/bin/python benchmarks/review_quality.py [-v]`` (``-v`` lists every miss and
false flag). Each labelled item (a PROMISE requirement, or one PRD line reviewed under its
``##`` section) counts as flagged for a category when at least one finding of that category
lies in it. The clean PRDs give false flags per 1,000 words: every finding there is false.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from prd_assistant.review import review

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "review"
CATEGORIES = ("unquantified_claim", "open_question")
_LABEL_COLUMN = {"unquantified_claim": "unquantified", "open_question": "open_question"}


@dataclass
class Item:
    source: str
    key: str
    document: str
    labels: dict[str, bool]  # per category; a category left out is not scored on this item


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_flags: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_items() -> list[Item]:
    """Every labelled item: PROMISE rows and PRD lines."""
    items = []
    with (DATA / "promise_labels.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            labels = {c: row[_LABEL_COLUMN[c]] == "1" for c in CATEGORIES}
            items.append(Item("promise", f"promise#{row['id']}", row["text"], labels))
    with (DATA / "prd_lines.tsv").open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(
            csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 2
        ):
            labels = {c: row[_LABEL_COLUMN[c]] == "1" for c in CATEGORIES}
            document = f"## {row['section']}\n{row['text']}\n"
            items.append(Item("prd_lines", f"prd_lines.tsv:{number}", document, labels))
    # Open questions only (decisions put off or left between options, and traps): lines are
    # reviewed under their section, as in prd_lines.tsv; every line says its open_question label.
    with (DATA / "open_lines.tsv").open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(
            csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 2
        ):
            labels = {"open_question": row["open_question"] == "1"}
            document = f"## {row['section']}\n{row['text']}\n"
            items.append(Item("open_lines", f"open_lines.tsv:{number}", document, labels))
    with (DATA / "srs_requirements.tsv").open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(
            csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 2
        ):
            labels = {c: row[_LABEL_COLUMN[c]] == "1" for c in CATEGORIES}
            items.append(Item("srs", f"srs_requirements.tsv:{number}", row["text"], labels))
    return items


def score(items: list[Item]) -> dict[str, dict[str, Score]]:
    """Scores per source (and ``"all"``) and category."""
    scores: dict[str, dict[str, Score]] = {}
    for item in items:
        findings = review(item.document)
        for source in (item.source, "all"):
            for category in CATEGORIES:
                if category not in item.labels:
                    continue  # a set labelled for the other category only
                entry = scores.setdefault(source, {}).setdefault(category, Score())
                flagged = [f for f in findings if f.category == category]
                expected = item.labels[category]
                if flagged and expected:
                    entry.tp += 1
                elif flagged:
                    entry.fp += 1
                    entry.false_flags.append(
                        f"{item.key}: {[f.match for f in flagged]} in {item.document!r}"
                    )
                elif expected:
                    entry.fn += 1
                    entry.misses.append(f"{item.key}: {item.document!r}")
    return scores


LINE_LABELLED = (
    "messy_prd",
    "prose_prd",
    "drafted_prd",
    "stories_prd",
    "heldout2_prd",
    "heldout3_prd",
    "heldout4_prd",
    "answered_questions_prd",
)


def score_documents(scores: dict[str, dict[str, Score]]) -> None:
    """Adds each line-labelled PRD as its own set (and to ``"all"``)."""
    for name in LINE_LABELLED:
        score_document(scores, name)


def score_document(scores: dict[str, dict[str, Score]], name: str) -> None:
    """Scores ``<name>.md`` against ``<name>.labels.json``: each labelled line range is one item.

    A category the labels file leaves out is not scored on that document (a set written for
    open questions only).
    """
    labels = json.loads((DATA / f"{name}.labels.json").read_text(encoding="utf-8"))
    text = (DATA / labels["document"]).read_text(encoding="utf-8")
    findings = review(text)
    for category in CATEGORIES:
        if category not in labels:
            continue
        ranges = [tuple(r) for r in labels[category]]
        lines = {f.line: f.match for f in findings if f.category == category}
        for source in (name, "all"):
            entry = scores.setdefault(source, {}).setdefault(category, Score())
            for first, last in ranges:
                if any(first <= line <= last for line in lines):
                    entry.tp += 1
                else:
                    entry.fn += 1
                    entry.misses.append(f"{name}.md:{first}-{last}")
            for line, match in sorted(lines.items()):
                if not any(first <= line <= last for first, last in ranges):
                    entry.fp += 1
                    entry.false_flags.append(f"{name}.md:{line}: {match!r}")


CLEAN = ("clean_prd.md", "clean_prd_2.md")


def clean_false_flags() -> tuple[int, int, list[str]]:
    """(findings, words, descriptions) on the clean, quantified PRDs."""
    count, words, details = 0, 0, []
    for name in CLEAN:
        text = (DATA / name).read_text(encoding="utf-8")
        findings = review(text)
        count += len(findings)
        words += len(text.split())
        details += [f"{name}:{f.line}:{f.column} {f.rule} {f.match!r}" for f in findings]
    return count, words, details


def main(verbose: bool = False) -> None:
    items = load_items()
    scores = score(items)
    score_documents(scores)
    print(
        f"{'set':<10} {'category':<19} {'n+':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}"
    )
    for source, per_category in scores.items():
        for category, entry in per_category.items():
            positives = entry.tp + entry.fn
            print(
                f"{source:<10} {category:<19} {positives:>4} {entry.tp:>4} {entry.fp:>4} {entry.fn:>4} "
                f"{entry.precision:>9.3f} {entry.recall:>7.3f}"
            )
    count, words, details = clean_false_flags()
    print(
        f"clean PRDs: {count} false flag(s) in {words} words = {1000 * count / words:.2f} per 1,000 words"
    )
    if verbose:
        for category, entry in scores["all"].items():
            for line in entry.misses:
                print(f"MISS {category}: {line}")
            for line in entry.false_flags:
                print(f"FALSE {category}: {line}")
        for line in details:
            print(f"CLEAN FALSE: {line}")


if __name__ == "__main__":
    main(verbose="-v" in sys.argv[1:])
