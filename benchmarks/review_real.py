"""Line-level precision and recall of the review engine on real PRDs nobody here wrote.

Run: ``.venv/bin/python benchmarks/review_real.py [--set dev|heldout|all] [--only NAME[,NAME]]
[--labels first|second] [-v]``.

The documents and their hand labels live in ``tests/data/review/real/<set>/`` (see the README
there and ``SOURCES.md``). Each ``NAME.labels.tsv`` lists every content line of ``NAME.md`` with
``unquantified`` and ``open_question`` set to 0 or 1. A line counts as flagged for a category when
at least one finding of that category (any severity) starts on it or spans it: its location,
which for an open question is its whole sentence (wrapped lines included). Lines that are not
listed (blank lines, fences, code, table separators, structural headings: see
``structural_lines``) count as 0/0, so a finding there is a false flag too; any other line with
text must have a label row, or the scorer refuses to run. ``--labels second`` scores against the
second labeller's ``NAME.labels2.tsv`` instead (where a set has them: see
``label_agreement.py``); the first labeller's files stay the default.

False flags per 1,000 words of clean prose: findings of either category that touch a line
labelled 0/0, per 1,000 words of those lines.

Right reason: a true-positive line is flagged for the right reason when a finding of its
category overlaps the words its label's note quotes ("..." in the note: the words that are the
problem) with its evidence (``start``..``end``, the words that triggered it), or flags words the note names unquoted (a line open and unquantified at once quotes
its vague words and names its "NEEDS CLARIFICATION" marker). Lines whose note quotes nothing
that can be found on the line are left out of the share; ``-v`` lists each line flagged for
another reason (``REASON``). ``-v`` lists every miss and false flag with the
line's text and the rule. The last line printed is the same figures as one JSON object.

Nobody tunes on ``heldout``: it is run once, at the end (its file hashes are frozen in
``HELDOUT.sha256``).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from prd_assistant.review import review

REAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "review" / "real"
SETS = ("dev", "heldout")
CATEGORIES = ("unquantified_claim", "open_question")
LABEL_COLUMN = {"unquantified_claim": "unquantified", "open_question": "open_question"}
# Whose labels: the file beside NAME.md that holds them is NAME.<suffix>.tsv.
LABEL_FILES = {"first": "labels", "second": "labels2"}


class FindingLike(Protocol):
    """The parts of a review finding the scoring reads."""

    category: str
    line: int
    start: int
    end: int
    rule: str


@dataclass(frozen=True)
class LineLabel:
    """The hand label of one content line."""

    line: int
    unquantified_claim: bool
    open_question: bool
    note: str

    def is_set(self, category: str) -> bool:
        return bool(getattr(self, category))


@dataclass
class Document:
    """A labelled document: its text and its labels by line number."""

    name: str
    text: str
    labels: dict[int, LineLabel]

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class CategoryScore:
    """Line counts for one category; the lists hold line numbers."""

    tp: list[int] = field(default_factory=list)
    fp: list[int] = field(default_factory=list)
    fn: list[int] = field(default_factory=list)
    # True-positive lines by whether a finding covers the words the note quotes; "unquoted"
    # lines have no quote that can be found on the line.
    right: list[int] = field(default_factory=list)
    wrong: list[int] = field(default_factory=list)
    unquoted: list[int] = field(default_factory=list)

    @property
    def positives(self) -> int:
        return len(self.tp) + len(self.fn)

    @property
    def precision(self) -> float:
        flagged = len(self.tp) + len(self.fp)
        return len(self.tp) / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return len(self.tp) / self.positives if self.positives else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def right_reason(self) -> float:
        """Share of the quoted true-positive lines whose finding covers the quoted words."""
        judged = len(self.right) + len(self.wrong)
        return len(self.right) / judged if judged else 1.0

    def figures(self) -> dict:
        """The counts and rates, JSON-ready."""
        return {
            "positives": self.positives,
            "tp": len(self.tp),
            "fp": len(self.fp),
            "fn": len(self.fn),
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "right_reason": round(self.right_reason, 3),
        }

    def add(self, other: CategoryScore) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.right += other.right
        self.wrong += other.wrong
        self.unquoted += other.unquoted


@dataclass
class DocumentScore:
    """Scores of one document (or of a whole set, when summed)."""

    name: str
    categories: dict[str, CategoryScore] = field(
        default_factory=lambda: {c: CategoryScore() for c in CATEGORIES}
    )
    clean_words: int = 0
    clean_false_flags: int = 0
    labelled_lines: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def false_flags_per_1000_words(self) -> float:
        return 1000 * self.clean_false_flags / self.clean_words if self.clean_words else 0.0

    def add(self, other: DocumentScore) -> None:
        for category in CATEGORIES:
            self.categories[category].add(other.categories[category])
        self.clean_words += other.clean_words
        self.clean_false_flags += other.clean_false_flags
        self.labelled_lines += other.labelled_lines
        self.details += other.details


def read_labels(path: Path) -> dict[int, LineLabel]:
    """Reads a ``NAME.labels.tsv`` (columns line, unquantified, open_question, note)."""
    labels: dict[int, LineLabel] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            line = int(row["line"])
            if line in labels:
                raise ValueError(f"{path.name}: line {line} is labelled twice")
            flags = {}
            for category, column in LABEL_COLUMN.items():
                if row[column] not in ("0", "1"):
                    raise ValueError(f"{path.name}: line {line}: {column} must be 0 or 1")
                flags[category] = row[column] == "1"
            labels[line] = LineLabel(line, note=row.get("note") or "", **flags)
    return labels


def labels_path(path: Path, labels: str = "first") -> Path:
    """The labels file of ``NAME.md``: ``NAME.labels.tsv``, or ``NAME.labels2.tsv`` for the second."""
    return path.with_name(f"{path.stem}.{LABEL_FILES[labels]}.tsv")


def load_document(path: Path, labels: str = "first") -> Document:
    """``NAME.md`` with the first (or ``labels="second"``) labeller's labels beside it."""
    return Document(
        path.stem, path.read_text(encoding="utf-8"), read_labels(labels_path(path, labels))
    )


