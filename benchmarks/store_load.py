"""Many PMs saving at once through the draft store: throughput, latency, and that nothing is lost.

Simulates ``--pms`` product managers (default 20) split over ``--processes`` app processes
(default 2, like two app replicas), each saving an edit every ``--think`` seconds for
``--seconds`` (default 60). Most edits go to the PM's own draft; ``--shared`` of them (default
20%) go to one of four drafts the whole team edits, where compare-and-set conflicts happen:
the PM is told (ConflictError), reloads and re-applies the edit, as the app does.

Every accepted save appends a unique token to a section. At the end, each draft must hold
exactly the tokens whose saves were acknowledged: a missing one is a lost edit.

    .venv/bin/python benchmarks/store_load.py                  # throwaway PostgreSQL
    .venv/bin/python benchmarks/store_load.py --database sqlite:////tmp/load.sqlite3
    .venv/bin/python benchmarks/store_load.py --database postgresql+psycopg://u@host/db
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import re
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prd_assistant.document import Draft  # noqa: E402
from prd_assistant.store import ConflictError, DraftStore, StoreError  # noqa: E402
from prd_assistant.template import load_template  # noqa: E402

TOKEN = re.compile(r"\[(pm\d+-\d+)\]")
SHARED_DRAFTS = 4


def _new_draft(name: str) -> Draft:
    return Draft.from_template(load_template(), f"{name} does something useful.", name)


def _pm(store: DraftStore, pm: int, own_id: str, shared: list[str], args, stop, out) -> None:
    rng = random.Random(pm)
    me = store.as_user(f"pm{pm}@example.com")
    latencies, acked = [], []
    counts = {"saves": 0, "conflicts": 0, "errors": 0, "unhandled": 0}
    n = 0
    while not stop.is_set():
        target = rng.choice(shared) if rng.random() < args.shared else own_id
        n += 1
        token = f"pm{pm}-{n}"
        section_index = rng.randrange(19)
        for _ in range(100):  # a conflict means: reload, re-apply the edit, save again
            started = time.perf_counter()
            try:
                draft, base = me.load_versioned(target)
                section = draft.sections[section_index % len(draft.sections)]
                section.text = f"{section.text} [{token}]"
                me.save(draft, f"edit {token}", base_revision=base)
            except ConflictError:
                counts["conflicts"] += 1
                continue
            except StoreError:
                counts["errors"] += 1
                break
            except Exception:
                counts["unhandled"] += 1
                break
            latencies.append(time.perf_counter() - started)
            counts["saves"] += 1
            acked.append((target, token))
            break
        time.sleep(rng.uniform(0, 2 * args.think))
    out.append((latencies, acked, counts))


def _process(url: str, pms: list[int], own: dict[int, str], shared, args, queue) -> None:
    store = DraftStore(url, settings=None)
    stop = threading.Event()
    results: list = []
    threads = [
        threading.Thread(target=_pm, args=(store, pm, own[pm], shared, args, stop, results))
        for pm in pms
    ]
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    queue.put(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: a throwaway PostgreSQL)")
    parser.add_argument("--pms", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.05, help="mean pause between edits (s)")
    parser.add_argument("--shared", type=float, default=0.2, help="share of edits to team drafts")
    args = parser.parse_args()

    server = None
    url = args.database
    if not url:
        from tests.support.postgres import PostgresServer

        server = PostgresServer().start()
        url = server.create_database()
    try:
        return _run(url, args)
    finally:
        if server is not None:
            server.stop()


def _run(url: str, args: argparse.Namespace) -> int:
    setup = DraftStore(url)
    own = {}
    for pm in range(args.pms):
        draft = _new_draft(f"Service{pm}")
        setup.as_user(f"pm{pm}@example.com").save(draft)
        own[pm] = draft.id
    shared = []
    for n in range(SHARED_DRAFTS):
        draft = _new_draft(f"Team{n}")
        setup.save(draft)
        setup.share(draft.id, "*", can_edit=True)
        shared.append(draft.id)

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    groups = [list(range(args.pms))[i :: args.processes] for i in range(args.processes)]
    workers = [
        context.Process(target=_process, args=(url, group, own, shared, args, queue))
        for group in groups
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [item for _ in workers for item in queue.get(timeout=args.seconds + 120)]
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started

    latencies = sorted(x for r in results for x in r[0])
    acked: dict[str, set[str]] = {}
    for r in results:
        for draft_id, token in r[1]:
            acked.setdefault(draft_id, set()).add(token)
    counts = {
        k: sum(r[2][k] for r in results) for k in ("saves", "conflicts", "errors", "unhandled")
    }
    lost = extra = 0
    owners = {draft_id: f"pm{pm}@example.com" for pm, draft_id in own.items()}
    for draft_id in [*own.values(), *shared]:
        draft = setup.as_user(owners.get(draft_id, setup.user)).load(draft_id)
        stored = {t for s in draft.sections for t in TOKEN.findall(s.text)}
        lost += len(acked.get(draft_id, set()) - stored)
        extra += len(stored - acked.get(draft_id, set()))
    setup.engine.dispose()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    backend = url.split(":", 1)[0]
    print(
        f"store load: {args.pms} PMs in {args.processes} processes for {args.seconds:.0f} s "
        f"on {backend} ({platform.python_version()}, {os.cpu_count()} CPUs)"
    )
    print(f"  saves acknowledged : {counts['saves']:,} ({counts['saves'] / wall:.1f} saves/s)")
    if latencies:
        print(
            f"  save latency (load+save) p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, "
            f"p99 {pct(0.99):.1f} ms, max {latencies[-1] * 1000:.1f} ms"
        )
    print(f"  conflicts (told, reloaded, re-applied): {counts['conflicts']:,}")
    print(f"  store errors: {counts['errors']}, unhandled: {counts['unhandled']}")
    print(f"  lost edits: {lost}, edits stored but never acknowledged: {extra}")
    return 0 if lost == 0 and counts["unhandled"] == 0 and counts["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
