"""Precision and recall of the traceability check on hand-labelled PRDs.

Run: ``.venv/bin/python benchmarks/traceability_quality.py [LABELS.json] [-v]``. The labels file
(default ``tests/data/traceability/labels.json``) maps each PRD file, next to it, to the
findings expected: a rule and a unique substring of the line the finding must be on. A
finding matches an unused label of the same rule on its line; every other finding is a false
flag, every unmatched label a miss. ``-v`` lists both.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from prd_assistant.traceability import RULES, check_traceability

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "traceability" / "labels.json"


def score(labels_path: Path) -> tuple[Counter[str], Counter[str], Counter[str], list[str]]:
    """True positives, false positives and misses per rule, plus readable notes."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    notes: list[str] = []
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    for name, expected in labels.items():
        if not name.endswith(".md"):
            continue
        text = (labels_path.parent / name).read_text(encoding="utf-8")
        lines = text.split("\n")
        wanted = []
        for label in expected:
            hits = [i + 1 for i, line in enumerate(lines) if label["line"] in line]
            if len(hits) != 1:
                raise SystemExit(f"{name}: label line {label['line']!r} matches {len(hits)} lines")
            wanted.append((label["rule"], hits[0]))
        for finding in check_traceability(text):
            key = (finding.rule, finding.line)
            if key in wanted:
                wanted.remove(key)
                tp[finding.rule] += 1
            else:
                fp[finding.rule] += 1
                notes.append(f"false flag {name}:{finding.line} {finding.rule} {finding.match!r}")
        for rule, line in wanted:
            fn[rule] += 1
            notes.append(f"miss       {name}:{line} {rule}")
    return tp, fp, fn, notes


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv if not a.startswith("-")]
    tp, fp, fn, notes = score(paths[0] if paths else DEFAULT)
    print(f"{'rule':<34}{'tp':>4}{'fp':>4}{'fn':>4}{'precision':>11}{'recall':>8}")
    for rule in [r.id for r in RULES] + ["all"]:
        t, f, n = (
            (sum(tp.values()), sum(fp.values()), sum(fn.values()))
            if rule == "all"
            else (tp[rule], fp[rule], fn[rule])
        )
        precision = f"{t / (t + f):.2f}" if t + f else "-"
        recall = f"{t / (t + n):.2f}" if t + n else "-"
        print(f"{rule:<34}{t:>4}{f:>4}{n:>4}{precision:>11}{recall:>8}")
    if "-v" in argv:
        print("\n".join(notes))


if __name__ == "__main__":
    main(sys.argv[1:])