def document_paths(which: str, root: Path = REAL) -> list[Path]:
    """The documents of ``dev``, ``heldout`` or ``all`` (both), sorted by name."""
    names = SETS if which == "all" else (which,)
    return [path for name in names for path in sorted((root / name).glob("*.md"))]


_BLOCKQUOTE = re.compile(r"^\s*(>\s?)+")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_STRUCTURAL = [
    re.compile(r"^\s{0,3}#{1,6}(\s|$)"),  # ATX heading
    re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$"),  # table separator row
    re.compile(r"^\s*([-*_=])(\s*\1){2,}\s*$"),  # rule, front-matter fence, setext underline
    re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$"),  # image
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S"),  # link reference definition
    re.compile(r"^\s*\*\*[^*]{1,40}\*\*:?\s*$"),  # bold pseudo-heading such as **Mitigation:**
    re.compile(r"^\s*<[a-zA-Z/][^>]*>\s*$|^\s*<img\b"),  # a line that is only an HTML tag
    re.compile(r"^\s*([-*+]|\d+\.)\s+([\d.]+\s+)?\[[^\]]+\]\(#[^)]*\)\s*$"),  # table of contents
]


def structural_lines(text: str) -> set[int]:
    """1-based numbers of the lines that carry no reviewable text.

    Blank lines, fences and the code inside them (in blockquotes too), HTML comments,
    headings (ATX and setext), table separator rows, rules and front-matter fences, images,
    link reference definitions, bold pseudo-headings, lone HTML tags and table-of-contents
    entries. These are the lines a ``NAME.labels.tsv`` may leave out.
    """
    lines = text.split("\n")
    found: set[int] = set()
    fence = ""
    in_comment = False
    for number, raw in enumerate(lines, 1):
        line = _BLOCKQUOTE.sub("", raw)
        stripped = line.strip()
        if fence or in_comment:
            found.add(number)
            if fence and stripped.startswith(fence):
                fence = ""
            if in_comment and "-->" in stripped:
                in_comment = False
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)[:3]
            found.add(number)
        elif stripped.startswith("<!--"):
            found.add(number)
            in_comment = "-->" not in stripped
        elif not stripped or any(pattern.match(line) for pattern in _STRUCTURAL):
            found.add(number)
            if re.match(r"^\s*=+\s*$", line) and number > 1:
                found.add(number - 1)  # the setext heading's text
    return found


