"""``prd review``'s CI-gate options: inline suppressions, ``--baseline`` and ``--write-baseline``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import TypeVar

from prd_assistant.gate import Baseline, apply_suppressions
from prd_assistant.gate.baseline import Fingerprinted
from prd_assistant.gate.catalog import is_known

T = TypeVar("T", bound=Fingerprinted)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``--baseline`` and ``--write-baseline``."""
    group = parser.add_argument_group("CI gate")
    group.add_argument(
        "--baseline",
        metavar="FILE",
        help="report and fail only on findings that are not in this baseline (matched by rule, "
        "section and text, not line)",
    )
    group.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="accept every current finding: write them to FILE and exit 0",
    )


@dataclass
class Gate:
    """Baseline state across the files of one ``prd review`` run."""

    baseline: Baseline | None
    writing: Baseline | None
    accepted: int = 0
    fixed: int = 0
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Gate:
        """Loads ``--baseline`` (raises :class:`~prd_assistant.gate.BaselineError`)."""
        baseline = Baseline.load(args.baseline) if args.baseline else None
        return cls(baseline, Baseline() if args.write_baseline else None)

    def filter(self, path: str, text: str, findings: list[T]) -> list[T]:
        """Suppressed findings out, suppression reports in, baselined findings out."""
        kept, reports = apply_suppressions(text, findings, known_rules=is_known)
        merged = sorted([*kept, *reports], key=lambda f: (f.start, f.end))  # type: ignore[attr-defined]
        if self.writing is not None:
            self.writing.add(path, merged)
        if self.baseline is None:
            return merged
        new, accepted, fixed = self.baseline.split(path, merged)
        self.accepted += len(accepted)
        self.fixed += fixed
        return new

    def finish(self, args: argparse.Namespace) -> None:
        """Writes ``--write-baseline`` and tells stderr what the baseline hid."""
        if self.writing is not None:
            self.writing.write(args.write_baseline)
            print(
                f"prd: wrote {len(self.writing.entries)} accepted finding(s) to "
                f"{args.write_baseline}; use --baseline {args.write_baseline} in CI.",
                file=sys.stderr,
            )
        if self.baseline is not None and (self.accepted or self.fixed):
            fixed = (
                f"; {self.fixed} baselined finding(s) are gone (refresh with --write-baseline)"
                if self.fixed
                else ""
            )
            print(
                f"prd: {self.accepted} finding(s) accepted by the baseline {args.baseline}{fixed}.",
                file=sys.stderr,
            )
