"""Show model tokens and estimated cost per person or per draft, from the draft database.

Every model call is booked once: the sections the model wrote, to the user whose save in the
app brought them in; every other call (retried or cancelled tries, the suggestions pass, the
AI review, clarifying questions, connection tests, and everything `prd draft` and
`prd review --ai` ask a model) to the user who made it, as it is made. The database is the
app's: PRD_DATABASE_URL, else PRD_DB_PATH, else the per-user SQLite file (or --database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from prd_assistant.cli.common import EXIT_FAILED, EXIT_OK, fail, positive_int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by", choices=("user", "draft"), default="user", help="group by person (default) or draft"
    )
    parser.add_argument("--days", type=positive_int, help="only the last N days")
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy URL of the draft database")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON instead of a table; each row has the user or draft (and title), calls, "
        "unpriced_calls, prompt_tokens, completion_tokens, total_tokens and cost_usd "
        "(sections, unpriced_sections: deprecated aliases of calls, unpriced_calls, removed "
        "in the next release)",
    )


def run(args: argparse.Namespace) -> int:
    from prd_assistant.store import DraftStore, StoreError, default_url
    from prd_assistant.store.usage import usage_totals

    url = args.database or default_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return fail(
            f"No draft database at {url.removeprefix('sqlite:///')}; set PRD_DATABASE_URL or "
            "PRD_DB_PATH to the app's database, or pass --database.",
            EXIT_FAILED,
        )
    since = time.time() - args.days * 86400 if args.days else None
    try:
        store = DraftStore(url)
        totals = usage_totals(store, by=args.by, since=since)
    except StoreError as exc:
        return fail(str(exc), EXIT_FAILED)
    if args.json:
        rows = [
            {
                args.by: t.key,
                **({"title": t.label} if args.by == "draft" else {}),
                "calls": t.calls,
                "prompt_tokens": t.prompt_tokens,
                "completion_tokens": t.completion_tokens,
                "total_tokens": t.total_tokens,
                "cost_usd": round(t.cost_usd, 6),
                "unpriced_calls": t.unpriced,
                # The old names, from when only drafted sections were booked; they count calls
                # now. Kept for one release so scripts reading them keep working.
                "sections": t.calls,
                "unpriced_sections": t.unpriced,
            }
            for t in totals
        ]
        print(json.dumps({"by": args.by, "since": _day(since), "rows": rows}, indent=2))
        return EXIT_OK
    period = f" since {_day(since)}" if since else ""
    if not totals:
        print(f"No model usage recorded{period}.")
        return EXIT_OK
    name = "User" if args.by == "user" else "Draft"
    width = max(len(name), *(len(_label(t.label)) for t in totals))
    print(f"Model usage by {args.by}{period} (cost is an estimate from list prices)")
    print(f"{name:<{width}}  {'Calls':>8}  {'Prompt':>11}  {'Completion':>11}  {'Cost':>10}")
    for t in totals:
        note = f"  ({t.unpriced} unpriced)" if t.unpriced else ""
        print(
            f"{_label(t.label):<{width}}  {t.calls:>8,}  {t.prompt_tokens:>11,}  "
            f"{t.completion_tokens:>11,}  {_money(t.cost_usd):>10}{note}"
        )
    print(
        f"{'Total':<{width}}  {sum(t.calls for t in totals):>8,}  "
        f"{sum(t.prompt_tokens for t in totals):>11,}  "
        f"{sum(t.completion_tokens for t in totals):>11,}  "
        f"{_money(sum(t.cost_usd for t in totals)):>10}"
    )
    return EXIT_OK


def _money(amount: float) -> str:
    return f"${amount:.4f}"


def _label(text: str) -> str:
    return text if len(text) <= 48 else text[:47] + "…"


def _day(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")
