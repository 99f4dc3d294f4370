"""List the rules ``prd review`` reports, show one rule's docs page, or write every page.

``prd rules`` prints one line per rule; ``prd rules vague-speed`` prints its page;
``prd rules --docs docs/rules`` writes ``<id>.md`` for each rule plus an ``index.md``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from prd_assistant.cli.common import EXIT_OK, fail
from prd_assistant.gate.catalog import all_rules, docs_page, find, index_page


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``RULE``, ``--format`` and ``--docs``."""
    parser.add_argument("rule", metavar="RULE", nargs="?", help="show this rule's docs page")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    parser.add_argument(
        "--docs", metavar="DIR", help="write a Markdown page per rule and an index.md into DIR"
    )


def run(args: argparse.Namespace) -> int:
    """Prints the rule list or one rule's page, or writes the docs; returns the exit code."""
    if args.docs:
        folder = Path(args.docs)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for rule in all_rules():
                (folder / f"{rule.id}.md").write_text(docs_page(rule), encoding="utf-8")
            (folder / "index.md").write_text(index_page(), encoding="utf-8")
        except OSError as exc:
            return fail(f"cannot write the rule docs to {folder}: {exc.strerror or exc}")
        print(f"Wrote {len(all_rules())} rule pages and index.md to {folder}.")
        return EXIT_OK
    if args.rule:
        rule = find(args.rule)
        if rule is None:
            return fail(f"no rule '{args.rule}'; `prd rules` lists them")
        print(json.dumps(rule.__dict__, indent=2) if args.format == "json" else docs_page(rule))
        return EXIT_OK
    if args.format == "json":
        print(json.dumps([r.__dict__ for r in all_rules()], indent=2, ensure_ascii=False))
        return EXIT_OK
    width = max(len(r.id) for r in all_rules())
    for rule in all_rules():
        print(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.category}")
    print(f"\n{len(all_rules())} rules. `prd rules RULE` shows what one flags and how to fix it.")
    return EXIT_OK
