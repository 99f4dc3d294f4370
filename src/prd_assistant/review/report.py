"""Findings -> summary, text, JSON and SARIF 2.1.0 output, and the exit-code decision."""

from __future__ import annotations

import json
from collections import Counter

from prd_assistant import __version__
from prd_assistant.review.findings import CATEGORIES, SEVERITIES, SEVERITY_RANK, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def summarize(findings: list[Finding]) -> dict:
    """Counts per severity, category and rule: ``{"total", "by_severity", "by_category", "by_rule"}``."""
    return {
        "total": len(findings),
        "by_severity": {s: sum(f.severity == s for f in findings) for s in SEVERITIES},
        "by_category": {c: sum(f.category == c for f in findings) for c in CATEGORIES},
        "by_rule": dict(sorted(Counter(f.rule for f in findings).items())),
    }


def fails(findings: list[Finding], fail_on: str = "error") -> bool:
    """True when any finding is at least as severe as ``fail_on``."""
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)


def json_payload(findings: list[Finding]) -> dict:
    """``{"findings": [...], "summary": {...}}``, for callers that add to it before printing."""
    return {"findings": [f.to_dict() for f in findings], "summary": summarize(findings)}


def render_json(findings: list[Finding]) -> str:
    """:func:`json_payload` as indented JSON."""
    return json.dumps(json_payload(findings), indent=2, ensure_ascii=False)


def render_text(findings: list[Finding], path: str = "") -> str:
    """Findings grouped by section: ``line:col  severity  match`` and the question to answer.

    ``line:col`` is where the flagged words start; a finding about more than one line (an
    open question wrapped over several) adds ``(lines FIRST-LAST)``.
    """
    if not findings:
        return f"{path}: no findings." if path else "No findings."
    lines: list[str] = []
    section = None
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        if finding.section != section:
            section = finding.section
            if lines:
                lines.append("")
            lines.append(f"## {section}" if section else "(before the first section)")
        match = " ".join(finding.match.split())
        match = match if len(match) <= 80 else match[:77] + "..."
        where = (
            f"  (lines {finding.first_line}-{finding.last_line})"
            if finding.last_line > finding.first_line
            else ""
        )
        lines.append(
            f"  {finding.line}:{finding.column}  {finding.severity:<7}  {finding.rule}"
            f'  "{match}"{where}'
        )
        lines.append(f"      ? {finding.question}")
        lines.append(f"      → {finding.suggestion}")
    counts = summarize(findings)["by_severity"]
    total = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
    lines.append("")
    lines.append(f"{path + ': ' if path else ''}{len(findings)} finding(s): {total}.")
    return "\n".join(lines)


def _rule_descriptors() -> list[dict]:
    # Imported here: the catalog reads every checker's rules, some of which import this package.
    from prd_assistant.gate.catalog import all_rules

    return [_descriptor(r.id, r.category, r.severity, r.message, r.suggestion) for r in all_rules()]


def _descriptor(rule_id: str, category: str, severity: str, message: str, suggestion: str) -> dict:
    generic = message.replace("'{match}'", "This wording").replace("{match}", "this value")
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": f"{category.replace('_', ' ')}: {rule_id.replace('-', ' ')}"},
        "fullDescription": {"text": generic},
        "help": {"text": f"Rewrite as: {suggestion.replace('{match}', '__')}"},
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        "properties": {"category": category, "tags": [category]},
    }


def render_sarif(findings: list[Finding], path: str) -> str:
    """:func:`sarif_log` as indented JSON."""
    return json.dumps(sarif_log(findings, path), indent=2, ensure_ascii=False)


def sarif_log(findings: list[Finding], path: str) -> dict:
    """A SARIF 2.1.0 log with one run, for code-scanning tools (``path`` as the artifact URI).

    Each result's ``partialFingerprints`` is the baseline's rule + section + text key, so code
    scanning tracks a finding across edits that move it to another line. ``region`` is the
    flagged words; a finding whose location is larger (an open question's whole sentence) also
    has a ``contextRegion`` with the location's lines and characters.
    """
    from prd_assistant.gate.baseline import fingerprint

    descriptors = _rule_descriptors()
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    uri = path.replace("\\", "/")
    results = []
    for f in findings:
        end_line = f.line + f.match.count("\n")
        last = f.match.rsplit("\n", 1)
        end_column = (len(last[-1]) + 1) if len(last) > 1 else f.column + len(f.match)
        location: dict = {
            "artifactLocation": {"uri": uri},
            "region": {
                "startLine": f.line,
                "startColumn": f.column,
                "endLine": end_line,
                "endColumn": end_column,
                "charOffset": f.start,
                "charLength": f.end - f.start,
                "snippet": {"text": f.match},
            },
        }
        if (f.location_start, f.location_end) != (f.start, f.end):
            location["contextRegion"] = {
                "startLine": f.first_line,
                "endLine": f.last_line,
                "charOffset": f.location_start,
                "charLength": f.location_end - f.location_start,
            }
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _SARIF_LEVEL[f.severity],
                "message": {
                    "text": f"{f.message} Question: {f.question} Suggestion: {f.suggestion}"
                },
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {"prdReview/v1": fingerprint(f)},
                "properties": {"category": f.category, "section": f.section},
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "prd-review",
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "artifacts": [{"location": {"uri": uri}, "encoding": "utf-8"}],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return log
