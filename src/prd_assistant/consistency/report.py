"""Contradictions -> text lines, JSON and SARIF 2.1.0 pieces for ``prd review`` (with or
without ``--ai``: the check needs no model)."""

from __future__ import annotations

from typing import Any

from prd_assistant.consistency.check import Contradiction

RULE_TEXT = "Two sections state different values for the same target."


def text_lines(contradictions: list[Contradiction], path: str = "") -> list[str]:
    """``Consistency check: N contradiction(s) ...`` and one ``path:line:col:`` line each."""
    where = f"{path}:" if path else "line "
    count = len(contradictions)
    lines = [
        f"Consistency check: {count} contradiction(s) between stated targets."
        if count
        else "Consistency check: no contradictions between stated targets."
    ]
    for c in contradictions:
        lines.append(f"{where}{c.line}:{c.column}: {c.severity} [{c.rule}] {c.message}")
    return lines


def json_items(contradictions: list[Contradiction]) -> list[dict[str, Any]]:
    """The ``"contradictions"`` list of the JSON output."""
    return [c.to_dict() for c in contradictions]


def sarif_rules(contradictions: list[Contradiction]) -> list[dict[str, Any]]:
    """SARIF ``reportingDescriptor``s for the rule ids the contradictions use."""
    return [
        {"id": rule, "shortDescription": {"text": RULE_TEXT}}
        for rule in sorted({c.rule for c in contradictions})
    ]


def sarif_results(contradictions: list[Contradiction], uri: str) -> list[dict[str, Any]]:
    """SARIF ``result``s; each carries the earlier statement as a related location."""
    return [
        {
            "ruleId": c.rule,
            "level": "warning",
            "message": {"text": c.message},
            "locations": [location(uri, c.line, c.column)],
            "relatedLocations": [
                {
                    **location(uri, c.other_line, c.other_column),
                    "id": 1,
                    "message": {"text": f"{c.other_match} stated here"},
                }
            ],
        }
        for c in contradictions
    ]


def location(uri: str, line: int, column: int = 1) -> dict[str, Any]:
    """A SARIF ``location`` for ``uri`` at a 1-based line and column."""
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": max(1, line), "startColumn": max(1, column)},
        }
    }
