"""Review a PRD: flag open questions, unquantified claims and traceability gaps.

Traceability: every use case (UC…) served by a functional requirement, acceptance criteria for
every MUST requirement that a tester can check, no dangling or duplicate IDs.

Several files may be given (as pre-commit does) with the text format. --baseline FILE fails
only on findings that are new since --write-baseline FILE; <!-- prd-review: disable=RULE -->
comments silence a rule for the next block (`prd rules` lists the rule ids).

Targets stated twice with different values (availability, latency, throughput, retention,
RPO/RTO, limits) are reported as contradictions; no model is needed. With --ai, also ask the
model for risks, open questions and quantified rewrites the draft lacks. Exit codes: 0 when no finding reaches
--fail-on, 1 when one does (or the --ai model call failed), 2 for a usage or file error.
"""

from __future__ import annotations

import argparse
import json
import sys

from prd_assistant.cli import gate
from prd_assistant.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_model_arguments,
    cli_message,
    fail,
    settings_from_args,
)
from prd_assistant.consistency.check import Contradiction, check_consistency
from prd_assistant.consistency.report import json_items, sarif_results, sarif_rules, text_lines
from prd_assistant.gate import BaselineError
from prd_assistant.redaction import redact
from prd_assistant.review import nlp, review
from prd_assistant.review.findings import SEVERITIES
from prd_assistant.review.report import fails, json_payload, render_text, sarif_log
from prd_assistant.textfile import TextFileError, read_text_file, read_text_stream
from prd_assistant.traceability import check_traceability

MAX_BYTES = 20 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``FILE``, ``--format`` and ``--fail-on`` to the ``review`` subcommand."""
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="+",
        help="the PRD(s) to review (Markdown or text; '-' = stdin)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="text (grouped by section), json or sarif (SARIF 2.1.0 for code scanning); default text",
    )
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="error",
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    parser.add_argument(
        "--ai",
        action="store_true",
        help="also check targets for contradictions and ask the model for risks, open questions "
        "and quantified rewrites (model settings as for prd draft)",
    )
    gate.add_arguments(parser)
    add_model_arguments(parser)


def read_document(name: str) -> str:
    """Reads a PRD as UTF-8 text from a file, or from stdin for ``-``.

    Raises:
        TextFileError: If the file is missing, a folder, binary, too large or not UTF-8.
    """
    if name == "-":
        return read_text_stream(sys.stdin.buffer, "stdin", max_bytes=MAX_BYTES)
    return read_text_file(name, max_bytes=MAX_BYTES)


def run(args: argparse.Namespace) -> int:
    """Reviews each of ``args.file`` and prints the findings; returns the worst exit code."""
    if len(args.file) > 1 and (args.format != "text" or args.ai):
        return fail("give one FILE with --format json/sarif or --ai (or review files one by one)")
    try:
        checks = gate.Gate.from_args(args)
    except BaselineError as exc:
        return fail(str(exc))
    code = max(_run_one(args, name, checks) for name in args.file)
    checks.finish(args)
    warning = nlp.load_warning()
    if warning:
        # Once per run, not per file: the pipeline is loaded (or not) once per process.
        print(f"prd: warning: {warning}", file=sys.stderr)
    return code


def _run_one(args: argparse.Namespace, name: str, checks: gate.Gate) -> int:
    try:
        text = read_document(name)
    except TextFileError as exc:
        return fail(str(exc))
    label = "stdin" if name == "-" else name
    # Contradictions go through suppressions and the baseline like every other finding.
    kept = checks.filter(
        label, text, [*review(text), *check_traceability(text), *check_consistency(text)]
    )
    findings = [f for f in kept if not isinstance(f, Contradiction)]
    contradictions = [f for f in kept if isinstance(f, Contradiction)]
    if args.write_baseline:
        return EXIT_OK
    ai = None
    if args.ai:
        # Loaded only for --ai, so plain linting starts without langchain and openai.
        from prd_assistant import usage_meter
        from prd_assistant.assist import ai_review
        from prd_assistant.cli.ledger import Ledger

        settings = settings_from_args(args)
        # Booked for `prd usage` as it is made; a reviewed file is no draft of the database.
        book = Ledger().for_draft("", settings.model)
        with usage_meter.booking(usage_meter.AI_REVIEW, book):
            ai = ai_review(text, findings, settings)
        if ai.error:
            ai.error = cli_message(ai.error)
        shown = set(contradictions)
        ai.contradictions = [c for c in ai.contradictions if c in shown]
        contradictions = ai.contradictions
    if args.format == "json":
        payload = json_payload(findings)
        warning = nlp.load_warning()
        payload["warnings"] = [warning] if warning else []
        payload.update(ai.to_dict() if ai else {"contradictions": json_items(contradictions)})
        output = json.dumps(payload, indent=2, ensure_ascii=False)
    elif args.format == "sarif":
        log = sarif_log(findings, label)
        if ai:
            _extend_sarif(log, ai.sarif_rules(), ai.sarif_results(label, text))
        else:
            _extend_sarif(log, sarif_rules(contradictions), sarif_results(contradictions, label))
        output = json.dumps(log, indent=2, ensure_ascii=False)
    else:
        output = render_text(findings, label)
        if ai:
            output += "\n\n" + "\n".join(ai.text_lines(label))
        elif contradictions:
            output += "\n\n" + "\n".join(text_lines(contradictions, label))
    # Model suggestions are model output: a key the server echoed must not be printed.
    print(redact(output) if ai else output)
    if ai and ai.error:
        said = ai.error.lower().startswith("the ai review failed")
        return fail(ai.error if said else f"the AI review failed: {ai.error}", EXIT_FAILED)
    flagged = [*findings, *contradictions]
    return EXIT_FAILED if fails(flagged, args.fail_on) else EXIT_OK


def _extend_sarif(log: dict, rules: list[dict], results: list[dict]) -> None:
    """Adds results to the run, and their rules unless the driver already lists them."""
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    driver["rules"] = driver.get("rules", [])
    index = {rule["id"]: i for i, rule in enumerate(driver["rules"])}
    for rule in rules:
        if rule["id"] not in index:
            index[rule["id"]] = len(driver["rules"])
            driver["rules"].append(rule)
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    run["results"] += results
