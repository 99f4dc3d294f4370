"""Draft a PRD from a short service description, one model call per template section.

Without a model (no OPENAI_API_KEY and no --base-url), or with --offline, it writes an
outline: each section's structure, the facts from the description and the open questions.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from prd_assistant.cli.checkpoint import (
    Checkpoint,
    Interrupted,
    default_checkpoint_path,
    interrupts_raised,
    signals_held,
)
from prd_assistant.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_model_arguments,
    cli_message,
    fail,
    positive_int,
    settings_from_args,
    stored_base_url,
)
from prd_assistant.redaction import error_text, get_logger
from prd_assistant.textfile import SaveError, check_writable, write_text_atomic

if TYPE_CHECKING:
    from prd_assistant.document import Draft
    from prd_assistant.drafting import Drafter
    from prd_assistant.events import SectionDone, SectionFailed, SectionRetrying, ServerWaiting
    from prd_assistant.template import Template
    from prd_assistant.usage_meter import Book

_LOG = get_logger(__name__)
# Kept here, not imported from drafting, so `prd --help` and `prd review` start without
# loading langchain and openai.
DEFAULT_CONCURRENCY = 8
# Far above the 3,000-token description limit, which gives the precise message.
MAX_DESCRIPTION_FILE_BYTES = 1024 * 1024
# A 2,000-section draft with its versions stays far below this.
MAX_DRAFT_JSON_BYTES = 64 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "description", nargs="?", help="the service description (or use --description-file)"
    )
    parser.add_argument(
        "--description-file", "-f", metavar="F", help="read the description from F ('-' = stdin)"
    )
    parser.add_argument(
        "--context", default="", help="extra context: audience, constraints, known numbers"
    )
    parser.add_argument(
        "--template",
        "-t",
        metavar="F",
        help="Markdown template (default: the built-in PRD template)",
    )
    parser.add_argument(
        "--output", "-o", metavar="F", help="write the Markdown here (default: stdout)"
    )
    parser.add_argument(
        "--json",
        metavar="F",
        help="save the whole draft as JSON here, after every section (for --resume; default "
        "for model drafts: beside -o as NAME.draft.json, else in "
        "$XDG_STATE_HOME/prd-assistant/drafts/)",
    )
    parser.add_argument(
        "--resume",
        metavar="F",
        help="finish a JSON draft: redraft its failed or missing sections with the model and "
        "server it was drafted with",
    )
    parser.add_argument(
        "--concurrency",
        "-c",
        type=positive_int,
        default=DEFAULT_CONCURRENCY,
        help=f"sections drafted at once ({DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--offline", action="store_true", help="write an outline without calling a model"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print estimated tokens and cost; call no model"
    )
    parser.add_argument(
        "--clarify", action="store_true", help="answer up to 5 clarifying questions first"
    )
    parser.add_argument(
        "--acceptance-style",
        choices=("given-when-then", "ears"),
        default="given-when-then",
        help="how requirements state acceptance criteria: Given/When/Then (default) or EARS",
    )
    parser.add_argument(
        "--answers",
        metavar="F",
        help="answers for --clarify: one per line, or a JSON list ('-' = stdin; "
        "piped stdin is read the same way)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    add_model_arguments(parser)


def _read_description(args: argparse.Namespace) -> str:
    from prd_assistant.textfile import read_text_file, read_text_stream

    if args.description_file:
        if args.description_file == "-":
            return read_text_stream(sys.stdin.buffer, "stdin", max_bytes=MAX_DESCRIPTION_FILE_BYTES)
        return read_text_file(args.description_file, max_bytes=MAX_DESCRIPTION_FILE_BYTES)
    return args.description or ""


def _new_draft(args: argparse.Namespace, model_name: str) -> Draft:
    from prd_assistant.description import check_description
    from prd_assistant.document import Draft
    from prd_assistant.facts import service_name
    from prd_assistant.template import load_template

    description = check_description(_read_description(args), model_name)
    template = load_template(args.template)
    draft = Draft.from_template(template, description, service_name(description), args.context)
    draft.acceptance_style = args.acceptance_style
    return draft


def run(args: argparse.Namespace) -> int:
    """Runs ``prd draft``; returns 0 when every section drafted, 1 if any failed, 2 on bad input.

    Interrupted by SIGINT or SIGTERM, it books the replies it cut off for ``prd usage``,
    saves the draft JSON, prints the resume command and returns 130 or 143.
    """
    from prd_assistant import llm, model_server, usage_meter
    from prd_assistant.cli.ledger import Ledger
    from prd_assistant.description import DescriptionError
    from prd_assistant.drafting import Drafter
    from prd_assistant.prompts import PromptError
    from prd_assistant.template import TemplateError

    if args.answers and not args.clarify:
        return fail("--answers goes with --clarify; add --clarify or leave --answers out")
    try:
        if args.resume:
            draft = _load_resume(Path(args.resume))
            settings = settings_from_args(args, saved=(draft.model, draft.base_url))
        else:
            if args.description and args.description_file:
                return fail(
                    "give the description as an argument or with --description-file, not both"
                )
            settings = settings_from_args(args)
            draft = _new_draft(args, settings.model)
        template = draft.template()
        _check_keys(draft, template)
    except (DescriptionError, TemplateError, ValueError, OSError) as exc:
        return fail(str(exc))

    use_model = not args.offline and settings.is_configured
    model_name = settings.model if use_model else "outline"
    if args.dry_run:
        drafter = Drafter(template, None, model_name=settings.model)
        return _print_estimate(drafter, draft, settings.model)
    if args.resume and not use_model and not args.offline and not draft.outline:
        return fail(
            f"this draft was written by {draft.model or 'a model'}; set OPENAI_API_KEY or give "
            "--base-url to redraft its unfinished sections, or add --offline to fill them "
            "with outline text."
        )
    json_path = _json_path(args, draft, use_model)
    try:
        _check_output_paths(args, json_path)
    except OSError as exc:
        return fail(str(exc))
    if not use_model and not args.offline and not args.quiet:
        print(
            "prd: no model configured (set OPENAI_API_KEY, or --base-url for a local server); "
            "writing an outline. Use --offline to skip this note.",
            file=sys.stderr,
        )
    try:
        # Drafting retries each section itself, so the client must not retry behind its back.
        model = llm.create_chat_model(settings, client_retries=0) if use_model else None
        server = model_server.inspect_server(settings) if use_model else model_server.ServerInfo()
        # Every call is booked for `prd usage` as it is made: the CLI saves no draft there.
        book = Ledger().for_draft(draft.id, model_name) if model is not None else None
        drafter = Drafter(
            template,
            model,
            model_name=model_name,
            concurrency=args.concurrency,
            retries=settings.max_retries,
            slots=server.slots,
            on_spent=book,
        )
    except (PromptError, ValueError) as exc:
        return fail(str(exc))
    except llm.openai.OpenAIError as exc:
        return fail(llm.describe_error(exc), EXIT_FAILED)
    if model is not None:
        draft.model, draft.base_url = model_name, stored_base_url(settings)
    if not args.resume:
        draft.outline = model is None
    if json_path and not args.quiet and not args.json and not args.resume:
        print(f"prd: saving progress to {json_path}", file=sys.stderr)
    if args.clarify and model is not None:
        from prd_assistant.cli.clarify import ask_clarifying_questions, read_answers

        try:
            answers = read_answers(args.answers) if args.answers else None
        except ValueError as exc:
            return fail(str(exc))
        with usage_meter.booking(usage_meter.CLARIFYING_QUESTIONS, book):
            draft.clarifications = ask_clarifying_questions(
                model, draft, answers, retries=settings.max_retries
            )

    keys = [s.key for s in draft.sections if s.status != "done"] if args.resume else None
    default_path = not args.json and not args.resume
    checkpoint = Checkpoint(json_path, only_with_work=default_path) if json_path else None
    started = time.perf_counter()
    try:
        with interrupts_raised():
            drafted = _draft(args, drafter, draft, keys, checkpoint, model is None, book)
    except (Interrupted, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        return _interrupted(args, draft, checkpoint, Interrupted(signum))
    except Exception as exc:  # a bug, not a model error (the engine reports those per section)
        drafted = _stopped(draft, keys, exc)
    return _finish(args, draft, checkpoint, drafted, time.perf_counter() - started)


def _stopped(draft: Draft, keys: list[str] | None, error: Exception) -> int:
    """Drafting stopped on an unexpected error: the sections it did not finish are failed
    with what stopped it, so the run ends like one with failed sections (the JSON and the
    Markdown of what was written, and how to resume). Returns how many sections it drafted.

    As in the app, the trace goes to the log and the message is redacted.
    """
    from prd_assistant.document import SectionStatus
    from prd_assistant.events import SectionFailed, apply_event

    _LOG.error("Drafting stopped on an unexpected error", exc_info=error)
    message = (
        f"Drafting stopped on an unexpected error ({error_text(error)}) before this section "
        "was written; resume to retry it (the log above has the details)."
    )
    finished = (SectionStatus.DONE, SectionStatus.TRUNCATED)
    drafted = 0
    for section in draft.sections:
        if keys is not None and section.key not in keys:
            continue
        if section.status in finished:
            drafted += 1
        else:
            apply_event(draft, SectionFailed(section.key, message, 0.0))
    return drafted


def _draft(
    args: argparse.Namespace,
    drafter: Drafter,
    draft: Draft,
    keys: list[str] | None,
    checkpoint: Checkpoint | None,
    outline: bool,
    book: Book | None,
) -> int:
    """Streams the sections into ``draft``, saving after each; returns how many were drafted.

    ``book`` books each drafted section's call as it arrives (None: nothing is booked).
    """
    from prd_assistant import usage_meter
    from prd_assistant.events import (
        SectionDone,
        SectionFailed,
        SectionRetrying,
        ServerWaiting,
        apply_event,
    )

    drafted = 0
    # Closed as soon as a signal or an error ends the loop, not whenever the garbage collector
    # gets to it: closing books the calls still open, and the process exits right after.
    with contextlib.closing(drafter.stream(draft, keys)) as events:
        for event in events:
            if isinstance(event, SectionDone):
                # First: the run handed this call on to be booked here; a signal may come next.
                usage_meter.deliver(book, event.key, event.usage)
            apply_event(draft, event, source="outline" if outline else "draft")
            if isinstance(event, SectionDone | SectionFailed):
                drafted += isinstance(event, SectionDone)
                if checkpoint is not None:
                    checkpoint.section_finished(draft)
            elif checkpoint is not None:
                checkpoint.save_if_due(draft)
            if args.quiet:
                continue
            if isinstance(event, SectionDone) or (
                isinstance(event, SectionFailed) and not event.skipped
            ):
                _progress(draft, event)
            elif isinstance(event, SectionRetrying | ServerWaiting):
                print(f"  {_waiting_line(draft, event)}", file=sys.stderr, flush=True)
    return drafted


def _check_keys(draft: Draft, template: Template) -> None:
    known = {s.key for s in template.sections}
    unknown = [s.key for s in draft.sections if s.key not in known]
    if unknown:
        raise ValueError(
            f"This draft JSON is damaged: section '{unknown[0]}' is not in its template."
        )


def _json_path(args: argparse.Namespace, draft: Draft, use_model: bool) -> Path | None:
    """Where the JSON goes: --json, else the resumed file, else a default for model drafts."""
    if args.json or args.resume:
        return Path(args.json or args.resume)
    if use_model:
        return default_checkpoint_path(args.output, draft.id)
    return None


def _check_output_paths(args: argparse.Namespace, json_path: Path | None) -> None:
    """Fails before any model call when an output cannot be written."""
    if args.output:
        check_writable(args.output, "-o")
    if json_path is not None:
        if not args.json and not args.resume:
            _check_default_folder(json_path.parent)
        check_writable(json_path, "--json" if args.json else "the draft JSON")
        if args.output and Path(args.output).resolve() == json_path.resolve():
            raise SaveError("-o and --json name the same file; give them different names.")


def _check_default_folder(folder: Path) -> None:
    """The state folder for default checkpoints is created on first use."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SaveError(
            f"cannot create {folder} to save the draft ({exc.strerror or exc}); give --json F."
        ) from None


