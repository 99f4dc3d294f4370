"""How long ``review()`` takes on a 3,000-word and a 100,000-word PRD, and how it scales.

Run: ``.venv/bin/python benchmarks/review_speed.py``. The documents are built from the
labelled review data (the clean PRD plus every labelled PRD line, so both clean and flagged
text), repeated until they reach the word count. Prints the best of several runs.
"""

from __future__ import annotations

import csv
import os
import platform
import time
from pathlib import Path

from prd_assistant.review import review

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "review"


def build_document(words: int) -> str:
    """A Markdown PRD of about ``words`` words from the review test data."""
    clean = (DATA / "clean_prd.md").read_text(encoding="utf-8")
    with (DATA / "prd_lines.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    flagged = (
        "\n".join(["## 7. Non-Functional Requirements"] + [row["text"] for row in rows]) + "\n"
    )
    unit = clean + "\n" + flagged
    parts, count = [], 0
    while count < words:
        parts.append(unit)
        count += len(unit.split())
    text = "\n".join(parts)
    return " ".join(text.split(" ")[: len(text.split(" ")) * words // max(count, 1)])


def best_time(text: str, repeat: int) -> tuple[float, int]:
    """(best seconds of ``repeat`` runs, finding count)."""
    best, findings = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        findings = len(review(text))
        best = min(best, time.perf_counter() - start)
    return best, findings


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical cores, Python {platform.python_version()}")
    review("warm-up: compile the rules and load the template")
    results = []
    for words, repeat in ((3_000, 20), (10_000, 10), (30_000, 5), (100_000, 3)):
        text = build_document(words)
        seconds, findings = best_time(text, repeat)
        results.append((len(text.split()), seconds))
        print(
            f"{len(text.split()):>7} words: {seconds * 1000:8.1f} ms  ({findings} findings, best of {repeat})"
        )
    (small_words, small), (large_words, large) = results[0], results[-1]
    ratio = (large / large_words) / (small / small_words)
    print(f"cost per word, 100k vs 3k: {ratio:.2f}× (1.0 = linear)")


if __name__ == "__main__":
    main()