def unlabelled_problems(document: Document) -> list[str]:
    """Label rows that point at a missing or blank line, and content lines with no label row.

    An empty list when all is well: every line with reviewable text has exactly one label.
    """
    lines = document.lines
    problems = []
    for number in sorted(document.labels):
        if not 1 <= number <= len(lines) or not lines[number - 1].strip():
            problems.append(f"{document.name}: label row for line {number} has no text there")
    structural = structural_lines(document.text)
    for number, line in enumerate(lines, 1):
        if line.strip() and number not in structural and number not in document.labels:
            problems.append(f"{document.name}: line {number} has text but no label row")
    return problems


def select_documents(paths: Sequence[Path], only: str | None) -> list[Path]:
    """The paths whose document name is in the comma-separated ``only`` list (all when None).

    Raises ``ValueError`` naming any requested document the set does not hold.
    """
    if only is None:
        return list(paths)
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    by_name = {path.stem: path for path in paths}
    missing = [name for name in wanted if name not in by_name]
    if missing or not wanted:
        raise ValueError(
            f"no document named {', '.join(missing) or repr(only)} in this set; "
            f"choose from: {', '.join(sorted(by_name))}"
        )
    return [by_name[name] for name in wanted]


# Words a note quotes as the problem ("fast"; curly quotes are read as straight ones); an
# ellipsis splits a quote into parts.
_QUOTED = re.compile(r'"([^"\n]*)"')
_ELLIPSIS = re.compile(r"\.{3}|…")
# Between two quoted words the line may hold markup or a line break.
_GAP = r"[\s*_`>]+"
# The shortest flagged text a note can name without quotes and still be read as naming it.
_NAMED_CHARS = 6
_SAME_LENGTH = str.maketrans("‘’“”", "''\"\"")


def quoted_words(note: str) -> list[str]:
    """The phrases a label's note quotes, split at ellipses (empty when it quotes nothing)."""
    phrases = []
    for m in _QUOTED.finditer(note.translate(_SAME_LENGTH)):
        for part in _ELLIPSIS.split(m.group(1)):
            part = part.strip(" \t,;:.'")
            if any(c.isalnum() for c in part):
                phrases.append(part)
    return phrases


