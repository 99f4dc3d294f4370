"""How well two labellers of the real-PRD set agree, line by line, per category.

Run: ``.venv/bin/python benchmarks/label_agreement.py [--set heldout|dev|all] [--only NAME[,NAME]] [-v]``.

Each document ``NAME.md`` of the set that carries both ``NAME.labels.tsv`` (the first labeller)
and ``NAME.labels2.tsv`` (the second, labelled blind) is compared on every line either file
lists; a line one file leaves out counts as 0/0 there (only blank and structural lines may be
left out, and both files are checked for that first). Per category, per document and in total:
Cohen's kappa, the F1 of one labeller against the other (symmetric: 2·both / (2·both + the two
kinds of disagreement)), the raw agreement, and the counts of lines only the first or only the
second labeller set to 1; and the second labeller's precision and recall against the first, the
figures a human would reach on the engine's own scale. Kappa and F1 are ``n/a`` (JSON ``null``)
when neither labeller set a single line to 1 in that category, because they are undefined there.
``-v`` lists every disagreement with the line's text and both notes. The last line printed is the figures as one
JSON object. Reads label files only; the review engine is never run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from review_real import (  # one reader of the label files
    CATEGORIES,
    LABEL_FILES,
    SETS,
    Document,
    LineLabel,
    document_paths,
    load_document,
    select_documents,
    unlabelled_problems,
)

_CLEAN = LineLabel(0, unquantified_claim=False, open_question=False, note="(not listed)")


@dataclass
class Agreement:
    """The 2×2 table of two labellers' 0/1 labels for one category.

    ``first_only`` holds the lines the first labeller set to 1 and the second to 0;
    ``second_only`` the reverse.
    """

    both: int = 0
    neither: int = 0
    first_only: list[int] = field(default_factory=list)
    second_only: list[int] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return self.both + self.neither + len(self.first_only) + len(self.second_only)

    @property
    def observed(self) -> float:
        """The share of lines both labellers labelled alike."""
        return (self.both + self.neither) / self.lines if self.lines else 1.0

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa: agreement beyond what the two base rates give by chance."""
        if not self.lines:
            return None
        first = (self.both + len(self.first_only)) / self.lines
        second = (self.both + len(self.second_only)) / self.lines
        chance = first * second + (1 - first) * (1 - second)
        if chance == 1:  # both labellers gave every line the same single value
            return None
        return (self.observed - chance) / (1 - chance)

    @property
    def f1(self) -> float | None:
        """F1 of one labeller scored against the other (the same either way round)."""
        denominator = 2 * self.both + len(self.first_only) + len(self.second_only)
        return 2 * self.both / denominator if denominator else None

    @property
    def second_precision(self) -> float | None:
        """The second labeller scored as if the first were the truth: share of its 1s the first shares."""
        flagged = self.both + len(self.second_only)
        return self.both / flagged if flagged else None

    @property
    def second_recall(self) -> float | None:
        """The second labeller scored as if the first were the truth: share of the first's 1s it found."""
        positives = self.both + len(self.first_only)
        return self.both / positives if positives else None

    def record(self, line: int, first: bool, second: bool) -> None:
        if first and second:
            self.both += 1
        elif first:
            self.first_only.append(line)
        elif second:
            self.second_only.append(line)
        else:
            self.neither += 1

    def add(self, other: Agreement) -> None:
        self.both += other.both
        self.neither += other.neither
        self.first_only += other.first_only
        self.second_only += other.second_only


@dataclass
class DocumentAgreement:
    """Agreement on one document (or on a whole set, when summed)."""

    name: str
    categories: dict[str, Agreement] = field(
        default_factory=lambda: {c: Agreement() for c in CATEGORIES}
    )
    details: list[str] = field(default_factory=list)

    def add(self, other: DocumentAgreement) -> None:
        for category in CATEGORIES:
            self.categories[category].add(other.categories[category])
        self.details += other.details


