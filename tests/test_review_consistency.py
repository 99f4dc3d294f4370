"""Plain ``prd review`` runs the consistency check (no model), and targets are read in the
phrasings real PRDs use: rules as well as targets, for every metric."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import jsonschema
import pytest

from prd_assistant.cli import review as review_cli
from prd_assistant.consistency import check_consistency, extract_targets

DATA = Path(__file__).parent / "data"
SCHEMA = DATA / "review" / "sarif-2.1.0-subset.schema.json"
PLANTED = DATA / "assist" / "contradictions_payments.md"
CLEAN = sorted(
    [*(DATA / "review").glob("clean_prd*.md"), *(DATA / "assist").glob("clean_*.md")],
    key=lambda path: path.name,
)

# (first statement, contradicting statement, metric): phrasings taken from public PRDs, SRSs
# and NFR templates (retention as a rule, TTLs, expiry, uptime, SLA, p95 after the value,
# rps, RPO/RTO in plain words, size and count limits).
PAIRS = [
    ("Raw events are deleted after 30 days.", "Raw events are kept for 90 days.", "retention"),
    ("Logs older than 14 days are purged.", "Logs are retained for 30 days.", "retention"),
    (
        "Session tokens have a TTL of 24 hours.",
        "Session tokens expire after 12 hours.",
        "retention",
    ),
    (
        "Password reset links expire after 15 minutes.",
        "Password reset links expire in 1 hour.",
        "retention",
    ),
    ("Backups: daily, with 30-day retention.", "Backups are retained for 35 days.", "retention"),
    ("The service offers an uptime of 99.95%.", "We commit to a 99.9% SLA.", "availability"),
    ("The API responds within 200 ms at p95.", "p95 latency must not exceed 300 ms.", "latency"),
    ("Search: <100ms for 95% of queries.", "Search p95 latency: 250 ms.", "latency"),
    (
        "The ingest endpoint handles up to 500 rps.",
        "Ingest: 800 requests per second.",
        "throughput",
    ),
    ("Peak QPS: ~5k.", "At peak we serve 8,000 queries/s.", "throughput"),
    ("Events: 1 million events per day.", "The pipeline takes 2M events/day.", "throughput"),
    ("RPO of 15 minutes.", "A maximum of 5 minutes of data loss is acceptable.", "rpo"),
    ("Data loss of no more than 1 hour.", "Recovery point objective: 4 hours.", "rpo"),
    ("The service must be restored within 4 hours.", "RTO: 1 hour.", "rto"),
    ("Attachments can be up to 25 MB.", "Attachments: up to 50 MB each.", "limit"),
    ("A workspace can have at most 50 members.", "A workspace: max 100 members.", "limit"),
]


@pytest.mark.parametrize(("first", "second", "metric"), PAIRS)
def test_real_phrasings_are_read_and_contradictions_found(
    first: str, second: str, metric: str
) -> None:
    text = f"## 7. Non-Functional Requirements\n- {first}\n\n## 10. Operations\n- {second}\n"
    assert [t.metric for t in extract_targets(text)] == [metric, metric]
    (found,) = check_consistency(text)
    assert (found.metric, found.other_line, found.line) == (metric, 2, 5)
    assert text[found.start : found.end] == found.match


@pytest.mark.parametrize(
    "text",
    [
        # Different subjects, kinds or scopes are different targets.
        "- Avatars can be up to 2 MB.\n- Attachments can be up to 25 MB.\n",
        "- Free workspaces have at most 5 members.\n- Paid workspaces have at most 50 seats.\n",
        "- Audit logs are kept for 7 years.\n- Debug logs are deleted after 14 days.\n",
        "- Uptime: 99.9% monthly.\n- Support: 99.5% availability during business hours.\n",
        # Descriptions of today, and latencies of different operations, are not targets.
        "## Problem\nToday a median wait is 23 minutes.\n## Users\nToday routing takes a median "
        "of 2 min.\n",
        "- Payouts reach the card within 30 minutes for 95% of requests.\n"
        "- SSO adds no more than 300 ms (p95) to sign-in.\n",
        "- Session timeout: 30 minutes of inactivity.\n- Sessions are stored for 30 days.\n",
    ],
)
def test_different_targets_are_not_contradictions(text: str) -> None:
    assert check_consistency(text) == []


@pytest.mark.parametrize("path", CLEAN, ids=lambda path: path.name)
def test_clean_prds_have_no_contradictions(path: Path) -> None:
    assert check_consistency(path.read_text(encoding="utf-8")) == []


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="prd review")
    review_cli.add_arguments(parser)
    code = review_cli.run(parser.parse_args(list(argv)))
    return code, capsys.readouterr().out


def test_plain_review_reports_contradictions_in_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, str(PLANTED))
    assert "Consistency check: 5 contradiction(s) between stated targets." in out
    assert f"{PLANTED}:60:" in out and "[consistency-availability]" in out
    assert code == 0  # contradictions are warnings: the default --fail-on error still passes


def test_plain_review_reports_contradictions_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _run(capsys, str(PLANTED), "--format", "json")
    payload = json.loads(out)
    assert {"findings", "summary", "contradictions"} <= set(payload)
    assert "ai" not in payload
    lines = {(c["metric"], c["other_line"], c["line"]) for c in payload["contradictions"]}
    assert ("retention", 47, 52) in lines and len(lines) == 5


def test_plain_review_reports_contradictions_in_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _run(capsys, str(PLANTED), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules))
    found = [r for r in run["results"] if r["ruleId"].startswith("consistency-")]
    assert len(found) == 5
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in found)
    assert all(r["relatedLocations"] for r in found)


def test_contradictions_count_for_fail_on_warning_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "prd.md"
    path.write_text(
        "## NFR\n- Availability: 99.9% (p95 checks).\n\n## SLA\n- Availability: 99.95%.\n",
        encoding="utf-8",
    )
    code, out = _run(capsys, str(path))
    assert code == 0 and "1 contradiction(s)" in out
    code, _ = _run(capsys, str(path), "--fail-on", "warning")
    assert code == 1
    clean = tmp_path / "clean.md"
    clean.write_text("## NFR\n- Availability: 99.9% monthly.\n", encoding="utf-8")
    code, out = _run(capsys, str(clean), "--fail-on", "warning")
    assert code == 0 and "Consistency check" not in out
