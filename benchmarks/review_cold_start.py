"""``prd review`` from a cold start: a new process on a 3,000-word real PRD, to its exit.

Target: ≤ 2 s. Each run is ``python -m prd_assistant review FILE`` in a fresh process, so it
pays for the interpreter, the imports, loading the language pipeline and the review itself.

Other work on the machine inflates every wall time, so each run also reports the CPU time
(user + system) its process used, which waiting for a shared core does not inflate, and two
versions are compared by alternating them rather than by absolute figures: ``--against DIR`` runs the ``prd_assistant`` package under
DIR (e.g. an older commit, ``git archive OLD src | tar -x -C /tmp/old``) before each run of
this one, with the same interpreter and packages. ``--stages`` times the parts of one cold
run in-process (CLI imports, spaCy import, pipeline load, review).

Usage: ``python benchmarks/review_cold_start.py [--runs 9] [--words 3000] [--against DIR]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe
from review_speed import build_real_document

STAGES = """
import sys, time
start = time.process_time()
import prd_assistant.cli
cli = time.process_time()
from prd_assistant.review import nlp, review
nlp.import_spacy()
spacy = time.process_time()
nlp.pipeline()
loaded = time.process_time()
review(open(sys.argv[1], encoding="utf-8").read())
done = time.process_time()
print(f"CPU: CLI imports {(cli - start) * 1000:.0f} ms, spaCy import {(spacy - cli) * 1000:.0f} ms, "
      f"pipeline load {(loaded - spacy) * 1000:.0f} ms, review {(done - loaded) * 1000:.0f} ms")
"""


def _machine_load() -> str:
    """The load averages and how many processes are runnable right now (this one included)."""
    fields = Path("/proc/loadavg").read_text().split() if Path("/proc/loadavg").exists() else []
    if len(fields) < 4:
        return "load average unknown"
    return f"load average {' '.join(fields[:3])}, {fields[3].split('/')[0]} runnable"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(path: Path, source: Path | None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``prd review`` process; ``source`` puts another
    package first on the path."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    cpu = _child_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "prd_assistant", "review", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1) or "warning" in done.stderr:
        raise SystemExit(f"prd review failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, _child_cpu() - cpu


def summary(name: str, runs: list[tuple[float, float]]) -> str:
    """``name: wall median 1.62 s (1.51-1.90), CPU median 1.55 s (1.50-1.61), n=9``."""
    parts = []
    for kind, values in (("wall", [w for w, _ in runs]), ("CPU", [c for _, c in runs])):
        parts.append(
            f"{kind} median {statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"
        )
    return f"{name}: {', '.join(parts)}, n={len(runs)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each version (default 9)")
    parser.add_argument("--words", type=int, default=3_000, help="PRD size (default 3,000)")
    parser.add_argument("--against", type=Path, help="a folder holding an older prd_assistant")
    parser.add_argument("--stages", action="store_true", help="also time the parts of one run")
    args = parser.parse_args()
    if args.against is not None and not (args.against / "prd_assistant").is_dir():
        parser.error(f"{args.against} holds no prd_assistant package")

    print(describe())
    print(f"before: {_machine_load()}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prd.md"
        path.write_text(build_real_document(args.words), encoding="utf-8")
        print(f"document: {len(path.read_text(encoding='utf-8').split()):,} words of real PRDs")
        one_run(path, None)  # warms the file cache for both versions alike
        this, other = [], []
        for _ in range(args.runs):
            if args.against is not None:
                other.append(one_run(path, args.against))
            this.append(one_run(path, None))
        if args.stages:
            stages = subprocess.run(
                [sys.executable, "-c", STAGES, str(path)], capture_output=True, text=True
            )
            print(stages.stdout.strip() or stages.stderr.strip())
    print(f"after: {_machine_load()} (another process's work inflates every number)")
    if other:
        print(summary(f"against {args.against}", other))
    print(summary("prd review, cold start", this) + " (target ≤ 2 s)")
    if other:
        for index, kind in ((0, "wall"), (1, "CPU")):
            ratios = [new[index] / old[index] for new, old in zip(this, other, strict=True)]
            print(f"pairwise new/old {kind}: median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
