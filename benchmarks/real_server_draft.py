"""A whole `prd draft` against a real llama.cpp server: default settings vs --concurrency 1.

Starts ``llama_cpp.server`` (SmolLM2-135M-Instruct, the server's defaults: one slot) from
``.venv-llama`` (``bash scripts/llama_venv.sh`` makes it), then drafts the default 19-section
template through the real command line, once with default settings and once with
``--concurrency 1``, and prints per run: sections done (and truncated), the exit code and the
wall time, with the machine and the load average at the start and end of each run (other
work on the machine slows a CPU server down).

    .venv/bin/python benchmarks/real_server_draft.py [--runs default c1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.draft_speed import DESCRIPTION  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from tests.support.llama_server import LLAMA_PYTHON, MODEL_ALIAS, llama_server  # noqa: E402

RUNS = {"default": [], "c1": ["--concurrency", "1"]}


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def draft(url: str, work: Path, extra: list[str]) -> tuple[dict[str, int], int, float]:
    """(section count per status, exit code, seconds) of one `prd draft`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PRD_MODEL"))}
    command = [sys.executable, "-m", "prd_assistant", "draft", DESCRIPTION, "--quiet"]
    command += ["--model", MODEL_ALIAS, "--base-url", url, "-o", "prd.md", "--json", "prd.json"]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, *extra], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    counts: dict[str, int] = {}
    try:
        data = json.loads((work / "prd.json").read_text(encoding="utf-8"))
        for section in data["sections"]:
            counts[section["status"]] = counts.get(section["status"], 0) + 1
    except (OSError, ValueError, KeyError):
        counts["no json"] = 1
    if result.returncode not in (0, 1):
        print(result.stderr[-1000:], file=sys.stderr)
    return counts, result.returncode, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", choices=sorted(RUNS), default=["default", "c1"])
    args = parser.parse_args()
    if not LLAMA_PYTHON.exists():
        print("no .venv-llama: run `bash scripts/llama_venv.sh` first", file=sys.stderr)
        return 2
    print(describe())
    with tempfile.TemporaryDirectory() as tmp, llama_server(Path(tmp) / "server.log") as url:
        print(f"server: llama_cpp.server, {MODEL_ALIAS} (SmolLM2-135M-Instruct), defaults")
        print(f"{'run':<8} {'done':>5} {'other':<16} {'exit':>4} {'wall':>8}  load before -> after")
        for name in args.runs:
            work = Path(tmp) / name
            work.mkdir()
            before = load()
            counts, code, seconds = draft(url, work, RUNS[name])
            done = counts.pop("done", 0)
            other = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "-"
            total = done + sum(counts.values())
            print(
                f"{name:<8} {done:>2}/{total:<2} {other:<16} {code:>4} {seconds:>7.1f}s  "
                f"{before} -> {load()}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
