"""Deterministic consistency check: planted contradictions are found, clean drafts stay clean."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from prd_assistant.consistency import check_consistency, extract_targets, split_sections
from prd_assistant.document import Draft
from prd_assistant.drafting import Drafter
from prd_assistant.events import apply_event
from prd_assistant.review import Finding
from prd_assistant.template import load_template

DATA = Path(__file__).parent / "data" / "assist"
# (metric, line of the first statement, line of the contradicting one), planted by hand.
PLANTED = {
    "contradictions_payments.md": {
        ("availability", 26, 60),  # 99.9% (NFR) vs 99.95% (capacity table, Target column)
        ("latency", 27, 62),  # p99 read 120 ms vs 150 ms
        ("throughput", 29, 63),  # peak 2,000 vs 5,000 requests/s
        ("rpo", 30, 71),  # 5 minutes vs 15 minutes
        ("retention", 47, 52),  # audit logs 1 year vs 7 years
    },
    "contradictions_notifications.md": {
        ("availability", 27, 56),  # "three nines" vs SLO 99.95%
        ("latency", 27, 56),  # 150 ms at the 95th percentile vs p95 200 ms
        ("throughput", 27, 56),  # sustained 3,000 vs 2,500 messages/s
        ("rto", 31, 62),  # 30 minutes vs "recovery time objective is 2 hours"
        ("retention", 29, 45),  # delivery records 90 vs 180 days
    },
    # Written after the checker was tuned and run once, unchanged: a blind sample.
    "contradictions_identity.md": {
        ("latency", 11, 59),  # login p95 under 400 ms (Goals) vs 350 ms (capacity plan)
        ("rto", 36, 65),  # 15 minutes vs "recovery time objective 30 minutes"
        ("retention", 34, 50),  # login audit events 400 days vs 1 year
    },
}
CLEAN = ["clean_search.md", "clean_onboarding.md", "clean_media.md"]


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_every_planted_contradiction_is_found_and_nothing_else(name: str) -> None:
    found = {(c.metric, c.other_line, c.line) for c in check_consistency(_read(name))}
    assert found == PLANTED[name]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_drafts_raise_no_contradiction(name: str) -> None:
    text = _read(name)
    assert len(extract_targets(text)) >= 15  # they do state many targets, consistently
    assert check_consistency(text) == []


def test_the_template_and_an_outline_draft_are_clean() -> None:
    template = load_template()
    assert check_consistency(template.source) == []
    draft = Draft.from_template(
        template,
        "Ledger for payments: 2,000 transfers/s at peak, p95 latency 50 ms, 99.95% availability, "
        "audit logs kept 7 years.",
        "Ledger",
    )
    for event in Drafter(template, None).stream(draft):
        apply_event(draft, event, "outline")
    assert check_consistency(draft.to_markdown()) == []


def test_a_contradiction_has_both_locations_and_the_finding_shape() -> None:
    text = _read("contradictions_payments.md")
    contradiction = next(c for c in check_consistency(text) if c.metric == "availability")
    assert contradiction.rule == "consistency-availability"
    assert contradiction.category == "contradiction" and contradiction.severity == "warning"
    assert (contradiction.section, contradiction.line) == (
        "13. Performance & Capacity Planning",
        60,
    )
    assert (contradiction.other_section, contradiction.other_line) == (
        "7. Non-Functional Requirements",
        26,
    )
    assert text[contradiction.start : contradiction.end] == contradiction.match == "99.95%"
    lines = text.splitlines()
    assert lines[59][contradiction.column - 1 :].startswith("99.95%")
    assert lines[25][contradiction.other_column - 1 :].startswith("99.9%")
    assert "99.95%" in contradiction.message and "99.9%" in contradiction.message
    assert "line 26" in contradiction.message and "line 60" in contradiction.message
    # Every field a review Finding has, so the text/json/sarif reports can show it.
    data = contradiction.to_dict()
    assert {f.name for f in fields(Finding)} <= set(data)
    assert data["other_section"] == "7. Non-Functional Requirements"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("- p95 latency ≤ 1 s.", "- p95 latency ≤ 1000 ms."),
        ("- RTO: 60 minutes.", "- RTO: 1 hour."),
        ("- Availability: three nines.", "- Availability: 99.9%."),
        ("- Peak: 2k RPS.", "- Peak load of 2,000 requests per second."),
        ("- Audit logs are retained for 12 months.", "- Audit log retention: 12 months."),
        ("- Availability SLO: 99.9%.", "- Availability: 99.9%."),
    ],
)
def test_the_same_target_in_other_units_or_words_is_not_a_contradiction(
    first: str, second: str
) -> None:
    text = f"## 7. Non-Functional Requirements\n{first}\n\n## 13. Performance & Capacity Planning\n{second}\n"
    assert len(extract_targets(text)) == 2
    assert check_consistency(text) == []


@pytest.mark.parametrize(
    ("first", "second", "metric"),
    [
        ("- p95 latency ≤ 1 s.", "- p95 latency ≤ 800 ms.", "latency"),
        ("- RTO: 60 minutes.", "- RTO: 4 hours.", "rto"),
        ("- Availability: three nines.", "- Availability: 99.99%.", "availability"),
        ("- Peak: 2k RPS.", "- Peak load of 3,000 requests per second.", "throughput"),
        (
            "- Audit logs are retained for 12 months.",
            "- Audit log retention: 7 years.",
            "retention",
        ),
        ("- RPO: zero.", "- RPO ≤ 5 minutes.", "rpo"),
    ],
)
def test_different_values_for_the_same_target_are_flagged(
    first: str, second: str, metric: str
) -> None:
    text = f"## 7. Non-Functional Requirements\n{first}\n\n## 13. Performance & Capacity Planning\n{second}\n"
    [contradiction] = check_consistency(text)
    assert contradiction.metric == metric
    assert (contradiction.other_line, contradiction.line) == (2, 5)


@pytest.mark.parametrize(
    "second",
    [
        "- p99 latency ≤ 800 ms.",  # another percentile
        "- p95 write latency ≤ 800 ms.",  # another operation
        "- Today the p95 latency is 2.4 s.",  # a baseline
        "- Alert when p95 latency > 1.5 s for 5 minutes.",  # an alert threshold
        "- Open question: is a p95 of 500 ms enough?",  # a question
        "- Rate limit: 50 requests/s per tenant.",  # a limit, not the load
        "- In year 2, peak grows to 5,000 requests/s.",  # a projection
        "```\np95 latency ≤ 10 ms\n```",  # code
    ],
)
def test_different_targets_are_not_compared(second: str) -> None:
    first = "- p95 latency ≤ 1 s at a peak of 2,000 requests/s."
    text = f"## 7. Non-Functional Requirements\n{first}\n\n## 13. Performance & Capacity Planning\n{second}\n"
    assert check_consistency(text) == []


def test_non_goals_and_open_questions_are_skipped() -> None:
    text = (
        "## 3. Goals & Non-Goals\n### Goals\n- Availability 99.9%.\n### Non-Goals\n- 99.999% availability.\n\n"
        "## 7. Non-Functional Requirements\n- Availability: 99.9% monthly.\n\n"
        "## 18. Open Questions\n- Availability of 99.95% for the EU region?\n"
    )
    assert [t.value for t in extract_targets(text)] == [99.9, 99.9]
    assert check_consistency(text) == []


def test_split_sections_ignores_headings_in_code() -> None:
    text = "# T\nintro\n## A\n```\n## not a heading\n```\n## B\nbody\n"
    sections = split_sections(text)
    assert [(s.title, s.line) for s in sections] == [("", 0), ("A", 3), ("B", 7)]
