"""How long ``review()`` takes on a 3,000-word and a 100,000-word PRD, and how it scales.

Run: ``.venv/bin/python benchmarks/review_speed.py``. The documents are built from the
labelled review data (the clean PRD plus every labelled PRD line, so both clean and flagged
text), repeated until they reach the word count. Prints the best of several runs.

Then the worst cases, which must stay linear too: one dense line of vague phrases (38 KB and
150 KB, no sentence break, thousands of findings), 80,000 spaces inside a line and a table
row, and a line of unmatched backticks.
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


_VAGUE_PHRASE = (
    "the service must be fast, robust and user-friendly for many users and several teams, "
)


def worst_cases() -> dict[str, str]:
    """Inputs that were quadratic before: long lines, long blank runs, many backticks."""
    return {
        "38 KB dense line": _VAGUE_PHRASE * (38_000 // len(_VAGUE_PHRASE)),
        "150 KB dense line": _VAGUE_PHRASE * (150_000 // len(_VAGUE_PHRASE)),
        "80k spaces": "- The API must be fast."
        + " " * 80_000
        + "| robust |"
        + " " * 80_000
        + "x\n",
        "80k backticks": "`` `" * 20_000 + " fast\n",
    }


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
    for name, text in worst_cases().items():
        seconds, findings = best_time(text, 3)
        print(f"{name:>18}: {seconds * 1000:8.1f} ms  ({findings} findings, best of 3)")


if __name__ == "__main__":
    main()