def compare(first: Document, second: Document) -> DocumentAgreement:
    """Compares two labellings of the same text (pure)."""
    result = DocumentAgreement(first.name)
    lines = first.lines
    for number in sorted(set(first.labels) | set(second.labels)):
        one = first.labels.get(number, _CLEAN)
        two = second.labels.get(number, _CLEAN)
        for category in CATEGORIES:
            a, b = one.is_set(category), two.is_set(category)
            result.categories[category].record(number, a, b)
            if a != b:
                text = lines[number - 1].strip() if number <= len(lines) else ""
                result.details.append(
                    f"{category} {first.name}:{number} first={int(a)} second={int(b)} "
                    f"| first: {one.note or '-'} | second: {two.note or '-'} | {text[:160]}"
                )
    return result


def double_labelled(paths: Sequence[Path]) -> list[tuple[Document, Document]]:
    """The (first, second) labellings of each path that has a ``NAME.labels2.tsv``."""
    pairs = []
    for path in paths:
        if path.with_name(f"{path.stem}.labels2.tsv").exists():
            pairs.append((load_document(path), load_document(path, labels="second")))
    return pairs


def _figure(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def summary(which: str, total: DocumentAgreement, per_document: list[DocumentAgreement]) -> dict:
    """The figures as a JSON-ready dict."""

    def figures(score: DocumentAgreement) -> dict:
        out = {}
        for category in CATEGORIES:
            entry = score.categories[category]
            out[category] = {
                "lines": entry.lines,
                "both": entry.both,
                "first_only": len(entry.first_only),
                "second_only": len(entry.second_only),
                "first_positives": entry.both + len(entry.first_only),
                "second_positives": entry.both + len(entry.second_only),
                "observed": round(entry.observed, 3),
                "kappa": _figure(entry.kappa),
                "f1": _figure(entry.f1),
                "second_precision": _figure(entry.second_precision),
                "second_recall": _figure(entry.second_recall),
            }
        return out

    return {
        "set": which,
        "documents": len(per_document),
        **figures(total),
        "per_document": {score.name: figures(score) for score in per_document},
    }


def report(
    which: str, total: DocumentAgreement, per_document: list[DocumentAgreement], verbose: bool
) -> str:
    """The human-readable table (and, with ``verbose``, every disagreement)."""

    def shown(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    width = max([28, *(len(score.name) for score in per_document)])
    out = [f"set: {which} ({len(per_document)} documents labelled twice)"]
    out.append(
        f"{'document':<{width}} {'category':<19} {'lines':>5} {'both':>4} {'1st':>4} {'2nd':>4} "
        f"{'agree':>6} {'kappa':>6} {'F1':>6}"
    )
    for score in [*per_document, total]:
        for category in CATEGORIES:
            entry = score.categories[category]
            out.append(
                f"{score.name:<{width}} {category:<19} {entry.lines:>5} {entry.both:>4} "
                f"{len(entry.first_only):>4} {len(entry.second_only):>4} "
                f"{entry.observed:>6.3f} {shown(entry.kappa):>6} {shown(entry.f1):>6}"
            )
    out.append("1st / 2nd: lines only the first / only the second labeller set to 1")
    for category in CATEGORIES:
        entry = total.categories[category]
        out.append(
            f"{category}: the second labeller scored against the first as the engine is: "
            f"precision {shown(entry.second_precision)}, recall {shown(entry.second_recall)}"
        )
    if verbose:
        out += total.details
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=(*SETS, "all"), default="heldout", dest="which")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every disagreement")
    parser.add_argument(
        "--only",
        metavar="NAME[,NAME]",
        help="compare only these documents of the set (file names without .md)",
    )
    args = parser.parse_args(argv)
    try:
        pairs = double_labelled(select_documents(document_paths(args.which), args.only))
    except ValueError as error:
        print(f"label_agreement: {error}", file=sys.stderr)
        return 2
    if not pairs:
        print(
            f"label_agreement: no document in {args.which!r} has a second labelling "
            "(NAME.labels2.tsv); choose the set the second labeller labelled",
            file=sys.stderr,
        )
        return 2
    problems = [
        f"{labeller} labels: {problem}"
        for pair in pairs
        for labeller, document in zip(LABEL_FILES, pair, strict=True)
        for problem in unlabelled_problems(document)
    ]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    total = DocumentAgreement("total")
    per_document = []
    for first, second in pairs:
        compared = compare(first, second)
        per_document.append(compared)
        total.add(compared)
    print(report(args.which, total, per_document, args.verbose))
    print(json.dumps(summary(args.which, total, per_document), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
