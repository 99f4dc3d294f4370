"""What `prd draft` keeps when the network, the server or the disk fails: one row per fault.

Runs the real command line (`python -m prd_assistant draft ...`, a subprocess) against the
local OpenAI-compatible test server with one fault mode at a time, and prints per mode: the
sections saved as done in the draft JSON, how many of those hold their whole reply (the stub's
reply ends with an "Open question: who signs off the <section>?" line, so a cut or truncated
reply saved as done shows up here), the exit code, the wall time and the CLI's last line.

Modes: none (baseline), hang (first calls never answer), hang-all (a silent server), stall
(the stream goes silent after one chunk), cut (the connection drops mid-chunk), no-finish (the
stream ends without a finish_reason), length (finish_reason "length"), 429 with Retry-After,
500, 501, an HTML error page, kill -9 at 15 of 19 sections then --resume, and a full disk (a
small tmpfs when this runs as root and may mount; otherwise fsync fails with ENOSPC once the
first few sections are saved).

    .venv/bin/python benchmarks/fault_matrix.py [--timeout 10] [--retries 1] [--only cut 429]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from tests.support.openai_server import (  # noqa: E402
    Cut,
    Finish,
    Hang,
    Malformed,
    OpenAIStubServer,
    Stall,
    Status,
)

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS and email "
    "updates to shoppers when a parcel ships, is out for delivery or is delayed, and handles "
    "2,000 notifications per minute at peak."
)
SECTIONS = 19
# Replaces os.fsync in the CLI process when no tmpfs can be mounted: the disk "fills up" after
# the first few saves, as a real one does mid-run.
FULL_DISK_SITE = """
import errno, os
_real, _count = os.fsync, [0]
def _fsync(fd):
    _count[0] += 1
    if _count[0] > int(os.environ.get("PRD_FAKE_FULL_AFTER", "3")):
        raise OSError(errno.ENOSPC, "No space left on device")
    return _real(fd)
