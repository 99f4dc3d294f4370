"""Document text -> contradictions between the targets its sections state (no LLM).

A PRD states the same target in several places: availability in Non-Functional Requirements
and again in Performance & Capacity Planning, retention in Data Storage and in Security. When
they disagree, engineers build to whichever they read. The check extracts availability %,
percentile latency, throughput, retention periods and RPO/RTO, normalises units (1 s = 1000 ms,
60 min = 1 h) and reports every pair of different values for the *same* target.

"Same" is deliberately narrow, because a false alarm costs the PM more than a missed one:
two targets are compared only when their metric and their qualifiers match exactly -
percentile, operation (read/write/search...), scope (SLA/SLO, control/data plane, per tenant,
per node...), load kind (peak/average/sustained), data kind for retention, and phase
(baseline/current vs target, year 2, growth projections). Table cells take their qualifiers
from the row label and the column header. Questions, non-goals and examples are skipped.

Modules: ``markdown`` (sections, clauses, table cells), ``vocabulary`` (the words and patterns),
``extract`` (text -> :class:`Target` list) and ``check`` (targets -> :class:`Contradiction` list).
"""

from prd_assistant.consistency.check import RULE_PREFIX, Contradiction, check_consistency
from prd_assistant.consistency.extract import Target, extract_targets
from prd_assistant.consistency.markdown import MarkdownSection, split_sections

__all__ = [
    "RULE_PREFIX",
    "Contradiction",
    "MarkdownSection",
    "Target",
    "check_consistency",
    "extract_targets",
    "split_sections",
]
