"""How long ``review()`` takes on a 3,000-word and a 100,000-word PRD, and how it scales.

Run: ``.venv/bin/python benchmarks/review_speed.py``. Two kinds of documents:

* synthetic: the labelled review data (the clean PRD plus every labelled PRD line, so both
  clean and flagged text), repeated until it reaches the word count;
* real: the real PRDs in ``tests/data/review/real/dev``, repeated with a different marker
  on every line of each copy, so no sentence repeats (the parse cache cannot help).

Prints the best of several runs once the language pipeline is loaded, the cost of loading
it, and the wall time of ``prd review`` on a 3,000-word PRD from a cold start.

Real documents differ in how much each word costs (a line of vague words costs more than a
line of names), so "cost per word, 100k vs 3k" mixes content with size. The size effect alone
is measured by reviewing the 30k and 100k real documents whole and then in consecutive parts of
about 3,000 words: a linear engine takes as long for the whole as for the sum of its parts.

Then the worst cases, which must stay linear too: one dense line of vague phrases (38 KB and
150 KB, no sentence break, thousands of findings), 80,000 spaces inside a line and a table
row, and a line of unmatched backticks.
"""

from __future__ import annotations

import csv
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from prd_assistant.review import nlp, review

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


def build_real_document(words: int) -> str:
    """About ``words`` words of real PRD text in which no line repeats."""
    docs = sorted((DATA / "real" / "dev").glob("*.md"))
    unit = "\n\n".join(path.read_text(encoding="utf-8") for path in docs)
    parts, count, copy = [], 0, 0
    while count < words:
        copy += 1
        # A marker after each list bullet or at the start of each prose line makes every copy
        # of a sentence different text.
        marked = re.sub(
            r"(?m)^([ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?)(?=[A-Za-z])",
            lambda m, c=copy: f"{m.group(1)}(v{c}) ",
            unit,
        )
        parts.append(marked)
        count += len(marked.split())
    text = "\n\n".join(parts)
    kept, total = [], 0
    for line in text.split("\n"):
        if total >= words:
            break
        kept.append(line)
        total += len(line.split())
    return "\n".join(kept)


def split_parts(text: str, words: int) -> list[str]:
    """``text`` cut at blank lines into consecutive parts of at least ``words`` words (the last
    may be shorter); joined with blank lines they give ``text`` back."""
    parts, current, count = [], [], 0
    for paragraph in text.split("\n\n"):
        current.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            parts.append("\n\n".join(current))
            current, count = [], 0
    if current:
        parts.append("\n\n".join(current))
    return parts


def whole_against_parts(words: int, repeat: int = 2) -> tuple[float, float, int]:
    """(CPU seconds for the real ``words``-word document whole, the sum of its ~3,000-word
    parts reviewed one by one, the number of parts); best of ``repeat`` for each."""

    def cpu(text: str) -> float:
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            review(text)
            best = min(best, time.process_time() - start)
        return best

    text = build_real_document(words)
    parts = split_parts(text, 3_000)
    return cpu(text), sum(cpu(part) for part in parts), len(parts)


def cold_start(words: int, repeat: int) -> float:
    """Best wall time of ``prd review`` on a real ``words``-word PRD, each run a new process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prd.md"
        path.write_text(build_real_document(words), encoding="utf-8")
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "prd_assistant", "review", str(path)],
                capture_output=True,
                check=False,
            )
            best = min(best, time.perf_counter() - start)
    return best


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


_LONG_SENTENCE = "The " + _VAGUE_PHRASE * (4_900 // len(_VAGUE_PHRASE)) + "end. "


def worst_cases() -> dict[str, str]:
    """Inputs that were quadratic before: long lines, long blank runs, many backticks, runs
    of questions."""
    return {
        "38 KB dense line": _VAGUE_PHRASE * (38_000 // len(_VAGUE_PHRASE)),
        "150 KB dense line": _VAGUE_PHRASE * (150_000 // len(_VAGUE_PHRASE)),
        "80k spaces": "- The API must be fast."
        + " " * 80_000
        + "| robust |"
        + " " * 80_000
        + "x\n",
        "80k backticks": "`` `" * 20_000 + " fast\n",
        # Sentences just under the parser's length cap: each one is parsed, so every check
        # that walks a sentence per finding shows up here.
        "38 KB of 4.9k sentences": _LONG_SENTENCE * 8,
        # Questions: each "?" is judged against its block, its run and what follows.
        "40 KB line of questions": "Who owns it? " * 3_000 + "\n",
        "3k question lines, one paragraph": "Who owns it?\n" * 3_000,
        "120 KB line, then questions": "x " * 60_000 + "who? " * 1_000 + "\n",
        # The same under a title with a subsection, which a question in a lead may point at.
        "the same, then a subsection": "# T\n\n"
        + "x " * 60_000
        + "who? " * 1_000
        + "\n\n## Who owns it\n\nThe team.\n",
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
    start = time.perf_counter()
    pipeline = nlp.pipeline()
    print(
        f"language pipeline: {'loaded' if pipeline else 'NOT loaded'} in "
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )
    review("warm-up: compile the rules and load the template, the lexicon is fast")
    for name, build in (("synthetic", build_document), ("real", build_real_document)):
        results = []
        for words, repeat in ((3_000, 10), (10_000, 5), (30_000, 3), (100_000, 2)):
            text = build(words)
            seconds, findings = best_time(text, repeat)
            results.append((len(text.split()), seconds))
            print(
                f"{name:>9} {len(text.split()):>7} words: {seconds * 1000:8.1f} ms  "
                f"({findings} findings, best of {repeat})"
            )
        (small_words, small), (large_words, large) = results[0], results[-1]
        ratio = (large / large_words) / (small / small_words)
        print(f"{name:>9} cost per word, 100k vs 3k: {ratio:.2f}× (content and size)")
    for words in (30_000, 100_000):
        whole, parts, count = whole_against_parts(words)
        print(
            f"     real {words:>7} words whole: {whole:.2f} s CPU, as {count} parts of ~3k words: "
            f"{parts:.2f} s ({whole / parts:.2f}×, 1.0 = linear in size)"
        )
    for name, text in worst_cases().items():
        seconds, findings = best_time(text, 3)
        print(f"{name:>18}: {seconds * 1000:8.1f} ms  ({findings} findings, best of 3)")
    print(
        f"prd review, cold start, 3,000 real words: {cold_start(3_000, 5) * 1000:.0f} ms (best of 5)"
    )


if __name__ == "__main__":
    main()
