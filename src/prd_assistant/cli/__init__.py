"""Command line: ``prd draft`` writes a PRD, ``prd review`` lints one, ``prd rules`` lists the rules."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from prd_assistant import __version__
from prd_assistant.cli import draft, review, rules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prd", description="Draft and review product requirements documents (PRDs)."
    )
    parser.add_argument("--version", action="version", version=f"prd-assistant {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    draft_parser = commands.add_parser(
        "draft", help="draft a PRD from a short service description", description=draft.__doc__
    )
    draft.add_arguments(draft_parser)
    draft_parser.set_defaults(run=draft.run)
    review_parser = commands.add_parser(
        "review",
        help="flag open questions and unquantified claims in a PRD",
        description=review.__doc__,
    )
    review.add_arguments(review_parser)
    review_parser.set_defaults(run=review.run)
    rules_parser = commands.add_parser(
        "rules", help="list the review rules and show their docs", description=rules.__doc__
    )
    rules.add_arguments(rules_parser)
    rules_parser.set_defaults(run=rules.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``prd`` console script; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Streamed section text can hold any Unicode; never die on a narrow terminal encoding.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


def console_main() -> None:
    """``prd`` and ``python -m prd_assistant``: run, flush, and exit without interpreter teardown.

    Tearing down the ~1,400 modules that langchain and openai load takes most of a second;
    everything the command writes is closed or flushed by then, so the wait buys nothing.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