os.fsync = _fsync
"""


@dataclass
class Mode:
    name: str
    what: str
    server: Callable[[], OpenAIStubServer]


@dataclass
class Row:
    mode: str
    what: str
    done: int
    whole: int
    code: int | None
    seconds: float
    last: str


def modes(delay: float) -> list[Mode]:
    def stub(fault=None, calls=None, **kwargs) -> Callable[[], OpenAIStubServer]:
        return lambda: OpenAIStubServer(delay=delay, fault=fault, fault_calls=calls, **kwargs)

    return [
        Mode("none", "no fault (baseline)", stub()),
        Mode("hang", "first 2 calls never answer", stub(Hang(), 2)),
        Mode("hang-all", "every call hangs (silent server)", stub(Hang())),
        Mode("stall", "first 2 streams go silent after 1 chunk", stub(Stall(after_chunks=1), 2)),
        Mode("cut", "first stream cut mid-chunk", stub(Cut(after_chunks=1), 1)),
        Mode("no-finish", "first stream ends without finish_reason", stub(Finish(None), 1)),
        Mode("length", "first reply finish_reason=length", stub(Finish("length"), 1)),
        Mode("429", "first 3 calls 429, Retry-After 1 s", stub(Status(429, retry_after=1.0), 3)),
        Mode("500", "first 3 calls HTTP 500", stub(Status(500), 3)),
        Mode("501", "every call HTTP 501", stub(Status(501))),
        Mode(
            "html", "first call: an HTML error page", stub(Malformed(content_type="text/html"), 1)
        ),
    ]


def run_cli(url: str, workdir: Path, extra: list[str], env: dict[str, str], timeout: float):
    command = [sys.executable, "-m", "prd_assistant", "draft", DESCRIPTION]
    command += ["--model", "test-model", "--base-url", url, "-o", "prd.md", "--json", "prd.json"]
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [*command, *extra],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        code, err = result.returncode, result.stderr
    except subprocess.TimeoutExpired as exc:
        code, err = None, f"still running after {timeout:.0f} s: {exc.stderr or ''}"
    return code, time.perf_counter() - started, err


def kept(json_path: Path) -> tuple[int, int]:
    """(sections saved as done, of which hold their whole reply)."""
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0, 0
    done = [s for s in data["sections"] if s["status"] == "done"]
    whole = [s for s in done if _last_line_of_reply(s["heading"]) in s["text"].lower()]
    return len(done), len(whole)


def _last_line_of_reply(heading: str) -> str:
    # tests.support.openai_server.default_reply ends every section with this question.
    return f"who signs off the {heading.lstrip('#').strip().lower()}?"


def last_line(err: str) -> str:
    lines = [line.strip() for line in err.strip().splitlines() if line.strip()]
    if any("Traceback" in line for line in lines):
        return "TRACEBACK: " + lines[-1][:90]
    return (lines[-1] if lines else "")[:110]


def run_mode(mode: Mode, base_env: dict[str, str], extra: list[str], limit: float) -> Row:
    with tempfile.TemporaryDirectory() as tmp, mode.server() as server:
        code, seconds, err = run_cli(server.url, Path(tmp), extra, base_env, limit)
        done, whole = kept(Path(tmp) / "prd.json")
    return Row(mode.name, mode.what, done, whole, code, seconds, last_line(err))


def run_kill_and_resume(delay: float, env: dict[str, str], extra: list[str]) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp, OpenAIStubServer(delay=delay) as server:
        work = Path(tmp)
        command = [sys.executable, "-m", "prd_assistant", "draft", DESCRIPTION]
        command += ["--model", "test-model", "--base-url", server.url, "-o", "prd.md"]
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "--json", "prd.json", *extra],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and kept(work / "prd.json")[0] < 15:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed_at = time.perf_counter() - started
        done, whole = kept(work / "prd.json")
        rows = [
            Row(
                "kill -9",
                "killed at >=15 of 19 done",
                done,
                whole,
                process.returncode,
                killed_at,
                "",
            )
        ]
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "prd_assistant",
                "draft",
                "--resume",
                "prd.json",
                "-o",
                "prd.md",
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        done, whole = kept(work / "prd.json")
        rows.append(
            Row(
                "  --resume",
                "no flags: stored model and server",
                done,
                whole,
                result.returncode,
                time.perf_counter() - started,
                last_line(result.stderr),
            )
        )
    return rows


def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def run_full_disk(delay: float, env: dict[str, str], extra: list[str]) -> Row:
    with tempfile.TemporaryDirectory() as tmp, OpenAIStubServer(delay=delay) as server:
        disk = Path(tmp) / "disk"
        disk.mkdir()
        # The draft JSON grows to ~35 KB; 48 KiB (old file + temporary) fills up mid-run.
        mounted = _mount_tmpfs(disk, "48k")
        run_env = dict(env)
        if not mounted:
            site = Path(tmp) / "site"
            site.mkdir()
            (site / "sitecustomize.py").write_text(FULL_DISK_SITE, encoding="utf-8")
            run_env["PYTHONPATH"] = f"{site}{os.pathsep}{env.get('PYTHONPATH', '')}"
        try:
            code, seconds, err = run_cli(server.url, disk, extra, run_env, 600)
            done, whole = kept(disk / "prd.json")
        finally:
            if mounted:
                subprocess.run(["umount", str(disk)], check=False)
    how = "48 KiB tmpfs" if mounted else "fsync fails with ENOSPC after 3 saves"
    return Row("full disk", how, done, whole, code, seconds, last_line(err))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.3, help="seconds per answered call")
    parser.add_argument(
        "--timeout", type=float, help="--timeout for the CLI (default: the CLI's own)"
    )
    parser.add_argument("--retries", type=int, help="--retries for the CLI (default: its own)")
    parser.add_argument("--limit", type=float, default=900, help="give up on one run after this")
    parser.add_argument("--only", nargs="+", help="mode names to run (default: all)")
    args = parser.parse_args()
    extra = ["-q"]
    if args.timeout is not None:
        extra += ["--timeout", str(args.timeout)]
    if args.retries is not None:
        extra += ["--retries", str(args.retries)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PRD_"))}
    env["PYTHONPATH"] = str(ROOT / "src")

    print(describe())
    print(f"CLI options: {' '.join(extra)}; server delay {args.delay} s per call\n")
    header = (
        f"{'mode':<11} {'fault':<42} {'done':>5} {'whole':>5} {'exit':>5} {'wall':>7}  last line"
    )
    print(header)
    print("-" * len(header))

    def show(row: Row) -> None:
        code = "-" if row.code is None else str(row.code)
        print(
            f"{row.mode:<11} {row.what:<42} {row.done:>2}/{SECTIONS} {row.whole:>5} {code:>5} "
            f"{row.seconds:>6.1f}s  {row.last}",
            flush=True,
        )

    wanted = set(args.only or [])
    for mode in modes(args.delay):
        if not wanted or mode.name in wanted:
            show(run_mode(mode, env, extra, args.limit))
    if not wanted or "kill" in wanted:
        for row in run_kill_and_resume(max(args.delay, 0.3), env, extra):
            show(row)
    if not wanted or "full-disk" in wanted:
        show(run_full_disk(args.delay, env, extra))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