def quoted_spans(text: str, line: int, note: str) -> list[tuple[int, int]]:
    """Offsets in ``text`` of the words ``note`` quotes, where they touch 1-based ``line``
    (a quote may wrap onto the lines beside it)."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    if not 1 <= line <= len(starts):
        return []
    line_start = starts[line - 1]
    line_end = starts[line] - 1 if line < len(starts) else len(text)
    low = starts[max(0, line - 2)]
    high = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
    plain = text.translate(_SAME_LENGTH)
    spans = []
    for phrase in quoted_words(note):
        words = phrase.split()
        pattern = re.compile(_GAP.join(map(re.escape, words)), re.IGNORECASE)
        for m in pattern.finditer(plain, low, high):
            if m.start() < line_end and m.end() > line_start:
                spans.append(m.span())
    return spans


def finding_span(text: str, finding: FindingLike) -> range:
    """The 1-based lines a finding starts on or overlaps: the lines of its location
    (``location_start``..``location_end``: the whole sentence of an open question) when it
    has one, else of ``start``..``end`` (findings of older engines, stubs)."""
    start = getattr(finding, "location_start", None)
    end = getattr(finding, "location_end", None)
    if start is None or end is None:
        start, end, first_line = finding.start, finding.end, finding.line
    else:
        first_line = text.count("\n", 0, start) + 1
    last_line = text.count("\n", 0, max(start, end - 1)) + 1
    return range(first_line, max(first_line, last_line) + 1)


def score_document(document: Document, findings: Iterable[FindingLike]) -> DocumentScore:
    """Scores one document against the findings the engine returned for its text (pure)."""
    result = DocumentScore(document.name, labelled_lines=len(document.labels))
    lines = document.lines
    spans = [(finding, finding_span(document.text, finding)) for finding in findings]
    for category in CATEGORIES:
        flagged: dict[int, list[str]] = {}
        for finding, span in spans:
            if finding.category == category:
                for number in span:
                    flagged.setdefault(number, []).append(finding.rule)
        expected = {n for n, label in document.labels.items() if label.is_set(category)}
        entry = result.categories[category]
        for number in sorted(set(flagged) | expected):
            text = lines[number - 1].strip() if number <= len(lines) else ""
            if number in flagged and number in expected:
                entry.tp.append(number)
                _judge_reason(document, number, category, spans, entry, result.details)
            elif number in flagged:
                entry.fp.append(number)
                rules = ",".join(sorted(set(flagged[number])))
                result.details.append(
                    f"FALSE {category} {document.name}:{number} [{rules}] {text[:160]}"
                )
            else:
                entry.fn.append(number)
                note = document.labels[number].note
                result.details.append(
                    f"MISS  {category} {document.name}:{number} ({note}) {text[:160]}"
                )
    clean = {
        n
        for n, label in document.labels.items()
        if not label.unquantified_claim and not label.open_question
    }
    result.clean_words = sum(len(lines[n - 1].split()) for n in clean if n <= len(lines))
    result.clean_false_flags = sum(1 for _, span in spans if clean.intersection(span))
    return result


def _judge_reason(
    document: Document,
    number: int,
    category: str,
    spans: list[tuple[FindingLike, range]],
    entry: CategoryScore,
    details: list[str],
) -> None:
    """Files true-positive line ``number`` as flagged for the right reason, the wrong one,
    or unquoted (its note quotes nothing found on the line)."""
    quotes = quoted_spans(document.text, number, document.labels[number].note)
    if not quotes:
        entry.unquoted.append(number)
        return
    found = [f for f, span in spans if f.category == category and number in span]
    note = " ".join(document.labels[number].note.casefold().split())
    if any(f.start < end and start < f.end for f in found for start, end in quotes) or any(
        _named_in(document.text[f.start : f.end], note) for f in found
    ):
        entry.right.append(number)
        return
    entry.wrong.append(number)
    flagged = "; ".join(f"{f.rule} '{document.text[f.start : f.end][:60]}'" for f in found)
    details.append(
        f"REASON {category} {document.name}:{number} flagged {flagged} "
        f"(note: {document.labels[number].note[:120]})"
    )


def _named_in(match: str, note: str) -> bool:
    """True when the note names the flagged words without quoting them ("NEEDS
    CLARIFICATION: target latency" in the note of a line whose other words it quotes)."""
    words = " ".join(match.casefold().strip(" \t\n[](){}*_`").split())
    return len(words) >= _NAMED_CHARS and words in note


def score_set(
    documents: Sequence[Document], findings_for: dict[str, Sequence[FindingLike]]
) -> tuple[DocumentScore, list[DocumentScore]]:
    """The set total and the per-document scores, given each document's findings."""
    total = DocumentScore("total")
    per_document = []
    for document in documents:
        scored = score_document(document, findings_for[document.name])
        per_document.append(scored)
        total.add(scored)
    return total, per_document


def summary(which: str, total: DocumentScore, per_document: list[DocumentScore]) -> dict:
    """The figures as a JSON-ready dict."""

    def figures(score: DocumentScore) -> dict:
        out: dict = {}
        for category in CATEGORIES:
            entry = score.categories[category]
            out[category] = {
                **entry.figures(),
                "right_reason_lines": len(entry.right),
                "wrong_reason_lines": len(entry.wrong),
                "unquoted_tp_lines": len(entry.unquoted),
            }
        out["clean_words"] = score.clean_words
        out["clean_false_flags"] = score.clean_false_flags
        out["false_flags_per_1000_words"] = round(score.false_flags_per_1000_words, 2)
        out["labelled_lines"] = score.labelled_lines
        return out

    return {
        "set": which,
        "documents": len(per_document),
        **figures(total),
        "per_document": {score.name: figures(score) for score in per_document},
    }


def report(
    which: str, total: DocumentScore, per_document: list[DocumentScore], verbose: bool
) -> str:
    """The human-readable table (and, with ``verbose``, every miss and false flag)."""
    out = [f"set: {which} ({len(per_document)} documents, {total.labelled_lines} labelled lines)"]
    header = (
        f"{'document':<28} {'category':<19} {'n+':>4} {'TP':>4} {'FP':>4} {'FN':>4} "
        f"{'prec':>6} {'recall':>6} {'F1':>6}"
    )
    out.append(header)
    for score in [*per_document, total]:
        for category in CATEGORIES:
            entry = score.categories[category]
            out.append(
                f"{score.name:<28} {category:<19} {entry.positives:>4} {len(entry.tp):>4} "
                f"{len(entry.fp):>4} {len(entry.fn):>4} {entry.precision:>6.3f} "
                f"{entry.recall:>6.3f} {entry.f1:>6.3f}"
            )
    for category in CATEGORIES:
        entry = total.categories[category]
        out.append(
            f"right reason, {category}: {len(entry.right)} of "
            f"{len(entry.right) + len(entry.wrong)} quoted true-positive lines = "
            f"{entry.right_reason:.3f} ({len(entry.unquoted)} lines quote nothing on the line)"
        )
    for score in [*per_document, total]:
        out.append(
            f"{score.name:<28} false flags on clean prose: {score.clean_false_flags} in "
            f"{score.clean_words} words = {score.false_flags_per_1000_words:.2f} per 1,000 words"
        )
    if verbose:
        out += total.details
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=(*SETS, "all"), default="dev", dest="which")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false flags")
    parser.add_argument(
        "--only",
        metavar="NAME[,NAME]",
        help="score only these documents of the set (file names without .md)",
    )
    parser.add_argument(
        "--labels",
        choices=tuple(LABEL_FILES),
        default="first",
        help="whose hand labels to score against: NAME.labels.tsv (first, the default) or "
        "NAME.labels2.tsv (second)",
    )
    args = parser.parse_args(argv)
    try:
        paths = select_documents(document_paths(args.which), args.only)
    except ValueError as error:
        print(f"review_real: {error}", file=sys.stderr)
        return 2
    unlabelled = [path.stem for path in paths if not labels_path(path, args.labels).exists()]
    if unlabelled:
        print(
            f"review_real: no {args.labels} labeller's labels "
            f"({LABEL_FILES[args.labels]}.tsv) for {', '.join(unlabelled)}; "
            "choose --labels first or a set (or --only) the second labeller labelled",
            file=sys.stderr,
        )
        return 2
    documents = [load_document(path, args.labels) for path in paths]
    problems = [p for document in documents for p in unlabelled_problems(document)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    findings_for = {document.name: review(document.text) for document in documents}
    total, per_document = score_set(documents, findings_for)
    text = report(args.which, total, per_document, args.verbose)
    figures = summary(args.which, total, per_document)
    if args.labels != "first":  # the default output stays as it always was
        text = f"labels: {args.labels} labeller's ({LABEL_FILES[args.labels]}.tsv)\n{text}"
        figures["labels"] = args.labels
    print(text)
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
