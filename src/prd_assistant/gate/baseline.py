"""A baseline of accepted findings, so ``prd review`` in CI fails only on new ones.

A finding is identified by its rule, its ``##`` section (without numbering, so renumbered
sections still match) and its normalised text (the flagged words and their sentence, case and
whitespace folded), never by line or column: edits elsewhere in the file do not make an old
finding new. The same fingerprint may occur several times; the baseline counts them, so a
second copy of an accepted sentence is new.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from prd_assistant.template import normalize_title

FORMAT = "prd-review-baseline"
VERSION = 1


class BaselineError(Exception):
    """The baseline file is missing, unreadable or not a baseline; the message says what to do."""


class Fingerprinted(Protocol):
    """What a baseline entry needs from a finding."""

    @property
    def rule(self) -> str: ...

    @property
    def section(self) -> str: ...

    @property
    def match(self) -> str: ...

    @property
    def sentence(self) -> str: ...


T = TypeVar("T", bound=Fingerprinted)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def fingerprint(finding: Fingerprinted) -> str:
    """A stable id of ``finding``: rule + section + normalised match and sentence."""
    key = "\x1f".join(
        (
            finding.rule,
            normalize_title(finding.section),
            _fold(finding.match),
            _fold(finding.sentence),
        )
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


@dataclass
class Baseline:
    """Accepted findings, as fingerprint counts plus a readable entry for each."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    entries: list[dict[str, str]] = field(default_factory=list)

    def add(self, path: str, findings: Iterable[Fingerprinted]) -> None:
        """Accepts ``findings`` of the file ``path`` (as given on the command line)."""
        for finding in findings:
            key = fingerprint(finding)
            self.counts[(path, key)] += 1
            self.entries.append(
                {
                    "file": path,
                    "fingerprint": key,
                    "rule": finding.rule,
                    "section": finding.section,
                    "match": finding.match,
                    "sentence": finding.sentence,
                }
            )
        self.entries.sort(
            key=lambda e: (e["file"], e["section"], e["rule"], e["sentence"], e["match"])
        )

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        """Reads a baseline written by :meth:`write`.

        Raises:
            BaselineError: If the file is missing or is not a baseline.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(
                f"baseline {path} does not exist; create it with --write-baseline {path}"
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BaselineError(
                f"cannot read baseline {path} ({exc.__class__.__name__}); "
                f"recreate it with --write-baseline {path}"
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BaselineError(
                f"{path} is not a prd review baseline; recreate it with --write-baseline {path}"
            )
        baseline = cls()
        for entry in data.get("findings", []):
            if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str):
                baseline.counts[(str(entry.get("file", "")), entry["fingerprint"])] += 1
                baseline.entries.append(entry)
        return baseline

    def write(self, path: str | Path) -> None:
        """Writes the baseline as indented, sorted JSON (stable diffs in review)."""
        payload = {"format": FORMAT, "version": VERSION, "findings": self.entries}
        Path(path).write_text(
            json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def split(self, path: str, findings: Iterable[T]) -> tuple[list[T], list[T], int]:
        """Separates the new findings of file ``path`` from accepted ones.

        Returns:
            ``(new, accepted, fixed)``: findings not in the baseline (beyond its count for
            their fingerprint), findings it accepts, and how many accepted findings no longer
            occur (the baseline can be refreshed to drop them).
        """
        left = Counter({fp: n for (file, fp), n in self.counts.items() if file == path})
        new: list[T] = []
        accepted: list[T] = []
        for finding in findings:
            key = fingerprint(finding)
            if left[key] > 0:
                left[key] -= 1
                accepted.append(finding)
            else:
                new.append(finding)
        return new, accepted, sum(left.values())
