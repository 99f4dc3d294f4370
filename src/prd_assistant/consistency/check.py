"""Targets -> contradictions: the same target stated with two different values."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from prd_assistant.consistency import vocabulary as vocab
from prd_assistant.consistency.extract import Target, extract_targets

RULE_PREFIX = "consistency"
# Latencies this far apart measure different operations ("a payout within 30 minutes" and
# "SSO adds 300 ms"), not one target written twice.
_LATENCY_SPREAD = 50.0


@dataclass(frozen=True)
class Contradiction:
    """Two different values for the same target, shaped like a review ``Finding``.

    The primary location (``line``, ``column``, ``section``) is the later statement; ``other_*``
    is the earlier statement it contradicts. Its location (``location_*``, ``first_line``,
    ``last_line``, as a ``Finding`` has them) is the later value itself.
    """

    rule: str
    metric: str
    line: int
    column: int
    start: int
    end: int
    section: str
    match: str
    sentence: str
    other_line: int
    other_column: int
    other_section: str
    other_match: str
    other_sentence: str
    message: str
    question: str
    suggestion: str
    location_start: int
    location_end: int
    first_line: int
    last_line: int
    category: str = "contradiction"
    severity: str = "warning"
    qualifiers: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, with ``qualifiers`` as a list."""
        data = asdict(self)
        data["qualifiers"] = list(self.qualifiers)
        return data


def check_consistency(markdown_text: str) -> list[Contradiction]:
    """Contradicting targets across (and within) the document's sections.

    Args:
        markdown_text: The PRD as Markdown.

    Returns:
        One contradiction per later value that differs from the first value stated for the
        same target, in document order. An empty list means no contradiction was found.
    """
    targets = _merge_sla_slo(extract_targets(markdown_text))
    groups: dict[tuple[str, str, tuple[str, ...]], list[Target]] = {}
    for target in targets:
        groups.setdefault((target.metric, target.detail, target.qualifiers), []).append(target)
    found: list[Contradiction] = []
    for group in groups.values():
        first = group[0]
        reported: list[float] = [first.value]
        if "baseline" in first.qualifiers:
            # Two descriptions of today ("a median wait of 23 minutes", "a median of 2 min to
            # route a ticket") are measurements of different things, not competing targets.
            continue
        for target in group[1:]:
            if target.line == first.line or any(_same(target.value, v) for v in reported):
                continue
            if target.metric == "latency" and _apart(target.value, first.value, _LATENCY_SPREAD):
                continue
            reported.append(target.value)
            found.append(_contradiction(first, target))
    return sorted(found, key=lambda c: (c.line, c.column))


def _merge_sla_slo(targets: list[Target]) -> list[Target]:
    """Treats "availability SLO" as the plain availability target unless the PRD has both.

    An SLA (contractual) below an internal SLO is deliberate; a lone "SLO 99.95%" next to
    "availability 99.9%" is a contradiction.
    """
    scopes = {q for t in targets if t.metric == "availability" for q in t.qualifiers}
    if {"sla", "slo"} <= scopes:
        return targets
    return [
        replace(t, qualifiers=tuple(q for q in t.qualifiers if q not in {"sla", "slo"}))
        if t.metric == "availability"
        else t
        for t in targets
    ]


def _apart(a: float, b: float, ratio: float) -> bool:
    """True when ``a`` and ``b`` differ by at least ``ratio`` times."""
    low, high = sorted((abs(a), abs(b)))
    return low == 0 or high / low >= ratio


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _describe(target: Target) -> str:
    label = vocab.METRIC_LABEL[target.metric]
    if target.metric == "latency":
        label = f"Latency target ({target.detail})"
    elif target.metric == "throughput":
        label = f"Throughput target ({target.detail}/s)"
    elif target.metric == "limit":
        label = "Size limit" if target.detail == "size" else f"Limit ({target.detail}s)"
    # "about:" marks a free word naming the subject; the PM reads just the word.
    scope = list(
        dict.fromkeys(
            q.removeprefix("about:") for q in target.qualifiers if not q.startswith("multiple:")
        )
    )
    return label + (f" [{', '.join(scope)}]" if scope else "")


def _where(target: Target) -> str:
    return f"'{target.section or 'the preamble'}' (line {target.line})"


def _contradiction(first: Target, later: Target) -> Contradiction:
    what = _describe(later)
    message = f"{what} is {later.text} in {_where(later)} but {first.text} in {_where(first)}."
    return Contradiction(
        rule=f"{RULE_PREFIX}-{later.metric}",
        metric=later.metric,
        line=later.line,
        column=later.column,
        start=later.start,
        end=later.end,
        section=later.section,
        match=later.text,
        sentence=later.sentence,
        other_line=first.line,
        other_column=first.column,
        other_section=first.section,
        other_match=first.text,
        other_sentence=first.sentence,
        message=message,
        question=f"Which is the target: {first.text} or {later.text}?",
        suggestion=f"Pick one value and use it in both places (lines {first.line} and {later.line}).",
        location_start=later.start,
        location_end=later.end,
        first_line=later.line,
        last_line=later.line + later.text[:-1].count("\n"),
        qualifiers=later.qualifiers,
    )
