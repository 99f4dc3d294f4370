"""What ``prd draft`` and ``prd review --ai`` share: model options and error output."""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from prd_assistant.redaction import redact, redact_url, strip_credentials

if TYPE_CHECKING:
    from prd_assistant.llm import ModelSettings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
OPENAI_HOST = "api.openai.com"


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected seconds above 0 (e.g. 60), got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: a whole number of zero or more."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {text!r}")
    return int(text)


def positive_int(text: str) -> int:
    """argparse type: a whole number of one or more."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return int(text)


def server_url(text: str) -> str:
    """argparse type: an http(s) URL with a host; credentials in it are never echoed back."""
    from urllib.parse import urlsplit

    value = text.strip()
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        shown = redact_url(value) if "@" in value else value
        raise argparse.ArgumentTypeError(
            f"expected a URL starting with http:// or https://, such as "
            f"http://localhost:11434/v1; got {shown!r}"
        )
    return value


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds --model, --base-url, --temperature, --timeout and --retries.

    The API key is read from OPENAI_API_KEY only, never from the command line, so it stays
    out of shell history and process lists.
    """
    group = parser.add_argument_group("model (API key from OPENAI_API_KEY)")
    group.add_argument("--model", help="model name (default: $PRD_MODEL or gpt-4o-mini)")
    group.add_argument(
        "--base-url",
        type=server_url,
        help="OpenAI-compatible server, e.g. http://localhost:11434/v1 (default: $OPENAI_BASE_URL or OpenAI)",
    )
    group.add_argument("--temperature", type=float, default=0.2, help="sampling temperature (0.2)")
    group.add_argument(
        "--timeout",
        type=positive_seconds,
        default=300.0,
        help="most seconds one model call may take (300); a silent server is given up sooner",
    )
    group.add_argument(
        "--retries",
        type=non_negative_int,
        default=3,
        help="retries on 429/5xx/connection errors (3)",
    )


def settings_from_args(
    args: argparse.Namespace, saved: tuple[str, str] | None = None
) -> ModelSettings:
    """Model settings from the options, then (for --resume) the draft's own, then the environment.

    Args:
        args: Parsed options.
        saved: ``(model, base_url)`` stored in a draft being resumed; it is finished with the
            model and server that wrote it unless an option says otherwise.
    """
    from prd_assistant.llm import ModelSettings  # loads openai: only when a model is needed

    model, base_url = args.model, args.base_url
    if saved is not None:
        saved_model, saved_url = saved
        if not model and saved_model and saved_model != "outline":
            model = saved_model
        # OpenAI is the default server: a stored OpenAI URL must not count as "configured".
        if not base_url and saved_url and OPENAI_HOST not in saved_url:
            base_url = saved_url
    return ModelSettings.from_env(
        model=model,
        base_url=base_url,
        temperature=args.temperature,
        timeout=args.timeout,
        max_retries=args.retries,
    )


def stored_base_url(settings: ModelSettings) -> str:
    """The server URL to save with a draft: never credentials."""
    from prd_assistant.llm import OPENAI_BASE_URL

    return strip_credentials(settings.base_url or OPENAI_BASE_URL)


def cli_message(message: str) -> str:
    """A model-layer message as the CLI prints it (the model layer words it for both front
    ends; this only makes sure no key slips through)."""
    return redact(message)


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Prints one clear line to stderr and returns ``code``."""
    print(f"prd: error: {cli_message(message)}", file=sys.stderr)
    return code
