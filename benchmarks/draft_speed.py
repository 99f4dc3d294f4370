"""How much faster concurrent drafting is than drafting one section at a time.

Starts the local OpenAI-compatible test server with a fixed delay per call, runs the real
command line (`python -m prd_assistant draft ... --base-url ...`) against it, and compares the
command's wall time with the sum of the individual call times, which is what a drafter that
writes one section after another would wait. Also runs with a share of calls failing with
429/500 to show the draft still completes.

    .venv/bin/python benchmarks/draft_speed.py [--delays 0.5 1 2] [--fail-rate 0.2]
    .venv/bin/python benchmarks/draft_speed.py --sections 2000   # scheduler cost only

``--sections N`` drafts a template of N independent sections in-process at concurrency 32
against the server with no delay, so the wall time is the engine's own cost per streamed
token (scheduling, events, post-processing), not the model's.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.openai_server import OpenAIStubServer  # noqa: E402

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS and email "
    "updates to shoppers when a parcel ships, is out for delivery or is delayed, and handles "
    "2,000 notifications per minute at peak."
)


def run_cli(url: str, out: Path, concurrency: int) -> tuple[float, int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "prd_assistant",
            "draft",
            DESCRIPTION,
            "--model",
            "test-model",
            "--base-url",
            url,
            "-o",
            str(out),
            "--concurrency",
            str(concurrency),
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return time.perf_counter() - started, result.returncode, result.stderr.strip()


def many_sections(count: int, chunks: int) -> None:
    """Times the engine alone on a template of ``count`` independent sections."""
    from prd_assistant import llm
    from prd_assistant.document import Draft
    from prd_assistant.drafting import Drafter
    from prd_assistant.events import SectionDone
    from prd_assistant.template import parse_template

    body = "\n\n".join(f"## Topic {i}\nWhat topic {i} covers." for i in range(count))
    template = parse_template(f"# PRD\n\n{body}\n", "many")
    with OpenAIStubServer(chunks=chunks) as server:
        settings = llm.ModelSettings(model="test-model", base_url=server.url, max_retries=0)
        model = llm.create_chat_model(settings)
        drafter = Drafter(template, model, model_name="test-model", concurrency=32)
        draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
        started = time.perf_counter()
        deltas = done = 0
        for event in drafter.stream(draft):
            deltas += type(event).__name__ == "SectionDelta"
            done += isinstance(event, SectionDone)
        wall = time.perf_counter() - started
    print(
        f"{count} sections, {chunks} chunks each, concurrency 32: {done} done, "
        f"{deltas:,} streamed chunks in {wall:.1f} s ({wall / max(deltas, 1) * 1e6:.0f} us per chunk)"
    )


def startup_seconds() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "prd_assistant", "--version"], capture_output=True, check=True
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delays", type=float, nargs="+", default=[0.5, 1.0, 2.0])
    parser.add_argument("--fail-rate", type=float, default=0.2)
    parser.add_argument(
        "--concurrency", type=int, default=8, help="sections at once (the CLI default)"
    )
    parser.add_argument(
        "--sections", type=int, help="only time the engine on a template of this many sections"
    )
    parser.add_argument("--chunks", type=int, default=20, help="chunks per reply (--sections)")
    args = parser.parse_args()
    if args.sections:
        many_sections(args.sections, args.chunks)
        return 0
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}")
    print(f"process start-up (python -m prd_assistant --version): {startup_seconds():.2f} s")
    print(
        f"{'delay':>6} {'fail':>5} {'calls':>5} {'sum of calls':>12} {'wall':>7} {'ratio':>6}  result"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for delay in args.delays:
            for fail_rate in (0.0, args.fail_rate):
                with OpenAIStubServer(delay=delay, fail_rate=fail_rate, seed=7) as server:
                    wall, code, err = run_cli(server.url, Path(tmp) / "out.md", args.concurrency)
                    answered = server.calls - server.failures
                # Each answered call takes `delay`; failed calls answer at once.
                total = answered * delay
                status = "ok" if code == 0 else f"exit {code}: {err[-200:]}"
                print(
                    f"{delay:>6.2f} {fail_rate:>5.0%} {server.calls:>5} {total:>11.1f}s {wall:>6.2f}s "
                    f"{wall / total:>6.2f}  {status}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