def _load_resume(path: Path) -> Draft:
    from prd_assistant.document import Draft
    from prd_assistant.textfile import TextFileError, read_text_file

    try:
        text = read_text_file(path, max_bytes=MAX_DRAFT_JSON_BYTES)
    except TextFileError as exc:
        raise ValueError(f"Draft JSON {exc}") from None
    try:
        return Draft.from_dict(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON (line {exc.lineno}).") from None
    except RecursionError:
        raise ValueError(f"{path} is not a PRD Assistant draft (nested too deeply).") from None


def _waiting_line(draft: Draft, event: SectionRetrying | ServerWaiting) -> str:
    """What the run is waiting on: a retry after a failed call, or a silent server."""
    from prd_assistant.events import SectionRetrying

    if isinstance(event, SectionRetrying):
        title = draft.section(event.key).heading.lstrip("# ")
        return f"retry  {title}  ({event.reason}; try {event.attempt} in {event.wait:.1f} s)"
    limit = f", giving up at {event.give_up_after:.0f} s" if event.give_up_after else ""
    return (
        f"waiting for the model server: nothing received for {event.seconds:.0f} s "
        f"({event.in_flight} call(s) open{limit})"
    )


def _progress(draft: Draft, event: SectionDone | SectionFailed) -> None:
    from prd_assistant.events import SectionDone

    name = draft.section(event.key).heading.lstrip("# ")
    if isinstance(event, SectionDone) and event.truncated:
        line = f"  CUT    {name}  stopped at its length limit (kept, marked truncated)"
    elif isinstance(event, SectionDone):
        usage = event.usage
        approx = "" if usage.exact else "~"
        line = f"  done   {name}  {event.seconds:5.1f} s  {approx}{usage.total_tokens:,} tokens"
    else:
        line = f"  FAILED {name}  {cli_message(event.error)}"
    print(line, file=sys.stderr, flush=True)


def _interrupted(
    args: argparse.Namespace, draft: Draft, checkpoint: Checkpoint | None, stop: Interrupted
) -> int:
    from prd_assistant.document import SectionStatus

    for section in draft.sections:
        if section.status == SectionStatus.WRITING:
            section.status = SectionStatus.WAITING
    done = sum(s.status == SectionStatus.DONE for s in draft.sections)
    total = len(draft.sections)
    if checkpoint is None or (checkpoint.save(draft) and not checkpoint.exists):
        print(f"prd: interrupted ({stop}); no section was finished.", file=sys.stderr)
    elif checkpoint.error is None:
        print(
            f"prd: interrupted ({stop}); {done}/{total} sections saved in {checkpoint.path}. "
            f"Finish with: {_resume_command(args, checkpoint.path)}",
            file=sys.stderr,
        )
    else:
        print(f"prd: interrupted ({stop}); the draft could not be saved.", file=sys.stderr)
    return stop.exit_code


def _resume_command(args: argparse.Namespace, json_path: Path) -> str:
    command = f"prd draft --resume {shlex.quote(str(json_path))}"
    if args.output:
        command += f" -o {shlex.quote(args.output)}"
    return command


def _finish(
    args: argparse.Namespace,
    draft: Draft,
    checkpoint: Checkpoint | None,
    drafted: int,
    elapsed: float,
) -> int:
    """Saves the JSON first, then the Markdown; reports what was drafted and what failed."""
    failed = draft.failed
    truncated = draft.truncated
    done = len(draft.sections) - len(failed) - len(truncated)
    saved = checkpoint is None or checkpoint.save(draft)
    attempted_any = drafted > 0 or not failed
    markdown_error = _write_markdown(args, draft) if attempted_any else None
    usage = draft.usage
    if not args.quiet:
        cost = f", ${usage.cost_usd:.4f}" if usage.cost_usd else ""
        approx = "" if usage.exact else "~"
        print(
            f"prd: drafted {done}/{len(draft.sections)} sections in {elapsed:.1f} s, "
            f"{approx}{usage.total_tokens:,} tokens{cost}"
            + (" (outline)" if draft.outline else "")
            + (f", {len(truncated)} truncated" if truncated else ""),
            file=sys.stderr,
        )
    if markdown_error:
        return _markdown_failed(args, draft, checkpoint, saved, markdown_error)
    if not saved and checkpoint is not None:
        return fail(f"{checkpoint.error} The Markdown was written.", EXIT_FAILED)
    resume = (
        _resume_command(args, checkpoint.path)
        if checkpoint is not None and checkpoint.exists
        else ""
    )
    if not failed and truncated:
        names = ", ".join(s.heading.lstrip("# ") for s in truncated)
        again = f" Redraft them with: {resume}" if resume else ""
        return fail(
            f"{len(truncated)} section(s) stopped at the model's length limit and may end "
            f"mid-sentence: {names}.{again} Or use a model with more room.",
            EXIT_FAILED,
        )
    if not failed:
        return EXIT_OK
    kept = ""
    if not attempted_any and args.output and Path(args.output).exists():
        kept = f" {args.output} was left as it was."
    reasons = {cli_message(s.error or "") for s in failed}
    names = ", ".join(s.heading.lstrip("# ") for s in failed)
    hint = f" Resume with: {resume}" if resume else ""
    if len(reasons) == 1 and len(failed) == len(draft.sections):
        return fail(reasons.pop() + kept, EXIT_FAILED)
    if len(reasons) == 1 and len(failed) > 1:
        # One server-wide failure: say it once, then which sections it left undrafted.
        return fail(f"{reasons.pop()} Not drafted: {names}.{kept}{hint}", EXIT_FAILED)
    hint = f" Retry them with: {resume}" if resume else " Add --json F to be able to --resume."
    return fail(f"{len(failed)} section(s) failed: {names}.{kept}{hint}", EXIT_FAILED)


def _write_markdown(args: argparse.Namespace, draft: Draft) -> str | None:
    """Writes the Markdown to -o (atomically) or stdout; returns the error, if any."""
    markdown = draft.to_markdown()
    if not args.output:
        sys.stdout.write(markdown)
        return None
    try:
        with signals_held():
            write_text_atomic(args.output, markdown)
    except SaveError as exc:
        return str(exc)
    return None


def _markdown_failed(
    args: argparse.Namespace,
    draft: Draft,
    checkpoint: Checkpoint | None,
    saved: bool,
    error: str,
) -> int:
    if checkpoint is not None and saved:
        return fail(
            f"{error} The draft is safe in {checkpoint.path}; write the Markdown elsewhere "
            f"with: prd draft --resume {shlex.quote(str(checkpoint.path))} -o OTHER.md",
            EXIT_FAILED,
        )
    # Nothing could be saved: the terminal is the last place the work can go.
    sys.stdout.write(draft.to_markdown())
    return fail(f"{error} Nothing was saved; the draft was printed to stdout.", EXIT_FAILED)


def _print_estimate(drafter: Drafter, draft: Draft, model: str) -> int:
    from prd_assistant import tokens

    estimate = drafter.estimate(draft)
    exact = tokens.counting_is_exact(model)
    print(f"Estimate for {len(estimate)} sections with {model} (no model is called):")
    total_prompt = total_completion = 0
    total_cost: float | None = 0.0
    for key, usage in estimate.items():
        heading = draft.section(key).heading.lstrip("# ")
        print(
            f"  {heading:<40} prompt {usage.prompt_tokens:>6,}  completion ~{usage.completion_tokens:>5,}"
        )
        total_prompt += usage.prompt_tokens
        total_completion += usage.completion_tokens
        total_cost = (
            None if usage.cost_usd is None or total_cost is None else total_cost + usage.cost_usd
        )
    note = "" if exact else " (token counts are estimates for this model)"
    print(f"Total: {total_prompt:,} prompt + ~{total_completion:,} completion tokens{note}")
    print(
        f"Estimated cost: ${total_cost:.4f}"
        if total_cost is not None
        else f"Estimated cost: unknown (no price for {model})"
    )
    return EXIT_OK
