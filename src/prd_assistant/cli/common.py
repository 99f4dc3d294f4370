"""What ``prd draft`` and ``prd review --ai`` share: model options and error output."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prd_assistant.llm import ModelSettings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds --model, --base-url, --temperature, --timeout and --retries.

    The API key is read from OPENAI_API_KEY only, never from the command line, so it stays
    out of shell history and process lists.
    """
    group = parser.add_argument_group("model (API key from OPENAI_API_KEY)")
    group.add_argument("--model", help="model name (default: $PRD_MODEL or gpt-4o-mini)")
    group.add_argument(
        "--base-url",
        help="OpenAI-compatible server, e.g. http://localhost:11434/v1 (default: $OPENAI_BASE_URL or OpenAI)",
    )
    group.add_argument("--temperature", type=float, default=0.2, help="sampling temperature (0.2)")
    group.add_argument("--timeout", type=float, default=60.0, help="seconds per model call (60)")
    group.add_argument(
        "--retries", type=int, default=3, help="retries on 429/5xx/connection errors (3)"
    )


def settings_from_args(args: argparse.Namespace) -> ModelSettings:
    """Model settings from the options, falling back to the environment."""
    from prd_assistant.llm import ModelSettings  # loads openai: only when a model is needed

    return ModelSettings.from_env(
        model=args.model,
        base_url=args.base_url,
        temperature=args.temperature,
        timeout=args.timeout,
        max_retries=args.retries,
    )


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Prints one clear line to stderr and returns ``code``."""
    print(f"prd: error: {message}", file=sys.stderr)
    return code
