"""Command line: ``prd draft`` writes a PRD, ``prd review`` lints one, ``prd rules`` lists the rules."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from typing import NoReturn

from prd_assistant import __version__
from prd_assistant.cli import draft, export, push, review, rules, usage
from prd_assistant.cli.common import EXIT_FAILED, fail
from prd_assistant.redaction import error_text, get_logger

_LOG = get_logger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit 2), like every other ``prd`` error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# Each subcommand module has add_arguments(parser) and run(args); its docstring is its --help.
SUBCOMMANDS = (
    ("draft", draft, "draft a PRD from a short service description"),
    ("review", review, "flag open questions and unquantified claims in a PRD"),
    ("rules", rules, "list the review rules and show their docs"),
    ("usage", usage, "model tokens and cost per person or draft"),
    ("push", push, "preview, then push requirements to GitHub/Jira"),
    ("export", export, "Markdown for Notion/Confluence, Confluence HTML, DOCX"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="prd", description="Draft and review product requirements documents (PRDs)."
    )
    parser.add_argument("--version", action="version", version=f"prd-assistant {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module, summary in SUBCOMMANDS:
        sub = commands.add_parser(name, help=summary, description=module.__doc__)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
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
    except BrokenPipeError:
        # The reader (`| head`) has gone: what is left to print has no one to read it.
        _silence_stdout()
        return EXIT_FAILED
    except Exception as exc:
        # A bug, not a usage or model error (those are answered where they happen). Python's
        # own traceback would print the message raw, and it may hold a key or a URL with its
        # password: the trace goes through the redacting log, the reader gets one line.
        _LOG.error("prd %s stopped on an unexpected error", args.command, exc_info=exc)
        return fail(
            f"stopped on an unexpected error ({type(exc).__name__}: {error_text(exc)}); "
            "the trace above has the details",
            EXIT_FAILED,
        )


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def console_main() -> None:
    """``prd`` and ``python -m prd_assistant``: run, flush, and exit without interpreter teardown.

    Tearing down the ~1,400 modules that langchain and openai load takes most of a second;
    everything the command writes is closed or flushed by then, so the wait buys nothing.
    """
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            _silence_stdout()
            code = code or EXIT_FAILED
    os._exit(code)
