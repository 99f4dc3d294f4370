"""Draft a PRD from a short service description, one model call per template section.

Without a model (no OPENAI_API_KEY and no --base-url), or with --offline, it writes an
outline: each section's structure, the facts from the description and the open questions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from prd_assistant.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_model_arguments,
    fail,
    settings_from_args,
)

if TYPE_CHECKING:
    from prd_assistant.document import Draft
    from prd_assistant.drafting import Drafter
    from prd_assistant.events import SectionDone, SectionFailed, SectionRetrying, ServerWaiting

# Kept here, not imported from drafting, so `prd --help` and `prd review` start without
# loading langchain and openai.
DEFAULT_CONCURRENCY = 8
# Far above the 3,000-token description limit, which gives the precise message.
MAX_DESCRIPTION_FILE_BYTES = 1024 * 1024


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
        "--json", metavar="F", help="also write the whole draft as JSON (for --resume)"
    )
    parser.add_argument(
        "--resume", metavar="F", help="redraft only the failed or missing sections of a JSON draft"
    )
    parser.add_argument(
        "--concurrency",
        "-c",
        type=int,
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
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    add_model_arguments(parser)


def _read_description(args: argparse.Namespace) -> str:
    from prd_assistant.textfile import read_text_file

    if args.description_file:
        if args.description_file == "-":
            return sys.stdin.read()
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
    """Runs ``prd draft``; returns 0 when every section drafted, 1 if any failed, 2 on bad input."""
    from prd_assistant import llm
    from prd_assistant.description import DescriptionError
    from prd_assistant.drafting import Drafter
    from prd_assistant.events import (
        SectionDone,
        SectionFailed,
        SectionRetrying,
        ServerWaiting,
        apply_event,
    )
    from prd_assistant.prompts import PromptError
    from prd_assistant.template import TemplateError

    settings = settings_from_args(args)
    use_model = not args.offline and settings.is_configured
    model_name = settings.model if use_model else "outline"
    try:
        if args.resume:
            draft = _load_resume(Path(args.resume))
        else:
            if args.description and args.description_file:
                return fail(
                    "give the description as an argument or with --description-file, not both"
                )
            draft = _new_draft(args, settings.model)
        template = draft.template()
    except (DescriptionError, TemplateError, ValueError, OSError) as exc:
        return fail(str(exc))

    if args.dry_run:
        drafter = Drafter(template, None, model_name=settings.model)
        return _print_estimate(drafter, draft, settings.model)
    if not use_model and not args.offline and not args.quiet:
        print(
            "prd: no model configured (set OPENAI_API_KEY, or --base-url for a local server); "
            "writing an outline. Use --offline to skip this note.",
            file=sys.stderr,
        )
    try:
        # Drafting retries each section itself, so the client must not retry behind its back.
        model = llm.create_chat_model(settings, client_retries=0) if use_model else None
        server = llm.inspect_server(settings) if use_model else llm.ServerInfo()
        drafter = Drafter(
            template,
            model,
            model_name=model_name,
            concurrency=args.concurrency,
            retries=settings.max_retries,
            slots=server.slots,
        )
    except (PromptError, ValueError) as exc:
        return fail(str(exc))
    except llm.openai.OpenAIError as exc:
        return fail(llm.describe_error(exc), EXIT_FAILED)
    draft.model, draft.outline = model_name, model is None
    if args.clarify and model is not None:
        from prd_assistant.cli.clarify import ask_clarifying_questions

        draft.clarifications = ask_clarifying_questions(model, draft)

    keys = [s.key for s in draft.sections if s.status != "done"] if args.resume else None
    started = time.perf_counter()
    for event in drafter.stream(draft, keys):
        apply_event(draft, event, source="outline" if model is None else "draft")
        if args.quiet:
            continue
        if isinstance(event, SectionDone) or (
            isinstance(event, SectionFailed) and not event.skipped
        ):
            _progress(draft, event, done=isinstance(event, SectionDone))
        elif isinstance(event, SectionRetrying | ServerWaiting):
            print(f"  {_waiting_line(draft, event)}", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    return _finish(args, draft, elapsed)


def _load_resume(path: Path) -> Draft:
    from prd_assistant.document import Draft

    if not path.is_file():
        raise ValueError(f"Draft JSON not found: {path}")
    try:
        return Draft.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON (line {exc.lineno}).") from None


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


def _progress(draft: Draft, event: SectionDone | SectionFailed, done: bool) -> None:
    section = draft.section(event.key)
    if done and getattr(event, "truncated", False):
        line = f"  CUT    {section.heading.lstrip('# ')}  stopped at its length limit (kept, marked truncated)"
    elif done:
        usage = event.usage
        approx = "" if usage.exact else "~"
        line = f"  done   {section.heading.lstrip('# ')}  {event.seconds:5.1f} s  {approx}{usage.total_tokens:,} tokens"
    else:
        line = f"  FAILED {section.heading.lstrip('# ')}  {event.error}"
    print(line, file=sys.stderr, flush=True)


def _finish(args: argparse.Namespace, draft: Draft, elapsed: float) -> int:
    markdown = draft.to_markdown()
    if args.output:
        Path(args.output).write_text(markdown, encoding="utf-8")
    else:
        sys.stdout.write(markdown)
    json_path = args.json or args.resume
    if json_path:
        Path(json_path).write_text(
            json.dumps(draft.to_dict(), indent=2, ensure_ascii=False), "utf-8"
        )
    failed = draft.failed
    truncated = draft.truncated
    done = len(draft.sections) - len(failed) - len(truncated)
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
    if not failed and truncated:
        names = ", ".join(s.heading.lstrip("# ") for s in truncated)
        return fail(
            f"{len(truncated)} section(s) stopped at the model's length limit and may end "
            f"mid-sentence: {names}. Regenerate them, or use a model with more room.",
            EXIT_FAILED,
        )
    if not failed:
        return EXIT_OK
    reasons = {s.error for s in failed}
    if len(failed) == len(draft.sections) and len(reasons) == 1:
        return fail(reasons.pop(), EXIT_FAILED)
    if len(reasons) == 1 and len(failed) > 1:
        # One server-wide failure: say it once, then which sections it left undrafted.
        names = ", ".join(s.heading.lstrip("# ") for s in failed)
        hint = f" Resume with: prd draft --resume {json_path}" if json_path else ""
        return fail(f"{reasons.pop()} Not drafted: {names}.{hint}", EXIT_FAILED)
    names = ", ".join(s.heading.lstrip("# ") for s in failed)
    hint = (
        f" Retry them with: prd draft --resume {json_path}"
        if json_path
        else " Add --json F to be able to --resume."
    )
    return fail(f"{len(failed)} section(s) failed: {names}.{hint}", EXIT_FAILED)


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
